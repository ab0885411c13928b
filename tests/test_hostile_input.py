"""Input no handler can store or compare is refused with the usual error body, never a 500:
deep nesting, huge integers, lone surrogates, NUL, invisible control characters."""

import json

import pytest

from tests.api_world import CsrfClient, build_world, sign_in
from tests.pages import error_for, page_client
from tests.pages import sign_in as page_sign_in

DEEP = "[" * 20000 + "]" * 20000
HUGE = "1" * 5000


@pytest.fixture
def world(app):
    app.test_client_class = CsrfClient
    return build_world()


@pytest.fixture
def officer(app, world):
    client = app.test_client()
    sign_in(client, world.users["officer_a"])
    return client


def usual_error(response, *codes):
    assert response.status_code in codes, (response.status_code, response.get_data()[:300])
    body = response.get_json()
    assert body["code"] == response.status_code and body["message"], body
    return body


def raw_json(client, path, text, method="POST"):
    return client.open(path, method=method, data=text.encode(),
                       headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("text", [
    '{"email": "a@example.test", "password": ' + DEEP + "}",
    '{"email": "a@example.test", "password": ' + HUGE + "}",
    '{"email": "a\\ud800@example.test", "password": "x"}',
    '{"email": "a\\u0000@example.test", "password": "x"}',
    '{"email": "a@example.test", "password": "\\ud800"}',
])
def test_hostile_json_to_sign_in_is_refused_anonymously(app, world, text):
    usual_error(raw_json(app.test_client(), "/api/v1/session", text), 400, 422)


@pytest.mark.parametrize("text", [
    '{"clinic_id": 1, "reference": ' + DEEP + "}",
    '{"clinic_id": ' + HUGE + ', "reference": "R-1"}',
    '{"clinic_id": CLINIC, "reference": "R-\\ud800"}',
    '{"clinic_id": CLINIC, "reference": "R-1", "initials": "\\udfff"}',
    '{"clinic_id": CLINIC, "reference": "R-\\u0000"}',
])
def test_hostile_json_to_a_record_is_refused(officer, world, text):
    text = text.replace("CLINIC", str(world.clinic_a.id))
    usual_error(raw_json(officer, "/api/v1/clients", text), 400, 422)


def test_a_lone_surrogate_in_a_change_is_refused(officer, world):
    text = json.dumps({"city": "Salem", "reason": "moved"}).replace("Salem", "\\ud800")
    usual_error(raw_json(officer, f"/api/v1/clinics/{world.clinic_a.id}", text, "PATCH"),
                400, 422)


def test_nul_in_the_sign_in_form_is_refused(app, world):
    client = page_client(app)
    response = client.submit("/sign-in", {"email": "officer_a@example.test\x00",
                                          "password": "x"})
    assert response.status_code in (400, 422)


def test_nul_in_the_admin_user_search_is_refused(app, world):
    client = page_client(app)
    page_sign_in(client, world.users["admin"].email)
    assert client.get("/admin/users?q=a%00b").status_code in (400, 422)
    usual_error(app.test_client().get("/api/v1/recalls?firm=%00",
                                      headers={"Authorization": f"Bearer {world.admin_token}"}),
                400, 422)


@pytest.mark.parametrize("field,value", [
    ("reference", "INV-\u202e1-GPJ"),     # right-to-left override
    ("reference", "R\u200b-1"),           # zero-width space
    ("reference", "R-1\n"),               # a single-line field takes no newline
    ("reference", "R\t1"),
    ("initials", "A\x1bB"),
])
def test_invisible_control_characters_are_refused_naming_the_field(officer, world, field,
                                                                   value):
    body = {"clinic_id": world.clinic_a.id, "reference": "R-ok", field: value}
    errors = usual_error(officer.post("/api/v1/clients", json=body), 422)["errors"]["json"]
    assert list(errors) == [field]
    assert "invisible" in errors[field][0]


@pytest.mark.parametrize("address", ["1 Main St\u2066hidden\u2069", "Bell\x07"])
def test_free_text_refuses_invisible_characters_too(officer, world, address):
    response = officer.patch(f"/api/v1/clinics/{world.clinic_a.id}",
                             json={"address": address, "reason": "moved"})
    errors = usual_error(response, 422)["errors"]["json"]
    assert list(errors) == ["address"] and "invisible" in errors["address"][0]


def test_free_text_keeps_its_newlines_and_tabs(officer, world):
    address = "Suite 2,\r\n1 Main St\tBack door"
    response = officer.patch(f"/api/v1/clinics/{world.clinic_a.id}",
                             json={"address": address, "reason": "moved"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["address"] == address


def test_a_page_form_refuses_a_bidirectional_override_next_to_the_field(app, world):
    client = page_client(app)
    page_sign_in(client, world.users["officer_a"].email)
    url = f"/clinics/{world.clinic_a.id}/profile"
    response = client.submit(url, {"name": "Ink \u202eoS", "reason": "typo",
                                   "timezone": "America/Los_Angeles"})
    assert response.status_code == 422
    assert "invisible" in error_for(response, "name")
