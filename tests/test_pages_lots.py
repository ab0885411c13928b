"""The pigment lot pages: receiving, opening, setting aside and disposing of lots, and adding
products to the catalogue, with every refusal shown next to its field."""

import re
from datetime import date

import pytest

from registry.clock import today
from registry.models import (
    Colorant,
    LotStatusChange,
    Manufacturer,
    PigmentLot,
    PigmentProduct,
    RecallMatch,
)
from registry.services import pigments
from tests.api_world import build_world
from tests.factories import ACTOR, hold_lot, make_lot
from tests.pages import error_for, page_client, sign_in, text_of


@pytest.fixture
def world(app):
    return build_world()


def client_as(app, world, name="officer_a"):
    client = page_client(app)
    sign_in(client, world.users[name].email)
    return client


def lots_url(world, *rest) -> str:
    return "/".join([f"/clinics/{world.clinic_a.id}/lots", *map(str, rest)])


def row_of(response, lot_number: str) -> str:
    """The table row (with its opening tag) that shows the lot."""
    for row in re.findall(r"<tr\b.*?</tr>", response.get_data(as_text=True), flags=re.S):
        if f">{lot_number}</a>" in row:
            return row
    raise AssertionError(f"lot {lot_number} is not listed")


def receive_input(world, **changes) -> dict:
    return {"product_id": str(world.ids["pigment_id"]), "lot_number": "NEW-7",
            "received_on": "2025-01-02", "manufactured_on": "2024-06-01",
            "expires_on": "2027-06-01", "sds_reference": "SDS binder p. 4", **changes}


def test_a_received_lot_is_listed(app, world):
    client = client_as(app, world)
    before = PigmentLot.select().count()
    response = client.submit(lots_url(world, "receive"), receive_input(world))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(lots_url(world))
    assert PigmentLot.select().count() == before + 1
    page = client.get(lots_url(world))
    assert "Lot NEW-7 is received." in text_of(page)
    row = row_of(page, "NEW-7")
    assert "2025-01-02" in row and "2027-06-01" in row and "stands-out" not in row
    assert "Mark opened" in row


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"expires_on": "2024-01-01"}, "expires_on", "Expires before it was made."),
    ({"lot_number": " "}, "lot_number", "Enter the lot number."),
    ({"product_id": ""}, "product_id", "Choose the product."),
    ({"received_on": "yesterday"}, "received_on", "Not a valid date value."),
])
def test_receiving_refuses_bad_input_next_to_the_field(app, world, changes, field, message):
    client = client_as(app, world)
    before = PigmentLot.select().count()
    response = client.submit(lots_url(world, "receive"), receive_input(world, **changes))
    assert response.status_code == 422
    assert error_for(response, field) == message
    assert "Nothing was saved" in text_of(response)
    assert PigmentLot.select().count() == before


def test_a_lot_number_already_held_is_refused(app, world):
    client = client_as(app, world)
    held = PigmentLot.get_by_id(world.ids["lot_id"])
    before = PigmentLot.select().count()
    response = client.submit(lots_url(world, "receive"),
                             receive_input(world, lot_number=held.lot_number))
    assert response.status_code == 422
    assert error_for(response, "lot_number") == \
        "The clinic already holds a lot of this product with this number."
    assert PigmentLot.select().count() == before


def test_a_form_without_its_csrf_token_saves_nothing(app, world):
    client = client_as(app, world)
    before = PigmentLot.select().count()
    response = client.post(lots_url(world, "receive"), data=receive_input(world))
    assert response.status_code == 400
    assert PigmentLot.select().count() == before


def test_mark_opened(app, world):
    client = client_as(app, world)
    lot_id = world.step_lots["open"]
    response = client.submit(lots_url(world), action=lots_url(world, lot_id, "open"),
                             follow_redirects=True)
    lot = PigmentLot.get_by_id(lot_id)
    assert (lot.status, lot.opened_on) == ("in_use", today())
    assert f"Lot {lot.lot_number} is marked opened." in text_of(response)
    assert response.request.path == lots_url(world, lot_id)


def test_opening_a_disposed_lot_is_refused_on_the_lot_page(app, world):
    client = client_as(app, world)
    lot = PigmentLot.get_by_id(world.step_lots["open"])
    pigments.change_lot_status(lot, {"status": "disposed", "effective_on": "2024-02-01",
                                     "reason": "Spilled."}, ACTOR)
    changes = LotStatusChange.select().count()
    response = client.submit(lots_url(world), action=lots_url(world, lot.id, "open"),
                             follow_redirects=True)
    assert "A lot that is disposed cannot become in use." in text_of(response)
    assert PigmentLot.get_by_id(lot.id).status == "disposed"
    assert LotStatusChange.select().count() == changes
    assert "Mark opened" not in response.get_data(as_text=True)


