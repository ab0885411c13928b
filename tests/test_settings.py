"""Settings: typed environment values, generated development secrets, production refusals."""

import pytest

from registry.settings import SettingsError, load_settings

STRONG = "s" * 48


def test_development_secrets_are_generated_once_and_kept(tmp_path):
    first = load_settings(environ={"REGISTRY_INSTANCE_PATH": str(tmp_path)})
    again = load_settings(environ={"REGISTRY_INSTANCE_PATH": str(tmp_path)})
    assert first.secret_key == again.secret_key
    assert first.audit_key == again.audit_key != first.secret_key
    assert first.uses_development_secrets
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first.database_url == f"sqlite:///{tmp_path / 'registry.sqlite3'}"


def test_environment_values_are_typed(tmp_path):
    settings = load_settings(environ={
        "REGISTRY_INSTANCE_PATH": str(tmp_path), "REGISTRY_MAX_CONTENT_LENGTH": "1024",
        "REGISTRY_DATABASE_URL": "postgresql://db.example/registry",
    })
    assert settings.max_content_length == 1024
    assert settings.database_url == "postgresql://db.example/registry"


def test_a_bad_number_names_the_variable(tmp_path):
    with pytest.raises(SettingsError, match="REGISTRY_MAX_CONTENT_LENGTH"):
        load_settings(environ={"REGISTRY_INSTANCE_PATH": str(tmp_path),
                               "REGISTRY_MAX_CONTENT_LENGTH": "lots"})


def test_unknown_environment_is_refused(tmp_path):
    with pytest.raises(SettingsError, match="REGISTRY_ENV"):
        load_settings(environ={"REGISTRY_INSTANCE_PATH": str(tmp_path), "REGISTRY_ENV": "prod"})


@pytest.mark.parametrize("missing", ["REGISTRY_SECRET_KEY", "REGISTRY_AUDIT_KEY",
                                     "REGISTRY_DATABASE_URL"])
def test_production_refuses_to_start_without_its_secrets(tmp_path, missing):
    environ = {"REGISTRY_ENV": "production", "REGISTRY_INSTANCE_PATH": str(tmp_path),
               "REGISTRY_SECRET_KEY": STRONG, "REGISTRY_AUDIT_KEY": STRONG + "a",
               "REGISTRY_DATABASE_URL": "postgresql://db.example/registry"}
    del environ[missing]
    with pytest.raises(SettingsError, match=missing):
        load_settings(environ=environ)


def test_production_refuses_the_generated_development_secret(tmp_path):
    development = load_settings(environ={"REGISTRY_INSTANCE_PATH": str(tmp_path)})
    with pytest.raises(SettingsError, match="development secret"):
        load_settings(environ={
            "REGISTRY_ENV": "production", "REGISTRY_INSTANCE_PATH": str(tmp_path),
            "REGISTRY_SECRET_KEY": development.secret_key, "REGISTRY_AUDIT_KEY": STRONG,
            "REGISTRY_DATABASE_URL": "postgresql://db.example/registry"})


def test_production_refuses_short_secrets(tmp_path):
    with pytest.raises(SettingsError, match="at least 32"):
        load_settings(environ={
            "REGISTRY_ENV": "production", "REGISTRY_INSTANCE_PATH": str(tmp_path),
            "REGISTRY_SECRET_KEY": "short", "REGISTRY_AUDIT_KEY": STRONG,
            "REGISTRY_DATABASE_URL": "postgresql://db.example/registry"})


def test_production_starts_with_real_secrets(tmp_path):
    settings = load_settings(environ={
        "REGISTRY_ENV": "production", "REGISTRY_INSTANCE_PATH": str(tmp_path),
        "REGISTRY_SECRET_KEY": STRONG, "REGISTRY_AUDIT_KEY": STRONG + "a",
        "REGISTRY_DATABASE_URL": "postgresql://db.example/registry"})
    assert settings.is_production and not settings.uses_development_secrets
    assert settings.flask_config()["SESSION_COOKIE_SECURE"] is True


def _seen_behind_proxy(tmp_path, environ):
    """What the application takes for the client's address and scheme, for one request that
    came through a proxy at 10.0.0.2 on behalf of 203.0.113.7 over HTTPS."""
    from flask import request

    from registry import create_app

    app = create_app(load_settings(environ={"REGISTRY_INSTANCE_PATH": str(tmp_path),
                                            "REGISTRY_ENV": "testing", **environ}))
    seen = {}

    @app.get("/_where")
    def _where():
        seen.update(address=request.remote_addr, scheme=request.scheme)
        return ""

    app.test_client().get("/_where", environ_base={"REMOTE_ADDR": "10.0.0.2"}, headers={
        "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
    return seen


def test_forwarded_headers_are_ignored_without_a_trusted_proxy(tmp_path):
    assert _seen_behind_proxy(tmp_path, {}) == {"address": "10.0.0.2", "scheme": "http"}


def test_a_trusted_proxy_gives_the_client_address_and_scheme(tmp_path):
    seen = _seen_behind_proxy(tmp_path, {"REGISTRY_TRUSTED_PROXIES": "1"})
    assert seen == {"address": "203.0.113.7", "scheme": "https"}


def test_a_negative_number_of_proxies_is_refused(tmp_path):
    with pytest.raises(SettingsError, match="REGISTRY_TRUSTED_PROXIES"):
        load_settings(environ={"REGISTRY_INSTANCE_PATH": str(tmp_path),
                               "REGISTRY_TRUSTED_PROXIES": "-1"})
