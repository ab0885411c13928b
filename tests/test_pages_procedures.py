"""The procedure log and client pages: procedures recorded with their lots, refused when unsafe."""

from datetime import date

from registry.models import Client, PigmentLot, Procedure, ProcedureLot
from registry.pages import procedures as procedure_pages
from tests.api_world import build_world
from tests.factories import hold_lot, make_practitioner
from tests.pages import error_for, page_client, sign_in, text_of


def signed_in_as(app, who="officer_a"):
    world = build_world()
    client = page_client(app)
    sign_in(client, world.users[who].email)
    return world, client


def procedure_form(world, **changes) -> dict:
    ids = world.ids
    return {"practitioner_id": ids["practitioner_id"], "client_id": ids["client_id"],
            "performed_on": "2025-07-01", "discipline": "pmu", "body_area": "eyebrows",
            "session_number": "2", "consent_on_file": "y", "aftercare_given": "y",
            "lot_ids": [str(ids["lot_id"])], **changes}


def new_url(world) -> str:
    return f"/clinics/{world.ids['clinic_id']}/procedures/new"


def test_a_procedure_is_recorded_with_its_lots_and_listed_first(app):
    world, client = signed_in_as(app)
    lot = PigmentLot.get_by_id(world.ids["lot_id"])
    before = Procedure.select().count()
    response = client.submit(new_url(world), procedure_form(world))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/clinics/{world.ids['clinic_id']}/procedures")
    procedure = Procedure.select().order_by(Procedure.id.desc()).first()
    assert Procedure.select().count() == before + 1
    assert (procedure.body_area, procedure.session_number, procedure.consent_on_file) == (
        "eyebrows", 2, True)
    assert [use.lot_id for use in procedure.lot_uses] == [lot.id]
    page = client.get(response.headers["Location"])
    text = text_of(page)
    assert "The procedure of 2025-07-01 is recorded." in text
    assert text.index("2025-07-01") < text.index("2025-06-01")
    assert "eyebrows" in text and f"lot {lot.lot_number}" in text
    assert "Permanent makeup" in text


def test_a_recalled_lot_is_refused_next_to_the_lots(app):
    world, client = signed_in_as(app)
    lot = PigmentLot.get_by_id(world.ids["lot_id"])
    hold_lot(lot, date(2025, 6, 15), recall_number="C-0101-2025")
    before = (Procedure.select().count(), ProcedureLot.select().count())
    form = client.get(new_url(world))
    assert f"lot {lot.lot_number} — recalled" in text_of(form)
    response = client.submit(new_url(world), procedure_form(world))
    assert response.status_code == 422
    message = error_for(response, "lot_ids")
    assert lot.lot_number in message and "recalled" in message
    assert "Nothing was saved" in text_of(response)
    assert (Procedure.select().count(), ProcedureLot.select().count()) == before


def test_a_practitioner_short_of_credentials_is_refused(app):
    world, client = signed_in_as(app)
    novice = make_practitioner(world.clinic_a, credentialed=False)
    before = Procedure.select().count()
    response = client.submit(new_url(world), procedure_form(world, practitioner_id=novice.id))
    assert response.status_code == 422
    assert error_for(response, "practitioner_id")
    assert error_for(response, "lot_ids") is None
    assert Procedure.select().count() == before


def test_a_procedure_needs_a_body_area(app):
    world, client = signed_in_as(app)
    before = Procedure.select().count()
    response = client.submit(new_url(world), procedure_form(world, body_area="  "))
    assert response.status_code == 422
    assert error_for(response, "body_area") == "Enter the body area."
    assert Procedure.select().count() == before


def test_the_log_is_split_into_pages(app, monkeypatch):
    world, client = signed_in_as(app)
    client.submit(new_url(world), procedure_form(world))
    monkeypatch.setattr(procedure_pages, "PAGE_SIZE", 1)
    url = f"/clinics/{world.ids['clinic_id']}/procedures"
    first, second = text_of(client.get(url)), text_of(client.get(url + "?page=2"))
    assert "2025-07-01" in first and "2025-06-01" not in first
    assert "Page 1 of 2" in first and "Next page" in first
    assert "2025-06-01" in second and "Previous page" in second


def test_a_client_is_added_and_listed(app):
    world, client = signed_in_as(app)
    url = f"/clinics/{world.ids['clinic_id']}/clients/new"
    response = client.submit(url, {"reference": "C-NEW-1", "initials": "AB",
                                   "birth_date": "1990-02-03", "sex": "female"})
    assert response.status_code == 302
    added = Client.get(Client.reference == "C-NEW-1")
    assert (added.clinic_id, added.initials, added.birth_date, added.sex) == (
        world.ids["clinic_id"], "AB", date(1990, 2, 3), "female")
    listed = text_of(client.get(response.headers["Location"]))
    assert "Client C-NEW-1 is added." in listed and "1990-02-03" in listed


def test_a_client_added_from_the_procedure_form_is_chosen_there(app):
    world, client = signed_in_as(app)
    url = f"/clinics/{world.ids['clinic_id']}/clients/new?then=procedure"
    response = client.submit(url, {"reference": "C-NEW-2"})
    added = Client.get(Client.reference == "C-NEW-2")
    assert f"/procedures/new?client_id={added.id}" in response.headers["Location"]
    form = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'<option selected value="{added.id}">C-NEW-2</option>' in form


def test_a_client_needs_a_new_reference(app):
    world, client = signed_in_as(app)
    url = f"/clinics/{world.ids['clinic_id']}/clients/new"
    taken = Client.get_by_id(world.ids["client_id"]).reference
    before = Client.select().count()
    response = client.submit(url, {"reference": taken})
    assert response.status_code == 422
    assert "already has a client with this reference" in error_for(response, "reference")
    response = client.submit(url, {"reference": "", "initials": "ABCDEFGHIJ"})
    assert response.status_code == 422
    assert error_for(response, "reference") == "Enter the clinic's reference."
    assert Client.select().count() == before


def test_a_form_without_its_token_is_refused(app):
    world, client = signed_in_as(app)
    before = (Procedure.select().count(), Client.select().count())
    assert client.post(new_url(world), data=procedure_form(world)).status_code == 400
    response = client.post(f"/clinics/{world.ids['clinic_id']}/clients/new",
                           data={"reference": "C-NO-TOKEN"})
    assert response.status_code == 400
    assert (Procedure.select().count(), Client.select().count()) == before


def test_an_inspector_reads_the_log_but_records_nothing(app):
    world, client = signed_in_as(app, "inspector_a")
    clinic_id = world.ids["clinic_id"]
    page = client.get(f"/clinics/{clinic_id}/procedures")
    assert page.status_code == 200
    assert "scalp" in text_of(page) and "Record a procedure" not in text_of(page)
    assert client.get(f"/clinics/{clinic_id}/clients").status_code == 200
    assert client.get(new_url(world)).status_code == 403
    token = client.csrf_token("/account/password")
    before = Procedure.select().count()
    response = client.post(new_url(world), data={"csrf_token": token, **procedure_form(world)})
    assert response.status_code == 403
    assert Procedure.select().count() == before


def test_another_clinics_officer_finds_nothing(app):
    world, client = signed_in_as(app, "officer_b")
    clinic_id = world.ids["clinic_id"]
    for url in (f"/clinics/{clinic_id}/procedures", new_url(world),
                f"/clinics/{clinic_id}/clients", f"/clinics/{clinic_id}/clients/new"):
        assert client.get(url).status_code == 404, url
