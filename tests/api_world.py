"""Two clinics in two states and one caller of every kind, for API and tenancy tests."""

from dataclasses import dataclass

from flask import g, has_app_context
from flask.testing import FlaskClient

from registry.models import User
from registry.services import accounts, tokens
from tests.factories import ACTOR, make_clinic

PASSWORD = "a long test password"
PRINCIPALS = ("anonymous", "officer_a", "officer_b", "inspector_a", "inspector_other",
              "importer", "admin")


class CsrfClient(FlaskClient):
    """A test client that sends the CSRF token with every cookie-authenticated change, as the
    registry's own pages and scripts do; CSRF stays on in tests."""

    def open(self, *args, **kwargs):
        # Tests keep an app context open, which requests then share: drop what a request
        # caches on g so each request starts as it would in production.
        if has_app_context():
            for name in ("csrf_token", "principal"):
                g.pop(name, None)
        method = kwargs.get("method", "GET").upper()
        headers = dict(kwargs.pop("headers", None) or {})
        if method not in ("GET", "HEAD", "OPTIONS") and "Authorization" not in headers \
                and not kwargs.pop("without_csrf", False):
            token = super().open("/api/v1/session").get_json()["csrf_token"]
            headers.setdefault("X-CSRFToken", token)
        return super().open(*args, headers=headers, **kwargs)


@dataclass
class World:
    clinic_a: object
    clinic_b: object
    users: dict
    importer_token: str
    admin_token: str


def build_world() -> World:
    clinic_a, clinic_b = make_clinic(state="OR"), make_clinic(state="TX")
    roles = {
        "officer_a": {"role": "officer", "clinic_id": clinic_a.id},
        "officer_b": {"role": "officer", "clinic_id": clinic_b.id},
        "inspector_a": {"role": "inspector", "jurisdiction": "OR"},
        "inspector_other": {"role": "inspector", "jurisdiction": "WA"},
        "importer": {"role": "importer"},
        "admin": {"role": "administrator"},
    }
    users = {}
    for name, role in roles.items():
        user = accounts.create_user({"email": f"{name}@example.test", "display_name": name},
                                    ACTOR, password=PASSWORD)
        accounts.grant_role({"user_id": user.id, **role}, ACTOR)
        users[name] = user
    importer_token, _row = tokens.issue(users["importer"], "roster sync", ["import"], ACTOR)
    admin_token, _row = tokens.issue(users["admin"], "integration", ["read", "write"], ACTOR)
    return World(clinic_a, clinic_b, users, importer_token, admin_token)


def client_for(app, world: World, principal: str) -> CsrfClient:
    """A client acting as the principal: signed in with a cookie, or sending a token."""
    app.test_client_class = CsrfClient
    client = app.test_client()
    if principal == "importer":
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {world.importer_token}"
    elif principal != "anonymous":
        sign_in(client, world.users[principal])
    return client


def sign_in(client, user: User, password: str = PASSWORD):
    response = client.post("/api/v1/session", json={"email": user.email, "password": password})
    assert response.status_code == 200, response.get_json()
    return response