def test_quarantine_needs_a_reason(app, world):
    client = client_as(app, world)
    lot_id = world.step_lots["quarantine"]
    changes = LotStatusChange.select().count()
    response = client.submit(lots_url(world, lot_id, "quarantine"), {"reason": "  "})
    assert response.status_code == 422
    assert error_for(response, "reason") == "Say why the lot is set aside."
    assert PigmentLot.get_by_id(lot_id).status == "received"
    assert LotStatusChange.select().count() == changes


def test_quarantine_from_before_the_lot_arrived_is_refused(app, world):
    client = client_as(app, world)
    lot_id = world.step_lots["quarantine"]
    response = client.submit(lots_url(world, lot_id, "quarantine"),
                             {"reason": "Cloudy.", "effective_on": "2023-12-01"})
    assert response.status_code == 422
    assert error_for(response, "effective_on") == "Before the lot was received."
    assert PigmentLot.get_by_id(lot_id).status == "received"


def test_quarantine_then_listed_as_standing_out(app, world):
    client = client_as(app, world)
    lot_id = world.step_lots["quarantine"]
    response = client.submit(lots_url(world, lot_id, "quarantine"),
                             {"reason": "Cloudy.", "effective_on": "2025-03-01"},
                             follow_redirects=True)
    lot = PigmentLot.get_by_id(lot_id)
    assert lot.status == "quarantined"
    assert f"Lot {lot.lot_number} is quarantined: it cannot be used until the hold is " \
        "released." in text_of(response)
    assert "Cloudy." in text_of(response)  # the holds
    assert "Mark opened" not in text_of(response) and "Release hold" in text_of(response)
    row = row_of(client.get(lots_url(world)), lot.lot_number)
    assert 'class="stands-out"' in row and "quarantined" in row
    filtered = client.get(lots_url(world) + "?status=quarantined")
    assert lot.lot_number in text_of(filtered)
    assert PigmentLot.get_by_id(world.ids["lot_id"]).lot_number not in text_of(filtered)


def test_dispose_hides_the_lot_unless_asked(app, world):
    client = client_as(app, world)
    lot = PigmentLot.get_by_id(world.step_lots["dispose"])
    response = client.submit(lots_url(world, lot.id, "dispose"),
                             {"reason": "Past its date.", "effective_on": "2025-04-01"})
    assert response.status_code == 302
    assert PigmentLot.get_by_id(lot.id).status == "disposed"
    assert f">{lot.lot_number}</a>" not in client.get(lots_url(world)).get_data(as_text=True)
    shown = client.get(lots_url(world) + "?show_disposed=y")
    assert "disposed" in row_of(shown, lot.lot_number)


def test_a_disposed_lot_cannot_be_disposed_again(app, world):
    client = client_as(app, world)
    lot = PigmentLot.get_by_id(world.step_lots["dispose"])
    pigments.change_lot_status(lot, {"status": "disposed", "effective_on": "2025-04-01",
                                     "reason": "Spilled."}, ACTOR)
    page = client.get(lots_url(world, lot.id, "dispose"))
    assert 'id="reason"' not in page.get_data(as_text=True)
    response = client.submit(lots_url(world, lot.id, "dispose"),
                             {"reason": "Again.", "effective_on": "2025-05-01"})
    assert response.status_code == 422
    assert "A lot that is disposed cannot become disposed." in text_of(response)
    assert LotStatusChange.select().where(LotStatusChange.lot == lot.id).count() == 2


def test_an_expired_lot_stands_out(app, world):
    client = client_as(app, world)
    lot = make_lot(world.clinic_a, received_on=date(2020, 1, 1), expires_in_days=30)
    row = row_of(client.get(lots_url(world)), lot.lot_number)
    assert 'class="stands-out"' in row
    assert ">expired<" in row and ">received<" in row


def test_a_recalled_lot_stands_out_and_shows_its_recall(app, world):
    client = client_as(app, world)
    lot = PigmentLot.get_by_id(world.ids["lot_id"])
    hold_lot(lot, date(2025, 7, 1), recall_number="C-0101-2025")
    RecallMatch.create(recall=world.ids["recall_id"], lot=lot, rule="lot_number",
                       matched_text=lot.lot_number)
    row = row_of(client.get(lots_url(world)), lot.lot_number)
    assert 'class="stands-out"' in row and ">recalled<" in row
    assert "Mark opened" not in row and "Quarantine" not in row and "Dispose" in row
    page = text_of(client.get(lots_url(world, lot.id)))
    assert "C-0101-2025" in page and "Maker Inc." in page
    assert "2025-06-01 scalp" in page  # the procedure that used it


