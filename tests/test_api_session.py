"""Signing in through the API: cookies, throttling, revocation, CSRF, rehashing, headers."""

import pytest
from argon2 import PasswordHasher

from registry.models import LoginAttempt, SessionRecord, User
from registry.services import accounts, throttle, tokens
from tests.api_world import PASSWORD, CsrfClient, build_world, sign_in
from tests.factories import ACTOR


@pytest.fixture
def world(app):
    app.test_client_class = CsrfClient
    return build_world()


def test_signing_in_sets_a_server_side_session_cookie(app, world):
    client = app.test_client()
    response = sign_in(client, world.users["officer_a"])
    cookie = response.headers["Set-Cookie"]
    assert "registry-session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.get_json()["roles"] == ["officer"]
    assert SessionRecord.select().count() == 1
    assert client.get(f"/api/v1/clinics/{world.clinic_a.id}").status_code == 200


@pytest.mark.parametrize("email", ["officer_a@example.test", "nobody@example.test"])
def test_a_failed_sign_in_does_not_say_which_part_was_wrong(app, world, email):
    response = app.test_client().post("/api/v1/session",
                                      json={"email": email, "password": "not the password"})
    assert response.status_code == 401
    assert response.get_json()["message"] == "Wrong email or password."
    assert SessionRecord.select().count() == 0


def test_too_many_failures_lock_the_account_even_with_the_right_password(app, world):
    client = app.test_client()
    email = world.users["officer_a"].email
    for _ in range(throttle.ACCOUNT_FAILURES):
        assert client.post("/api/v1/session",
                           json={"email": email, "password": "guess"}).status_code == 401
    locked = client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many attempts" in locked.get_json()["message"]
    # Other accounts from another address are not affected.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    sign_in(other, world.users["officer_b"])


def test_too_many_failures_from_one_address_lock_that_address(app, world):
    client = app.test_client()
    for n in range(throttle.ADDRESS_FAILURES):
        client.post("/api/v1/session", json={"email": f"guess{n}@example.test",
                                              "password": "guess"})
    response = client.post("/api/v1/session", json={"email": world.users["admin"].email,
                                                    "password": PASSWORD})
    assert response.status_code == 429
    assert LoginAttempt.select().where(LoginAttempt.succeeded == True).count() == 0  # noqa: E712


def test_the_throttle_keeps_no_email_addresses(app, world):
    app.test_client().post("/api/v1/session",
                           json={"email": "officer_a@example.test", "password": "guess"})
    assert "officer_a" not in LoginAttempt.get().account_key


def test_signing_out_ends_the_session_on_the_server(app, world):
    client = app.test_client()
    sign_in(client, world.users["officer_a"])
    stolen = client.get_cookie("registry-session").value
    assert client.delete("/api/v1/session").status_code == 204
    replay = app.test_client()
    replay.set_cookie("registry-session", stolen)
    assert replay.get("/api/v1/clinics").status_code == 401


def test_changing_the_password_ends_the_other_sessions(app, world):
    user = world.users["officer_a"]
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, user)
    sign_in(phone, user)
    response = laptop.post("/api/v1/session/password", json={
        "current_password": PASSWORD, "new_password": "another long password"})
    assert response.status_code == 204
    assert laptop.get("/api/v1/clinics").status_code == 200
    assert phone.get("/api/v1/clinics").status_code == 401


def test_a_wrong_current_password_changes_nothing(app, world):
    client = app.test_client()
    sign_in(client, world.users["officer_a"])
    before = User.get_by_id(world.users["officer_a"].id).password_hash
    response = client.post("/api/v1/session/password", json={
        "current_password": "wrong", "new_password": "another long password"})
    assert response.status_code == 422
    assert "current_password" in response.get_json()["errors"]["json"]
    assert User.get_by_id(world.users["officer_a"].id).password_hash == before


def test_disabling_an_account_ends_its_sessions_and_tokens(app, world):
    client = app.test_client()
    sign_in(client, world.users["admin"])
    token_client = app.test_client()
    token_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {world.admin_token}"
    assert token_client.get("/api/v1/clinics").status_code == 200
    accounts.disable_user(world.users["admin"], ACTOR, reason="left the company")
    assert client.get("/api/v1/clinics").status_code == 401
    assert token_client.get("/api/v1/clinics").status_code == 401
    assert app.test_client().post("/api/v1/session", json={
        "email": world.users["admin"].email, "password": PASSWORD}).status_code == 401


def test_a_revoked_token_stops_working(app, world):
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {world.admin_token}"
    assert client.get("/api/v1/clinics").status_code == 200
    from registry.models import ApiToken

    tokens.revoke(ApiToken.get(ApiToken.name == "integration"), ACTOR)
    assert client.get("/api/v1/clinics").status_code == 401


