"""/healthz and the public pages: healthy only when the database answers with a current schema."""

from registry import create_app
from registry.db import db
from tests.conftest import make_settings


def test_healthz_is_ok_when_migrations_are_current(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "migrations": "current"}


def test_healthz_is_unavailable_with_pending_migrations(app, empty_database_url, tmp_path):
    unmigrated = create_app(make_settings(tmp_path, empty_database_url))
    response = unmigrated.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["pending_migrations"][0] == "0001_initial"
    db.close()


def test_healthz_is_unavailable_when_the_database_is_unreachable(tmp_path):
    broken = create_app(make_settings(tmp_path, f"sqlite:///{tmp_path}/no/such/dir/x.db"))
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}


def test_the_landing_page_shows_totals_only(client):
    from registry import demo

    demo.load()
    page = client.get("/").get_data(as_text=True)
    assert "<dt>Clinics</dt><dd>3</dd>" in page
    assert "Cascade Scalp Studio" not in page and "demo-admin-password" not in page


def test_errors_are_generic_pages_with_security_headers(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "We could not find that page." in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_an_unexpected_error_shows_nothing_of_its_cause(app, client):
    @app.get("/explode")
    def explode():
        raise RuntimeError("secret internals")

    response = client.get("/explode")
    assert response.status_code == 500
    assert "secret internals" not in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"]
