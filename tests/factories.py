"""Small builders for test records, all made through the services (so all are audited)."""

from datetime import date, datetime, time, timedelta
from itertools import count

from registry import clock
from registry.models import Recall
from registry.services import (
    clinics,
    holds,
    pigments,
    practitioners,
    procedures,
    reactions,
    recalls,
)
from registry.services.audit import Actor

ACTOR = Actor(label="tester@example.test", user_id=None)
_serial = count(1)


def make_clinic(state="OR", **fields):
    return clinics.create_clinic({"name": f"Clinic {next(_serial)}", "state": state, **fields},
                                 ACTOR)


def make_practitioner(clinic, starts_on=date(2020, 1, 1), credentialed=True):
    """A practitioner at the clinic; credentialed: a licence in the clinic's state and current
    training, valid through the 2020s, so procedures pass the credential gate."""
    n = next(_serial)
    person = practitioners.create_practitioner(
        {"first_name": "Pat", "last_name": f"Artist{n}"}, ACTOR, clinic_id=clinic.id)
    practitioners.affiliate({"practitioner_id": person.id, "clinic_id": clinic.id,
                             "starts_on": starts_on}, ACTOR)
    if credentialed:
        for kind, state in (("practitioner_license", clinic.state), ("first_aid_cpr", None)):
            practitioners.add_credential({
                "practitioner_id": person.id, "kind": kind, "issuer": "Issuer", "state": state,
                "issued_on": "2020-01-01", "expires_on": "2030-12-31"}, ACTOR)
        for year in range(2020, 2031):
            practitioners.add_credential({
                "practitioner_id": person.id, "kind": "bloodborne_pathogens_training",
                "issuer": "Red Cross", "issued_on": f"{year}-01-01"}, ACTOR)
    return person


def make_product(name=None):
    n = next(_serial)
    maker = pigments.create_manufacturer({"name": f"Maker {n}"}, ACTOR)
    return pigments.create_product({
        "manufacturer_id": maker.id, "brand": "Brand", "name": name or f"Ink {n}",
        "colorants": [{"name": "Carbon black", "ci_number": "77266", "cas_number": "1333-86-4"}],
    }, ACTOR)


def make_shaded_product(name, shade, brand="Velvet"):
    """A product with a brand and shade, from a manufacturer of its own."""
    maker = pigments.create_manufacturer({"name": f"Maker of {name}"}, ACTOR)
    return pigments.create_product({"manufacturer_id": maker.id, "brand": brand, "name": name,
                                    "shade": shade}, ACTOR)


def make_lot(clinic, product=None, received_on=date(2024, 1, 1), expires_in_days=3650, **fields):
    product = product or make_product()
    return pigments.receive_lot({
        "product_id": product.id, "clinic_id": clinic.id, "lot_number": f"LOT-{next(_serial)}",
        "received_on": received_on, "expires_on": received_on + timedelta(days=expires_in_days),
        **fields,
    }, ACTOR)


def make_client(clinic, **fields):
    return procedures.create_client(
        {"clinic_id": clinic.id, "reference": f"C-{next(_serial):05d}", **fields}, ACTOR)


def treat(clinic, lot, count, reaction_days=(), *, serious=0, practitioner=None):
    """count procedures with the lot, each for a new client; the first len(reaction_days) are
    followed by a reaction the clinic learned of that day (the first `serious` of them
    serious), with the lot as suspect."""
    person = practitioner or make_practitioner(clinic)
    reaction_days = list(reaction_days)
    for index in range(count):
        client = make_client(clinic)
        procedure = procedures.record_procedure({
            "clinic_id": clinic.id, "practitioner_id": person.id, "client_id": client.id,
            "performed_on": "2025-01-06", "body_area": "lips", "consent_on_file": True,
            "lot_ids": [lot.id]}, ACTOR)
        if index < len(reaction_days):
            reactions.report_reaction({
                "clinic_id": clinic.id, "client_id": client.id, "procedure_id": procedure.id,
                "event_on": reaction_days[index], "aware_on": reaction_days[index],
                "description": "Itchy swelling along the lip line.", "lot_ids": [lot.id],
                "outcome_intervention_required": index < serious}, ACTOR)


def make_recall(recall_number: str, initiated: date | None = None, **fields) -> Recall:
    """An FDA recall record (found by number when it is already on record)."""
    found = Recall.get_or_none(Recall.recall_number == recall_number)
    if found is not None:
        return found
    return recalls.create_recall({
        "recall_number": recall_number, "recalling_firm": fields.pop("firm", "Test Inks LLC"),
        "product_description": fields.pop("description", "Tattoo ink"), "status": "Ongoing",
        "recall_initiation_date": initiated, **fields}, ACTOR)


def hold_lot(lot, on: date, kind: str = "recall", recall_number: str | None = None,
             *, placed_on: date | None = None, reason: str = "Held in a test."):
    """A hold from a day, placed (with the clock stopped) on placed_on, by default that day:
    as if the registry had learned of it then."""
    recall = make_recall(recall_number, on) if recall_number else None
    if kind == "recall" and recall is None:
        recall = make_recall(f"F-{next(_serial):04d}-2025", on)
    with clock.frozen(datetime.combine(placed_on or on, time(12))):
        return holds.place(lot, kind, on, reason, ACTOR, recall=recall)