def test_an_inspector_of_the_state_reads_but_cannot_change(app, world):
    client = client_as(app, world, "inspector_a")
    lot_id = world.step_lots["open"]
    listing = client.get(lots_url(world))
    assert listing.status_code == 200
    assert "Mark opened" not in listing.get_data(as_text=True)
    assert "Receive a lot" not in text_of(listing)
    assert client.get(lots_url(world, lot_id)).status_code == 200
    assert client.get(lots_url(world, "receive")).status_code == 403
    opened = client.submit(lots_url(world), action=lots_url(world, lot_id, "open"))
    assert opened.status_code == 403
    assert PigmentLot.get_by_id(lot_id).status == "received"


def test_an_officer_of_another_clinic_gets_not_found(app, world):
    client = client_as(app, world, "officer_b")
    lot_id = world.step_lots["open"]
    assert client.get(lots_url(world)).status_code == 404
    assert client.get(lots_url(world, lot_id)).status_code == 404
    # Through their own clinic's address, clinic A's lot is not theirs either.
    own = f"/clinics/{world.clinic_b.id}/lots"
    assert client.submit(own, action=f"{own}/{lot_id}/open").status_code == 404
    assert client.get(f"{own}/{lot_id}/dispose").status_code == 404
    assert PigmentLot.get_by_id(lot_id).status == "received"


def product_url(world) -> str:
    return f"/clinics/{world.clinic_a.id}/products/new"


def catalogue_counts() -> tuple[int, int, int]:
    return (Manufacturer.select().count(), PigmentProduct.select().count(),
            Colorant.select().count())


def test_add_a_product_with_a_new_manufacturer_then_receive_it(app, world):
    client = client_as(app, world)
    before = catalogue_counts()
    response = client.submit(product_url(world), {
        "manufacturer_name": "Dermal Colour Co.", "brand": "Tru", "name": "Scalp Black",
        "shade": "Dark", "colorant_name": "Carbon black", "ci_number": "77266",
        "cas_number": "1333-86-4"}, follow_redirects=True)
    assert response.status_code == 200
    assert catalogue_counts() == tuple(n + 1 for n in before)
    product = PigmentProduct.get(PigmentProduct.name == "Scalp Black")
    assert product.colorants.get().ci_number == "CI 77266"
    assert "Tru Scalp Black is added to the catalogue." in text_of(response)
    html = response.get_data(as_text=True)
    assert re.search(rf'<option selected value="{product.id}">Tru Scalp Black \(Dark\) — '
                     r'Dermal Colour Co\.</option>', html)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"cas_number": "1333-86-5"}, "cas_number", "CAS number check digit does not match."),
    ({"ci_number": "77266", "colorant_name": ""}, "colorant_name",
     "Missing data for required field."),
    ({"brand": ""}, "brand", "Enter the brand."),
    ({"manufacturer_name": ""}, "manufacturer_id", "Choose the manufacturer, or name a new one."),
])
def test_adding_a_product_is_all_or_nothing(app, world, changes, field, message):
    client = client_as(app, world)
    before = catalogue_counts()
    response = client.submit(product_url(world), {
        "manufacturer_name": "Dermal Colour Co.", "brand": "Tru", "name": "Scalp Black",
        "colorant_name": "Carbon black", "cas_number": "1333-86-4", **changes})
    assert response.status_code == 422
    assert error_for(response, field) == message
    assert catalogue_counts() == before


def test_a_manufacturer_already_in_the_catalogue_is_chosen_not_named(app, world):
    client = client_as(app, world)
    known = Manufacturer.get_by_id(world.ids["manufacturer_id"])
    before = catalogue_counts()
    response = client.submit(product_url(world), {
        "manufacturer_name": known.name, "brand": "Tru", "name": "Scalp Black"})
    assert response.status_code == 422
    assert error_for(response, "manufacturer_name") == \
        "This manufacturer is in the catalogue: choose it from the list."
    assert catalogue_counts() == before
    chosen = client.submit(product_url(world), {
        "manufacturer_id": str(known.id), "brand": "Tru", "name": "Scalp Black"})
    assert chosen.status_code == 302
    assert PigmentProduct.get(PigmentProduct.name == "Scalp Black").manufacturer_id == known.id
