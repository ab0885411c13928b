"""Signing in and out of the pages, changing a password, and where each role lands."""

from registry.models import LoginAttempt, SessionRecord, User
from registry.services import accounts
from registry.services.audit import Actor
from tests.api_world import PASSWORD, build_world
from tests.pages import error_for, page_client, sign_in, text_of


def test_a_page_sends_an_anonymous_visitor_to_sign_in_and_back(app):
    world = build_world()
    client = page_client(app)
    target = f"/clinics/{world.clinic_a.id}/checklist"
    response = client.get(target)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/sign-in?next={target}"
    response = client.submit(response.headers["Location"],
                             {"email": "officer_a@example.test", "password": PASSWORD})
    assert response.headers["Location"] == target
    assert client.get(target).status_code == 200


def test_each_role_lands_on_its_own_start_page(app):
    world = build_world()
    starts = {"officer_a": f"/clinics/{world.clinic_a.id}/", "inspector_a": "/inspect/",
              "admin": "/admin/users", "importer": "/account/password"}
    for name, start in starts.items():
        client = page_client(app)
        assert sign_in(client, world.users[name].email).headers["Location"] == start
        assert client.get("/").headers["Location"] == start


def test_sign_in_refuses_a_wrong_password_without_saying_which_part_was_wrong(app):
    build_world()
    client = page_client(app)
    response = client.submit("/sign-in", {"email": "officer_a@example.test",
                                          "password": "not it"})
    assert response.status_code == 401
    assert "Wrong email or password." in text_of(response)
    assert SessionRecord.select().count() == 0


def test_sign_in_shows_missing_fields_next_to_them(app):
    client = page_client(app)
    response = client.submit("/sign-in", {"email": "", "password": ""})
    assert response.status_code == 422
    assert error_for(response, "email") == "Enter your email address."
    assert error_for(response, "password") == "Enter your password."
    assert LoginAttempt.select().count() == 0


def test_sign_in_is_throttled_after_repeated_failures(app):
    build_world()
    client = page_client(app)
    for _ in range(5):
        client.submit("/sign-in", {"email": "officer_a@example.test", "password": "wrong"})
    response = client.submit("/sign-in", {"email": "officer_a@example.test",
                                          "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts" in text_of(response)


def test_sign_in_without_the_csrf_token_is_refused(app):
    build_world()
    client = page_client(app)
    client.get("/sign-in")
    response = client.post("/sign-in", data={"email": "officer_a@example.test",
                                             "password": PASSWORD})
    assert response.status_code == 400
    assert SessionRecord.select().count() == 0


def test_sign_in_never_redirects_off_the_site(app):
    build_world()
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example",
                   "/%09/evil.example", "/%0a/evil.example", "javascript:alert(1)"):
        client = page_client(app)
        response = client.submit(f"/sign-in?next={target}",
                                 {"email": "officer_a@example.test", "password": PASSWORD})
        assert response.headers["Location"].startswith("/clinics/")


def test_sign_out_ends_the_session_on_the_server(app):
    world = build_world()
    client = page_client(app)
    sign_in(client, world.users["officer_a"].email)
    response = client.submit("/account/password", action="/sign-out")
    assert response.headers["Location"] == "/sign-in"
    assert SessionRecord.select().where(SessionRecord.revoked_at.is_null()).count() == 0
    assert client.get("/account/password").status_code == 302


def test_changing_the_password_signs_out_other_sessions(app):
    world = build_world()
    here, elsewhere = page_client(app), page_client(app)
    for client in (here, elsewhere):
        sign_in(client, world.users["officer_a"].email)
    response = here.submit("/account/password", {"current_password": PASSWORD,
                                                  "new_password": "a brand new passphrase"})
    assert response.status_code == 302
    assert here.get("/account/password").status_code == 200
    assert elsewhere.get("/account/password").status_code == 302
    sign_in(page_client(app), world.users["officer_a"].email, "a brand new passphrase")


def test_a_refused_password_change_says_why_next_to_the_field_and_keeps_the_old_one(app):
    world = build_world()
    client = page_client(app)
    sign_in(client, world.users["officer_a"].email)
    before = User.get_by_id(world.users["officer_a"].id).password_hash
    wrong = client.submit("/account/password", {"current_password": "nope",
                                                "new_password": "a brand new passphrase"})
    assert wrong.status_code == 422
    assert error_for(wrong, "current_password") == "The current password is wrong."
    weak = client.submit("/account/password", {"current_password": PASSWORD,
                                               "new_password": "short"})
    assert weak.status_code == 422
    assert error_for(weak, "new_password")
    assert User.get_by_id(world.users["officer_a"].id).password_hash == before


def test_a_disabled_account_is_signed_out_on_its_next_page(app):
    world = build_world()
    client = page_client(app)
    sign_in(client, world.users["officer_a"].email)
    admin = world.users["admin"]
    accounts.disable_user(world.users["officer_a"], Actor(admin.email, admin.id), reason="left")
    response = client.get(f"/clinics/{world.clinic_a.id}/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_error_pages_are_friendly_and_say_nothing_of_the_inside(app):
    world = build_world()
    client = page_client(app)
    sign_in(client, world.users["officer_a"].email)
    missing = client.get("/clinics/999999/")
    assert missing.status_code == 404
    assert "We could not find that page." in text_of(missing)
    other = client.get(f"/clinics/{world.clinic_b.id}/")
    assert other.status_code == 404 and text_of(other) == text_of(missing)


def test_a_form_token_from_before_signing_in_is_refused_afterwards(app):
    world = build_world()
    client = page_client(app)
    before = client.csrf_token("/sign-in")
    response = client.post("/sign-in", data={"csrf_token": before, "email":
                                             world.users["officer_a"].email, "password": PASSWORD})
    assert response.status_code == 302
    stale = client.post("/sign-out", data={"csrf_token": before})
    assert stale.status_code == 400
    assert client.get("/account/password").status_code == 200


def test_the_password_page_offers_to_revoke_the_api_tokens(app):
    from registry.models import ApiToken
    from registry.services import tokens

    world = build_world()
    user = world.users["officer_a"]
    admin = world.users["admin"]
    tokens.issue(user, "laptop script", ["read"], Actor(admin.email, admin.id))
    client = page_client(app)
    sign_in(client, user.email)
    assert 'name="revoke_tokens"' in client.get("/account/password").get_data(as_text=True)
    response = client.submit("/account/password", {"current_password": PASSWORD,
                                                    "new_password": "a brand new passphrase",
                                                    "revoke_tokens": "y"})
    assert response.status_code == 302
    assert ApiToken.get(ApiToken.user == user.id).revoked_at is not None
