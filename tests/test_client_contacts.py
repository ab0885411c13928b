"""Clients' initials and contact details leave the registry for the clinic's officers alone."""

import pytest

from registry.auth.tenancy import HIDDEN
from registry.models.clients import CONTACT_FIELDS
from tests.api_world import CONTACTS, build_world, client_for
from tests.pages import page_client, sign_in

OUTSIDERS = ("inspector_a", "admin")


@pytest.fixture
def world(app):
    return build_world()


def _client_routes(world):
    client_id, clinic_id = world.ids["client_id"], world.ids["clinic_id"]
    return {"list": f"/api/v1/clients?clinic_id={clinic_id}",
            "one": f"/api/v1/clients/{client_id}"}


def _contacts(record: dict) -> dict:
    return {name: record[name] for name in CONTACT_FIELDS}


def _client_events(api, world) -> list[dict]:
    response = api.get(f"/api/v1/clinics/{world.ids['clinic_id']}/audit-events?entity=client"
                       f"&entity_id={world.ids['client_id']}")
    assert response.status_code == 200
    return response.get_json()


def test_the_clinics_officer_reads_a_clients_contacts(app, world):
    api = client_for(app, world, "officer_a")
    listed = api.get(_client_routes(world)["list"]).get_json()
    assert [_contacts(row) for row in listed] == [CONTACTS]
    assert _contacts(api.get(_client_routes(world)["one"]).get_json()) == CONTACTS
    created = _client_events(api, world)[0]["changes"]
    assert {name: created[name][1] for name in CONTACT_FIELDS} == CONTACTS


@pytest.mark.parametrize("principal", OUTSIDERS)
def test_others_read_a_client_without_contacts(app, world, principal):
    api = client_for(app, world, principal)
    listed = api.get(_client_routes(world)["list"]).get_json()
    assert [row["reference"] for row in listed] and \
        all(_contacts(row) == dict.fromkeys(CONTACT_FIELDS) for row in listed)
    one = api.get(_client_routes(world)["one"]).get_json()
    assert one["id"] == world.ids["client_id"]
    assert _contacts(one) == dict.fromkeys(CONTACT_FIELDS)


@pytest.mark.parametrize("principal", OUTSIDERS)
def test_others_read_a_clients_audit_events_without_contacts(app, world, principal):
    api = client_for(app, world, "officer_a")
    assert api.patch(_client_routes(world)["one"], json={
        "email": "new.address@clinic-a.test", "reason": "moved"}).status_code == 200
    api = client_for(app, world, principal)
    created, updated = _client_events(api, world)
    assert {name: created["changes"][name] for name in CONTACT_FIELDS} == \
        dict.fromkeys(CONTACT_FIELDS, [HIDDEN, HIDDEN])
    assert created["changes"]["reference"][1].startswith("C-")
    assert updated["changes"] == {"email": [HIDDEN, HIDDEN]}


def test_an_administrator_adding_a_client_does_not_read_its_contacts_back(app, world):
    api = client_for(app, world, "admin")
    response = api.post("/api/v1/clients", json={
        "clinic_id": world.ids["clinic_id"], "reference": "C-ADMIN-1",
        "email": "added@clinic-a.test"})
    assert response.status_code == 201
    assert response.get_json()["email"] is None
    officer = client_for(app, world, "officer_a")
    added = officer.get(f"/api/v1/clients/{response.get_json()['id']}").get_json()
    assert added["email"] == "added@clinic-a.test"


@pytest.mark.parametrize(("principal", "shown"), [
    ("officer_a", True), ("inspector_a", False), ("admin", False)])
def test_the_clients_page_shows_initials_to_the_clinics_officers_alone(app, world, principal,
                                                                       shown):
    browser = page_client(app)
    sign_in(browser, world.users[principal].email)
    response = browser.get(f"/clinics/{world.ids['clinic_id']}/clients")
    assert response.status_code == 200
    assert (CONTACTS["initials"] in response.get_data(as_text=True)) is shown
