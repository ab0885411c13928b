"""A recalled ink that reached clients of both clinics of the API world, for the recall pages,
the API and the command line."""

from dataclasses import dataclass

from registry.services import procedures, recalls
from tests.api_world import World, build_world
from tests.factories import ACTOR, make_client, make_lot, make_practitioner, make_product

# A spreadsheet would run these as formulas if they were written out as they are.
FORMULA_INITIALS = "=SUM(A1)"
FORMULA_PHONE = "+1 503 555 0100"


@dataclass
class RecallWorld:
    world: World
    recall: object
    only_b: object
    unused: object
    lot_a: object
    lot_b: object
    clients_a: list
    client_b: object


def _procedure(clinic, person, client, lot, day):
    return procedures.record_procedure({
        "clinic_id": clinic.id, "practitioner_id": person.id, "client_id": client.id,
        "performed_on": day, "body_area": "eyebrows", "lot_ids": [lot.id]}, ACTOR)


def build_recall_world() -> RecallWorld:
    """Clinic A (OR): two clients with lot B-77 of Onyx; clinic B (TX): one client with its own
    lot B-77. Recall F-0777-2025 names lot B-77; F-0888-2025 matched clinic B's lot alone;
    F-0999-2025 matched clinic A's lot, but no procedure used it."""
    world = build_world()
    a, b = world.clinic_a, world.clinic_b
    product = make_product("Onyx")
    lot_a = make_lot(a, product, lot_number="B-77")
    lot_b = make_lot(b, product, lot_number="B-77")
    spare = make_lot(a, product, lot_number="B-99")
    ann = make_client(a, initials=FORMULA_INITIALS, email="ann@clinic-a.test",
                      phone=FORMULA_PHONE)
    bea = make_client(a, initials="BE", email="bea@clinic-a.test", phone="503 555 0101")
    cal = make_client(b, initials="CL", email="cal@clinic-b.test", phone="512 555 0102")
    person_a, person_b = make_practitioner(a), make_practitioner(b)
    _procedure(a, person_a, ann, lot_a, "2025-03-01")
    _procedure(a, person_a, ann, lot_a, "2025-04-01")
    _procedure(a, person_a, bea, lot_a, "2025-03-15")
    _procedure(b, person_b, cal, lot_b, "2025-02-01")
    recall = recalls.create_recall({
        "recall_number": "F-0777-2025", "recalling_firm": "Onyx Inks LLC",
        "product_description": "Onyx tattoo ink, black", "code_info": "Lot B-77",
        "reason_for_recall": "Microbial contamination", "classification": "Class II",
        "status": "Ongoing", "report_date": "2025-05-07"}, ACTOR)
    for lot in (lot_a, lot_b):
        recalls.match_lot(recall, lot, "lot code", "Lot B-77", ACTOR)
    only_b = recalls.create_recall({
        "recall_number": "F-0888-2025", "recalling_firm": "Onyx Inks LLC",
        "product_description": "Onyx tattoo ink", "report_date": "2025-05-01"}, ACTOR)
    recalls.match_lot(only_b, lot_b, "lot code", "Lot B-77", ACTOR)
    unused = recalls.create_recall({
        "recall_number": "F-0999-2025", "recalling_firm": "Onyx Inks LLC",
        "product_description": "Onyx tattoo ink", "report_date": "2025-04-01"}, ACTOR)
    recalls.match_lot(unused, spare, "lot code", "Lot B-99", ACTOR)
    return RecallWorld(world, recall, only_b, unused, lot_a, lot_b, [ann, bea], cal)