def test_cookie_changes_need_the_csrf_token_bearer_requests_do_not(app, world):
    client = app.test_client()
    sign_in(client, world.users["officer_a"])
    forged = client.patch(f"/api/v1/clinics/{world.clinic_a.id}",
                          json={"city": "Salem", "reason": "moved"}, without_csrf=True)
    assert forged.status_code == 400 and "CSRF" in forged.get_json()["message"]
    allowed = client.patch(f"/api/v1/clinics/{world.clinic_a.id}",
                           json={"city": "Salem", "reason": "moved"})
    assert allowed.status_code == 200 and allowed.get_json()["city"] == "Salem"
    bearer = app.test_client()
    bearer.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {world.admin_token}"
    assert bearer.patch(f"/api/v1/clinics/{world.clinic_a.id}", without_csrf=True,
                        json={"city": "Eugene", "reason": "moved again"}).status_code == 200


def test_a_password_hashed_with_old_parameters_is_rehashed_at_sign_in(app, world):
    user = world.users["officer_b"]
    old = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    User.update(password_hash=old).where(User.id == user.id).execute()
    sign_in(app.test_client(), user)
    assert User.get_by_id(user.id).password_hash != old


def test_an_overlong_password_is_refused_before_hashing(app, world):
    response = app.test_client().post("/api/v1/session", json={
        "email": world.users["officer_a"].email, "password": "x" * 5000})
    assert response.status_code == 401


@pytest.mark.parametrize("path", ["/", "/api/v1/clinics", "/no-such-page",
                                  "/api/v1/no-such-thing", "/api/v1/docs/"])
def test_security_headers_on_html_json_and_errors(client, path):
    response = client.get(path)
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "Strict-Transport-Security" not in headers


def test_hsts_is_sent_over_tls(client):
    response = client.get("/", base_url="https://registry.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_api_documents_itself_with_local_assets_only(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.") and "/api/v1/clinics" in spec["paths"]
    page = client.get("/api/v1/docs/").get_data(as_text=True)
    assert "http://" not in page and "https://" not in page
    with client.get("/api/v1/docs/assets/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200 and asset.mimetype == "text/javascript"


def test_an_edit_without_a_reason_is_refused_naming_the_field(app, world):
    client = app.test_client()
    sign_in(client, world.users["officer_a"])
    response = client.patch(f"/api/v1/clinics/{world.clinic_a.id}", json={"city": "Bend"})
    assert response.status_code == 422
    assert "reason" in response.get_json()["errors"]["json"]
    assert client.get(f"/api/v1/clinics/{world.clinic_a.id}").get_json()["city"] is None


def test_a_csrf_token_obtained_before_signing_in_is_useless_afterwards(app, world):
    client = app.test_client()
    before = client.get("/api/v1/session").get_json()["csrf_token"]
    signed = client.post("/api/v1/session", headers={"X-CSRFToken": before}, json={
        "email": world.users["officer_a"].email, "password": PASSWORD})
    assert signed.status_code == 200
    after = signed.get_json()["csrf_token"]
    assert after != before
    change = {"city": "Salem", "reason": "moved"}
    stale = client.patch(f"/api/v1/clinics/{world.clinic_a.id}", json=change,
                         headers={"X-CSRFToken": before})
    assert stale.status_code == 400 and "CSRF" in stale.get_json()["message"]
    fresh = client.patch(f"/api/v1/clinics/{world.clinic_a.id}", json=change,
                         headers={"X-CSRFToken": after})
    assert fresh.status_code == 200


@pytest.mark.parametrize("revoke", [True, False])
def test_a_password_change_revokes_the_api_tokens_when_asked(app, world, revoke):
    from registry.models import ApiToken, AuditEvent

    client = app.test_client()
    sign_in(client, world.users["admin"])
    bearer = app.test_client()
    bearer.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {world.admin_token}"
    response = client.post("/api/v1/session/password", json={
        "current_password": PASSWORD, "new_password": "another long password",
        "revoke_tokens": revoke})
    assert response.status_code == 204
    assert bearer.get("/api/v1/clinics").status_code == (401 if revoke else 200)
    token = ApiToken.get(ApiToken.name == "integration")
    revoked = AuditEvent.select().where((AuditEvent.entity == "api_token")
                                        & (AuditEvent.entity_id == str(token.id))
                                        & (AuditEvent.action == "revoke"))
    assert revoked.count() == (1 if revoke else 0)


@pytest.mark.parametrize("path", ["/api/v1/clinics/{clinic}", "/api/v1/clients",
                                  "/clinics/{clinic}/", "/api/v1/no-such-thing"])
def test_signed_in_answers_are_never_stored(app, world, path):
    path = path.format(clinic=world.clinic_a.id)
    client = app.test_client()
    sign_in(client, world.users["officer_a"])
    bearer = app.test_client()
    bearer.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {world.admin_token}"
    for caller in (client, bearer):
        cache_control = caller.get(path).headers.get("Cache-Control", "")
        assert "no-store" in cache_control and "private" in cache_control, (path, cache_control)


def test_the_sign_in_answer_is_never_stored(app, world):
    response = sign_in(app.test_client(), world.users["officer_a"])
    assert "no-store" in response.headers.get("Cache-Control", "")
