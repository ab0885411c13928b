"""Naming another clinic's record gets the same answer as naming one that does not exist (the
id sent may be echoed back): no message tells a caller that a record is there, or whose it is."""

import re
from datetime import date

import pytest

from registry.services import procedures
from tests.api_world import CsrfClient, build_world, sign_in
from tests.factories import ACTOR, make_client, make_lot, make_practitioner

MISSING = 99999


@pytest.fixture
def world(app):
    app.test_client_class = CsrfClient
    world = build_world()
    clinic = world.clinic_b
    practitioner, client, lot = (make_practitioner(clinic), make_client(clinic),
                                 make_lot(clinic))
    procedure = procedures.record_procedure({
        "clinic_id": clinic.id, "practitioner_id": practitioner.id, "client_id": client.id,
        "performed_on": date(2025, 6, 1), "body_area": "scalp", "lot_ids": [lot.id]}, ACTOR)
    world.foreign = {"clinic_id": clinic.id, "practitioner_id": practitioner.id,
                     "client_id": client.id, "lot_id": lot.id, "procedure_id": procedure.id}
    return world


def procedure(ids):
    return "/api/v1/procedures", {
        "clinic_id": ids["clinic_id"], "practitioner_id": ids["practitioner_id"],
        "client_id": ids["client_id"], "performed_on": "2025-06-02", "body_area": "arm",
        "lot_ids": [ids["lot_id"]]}


def reaction(ids):
    return "/api/v1/adverse-reactions", {
        "clinic_id": ids["clinic_id"], "client_id": ids["client_id"],
        "procedure_id": ids["procedure_id"], "event_on": "2025-06-03",
        "aware_on": "2025-06-04", "description": "Redness.", "lot_ids": [ids["lot_id"]]}


def client(ids):
    return "/api/v1/clients", {"clinic_id": ids["clinic_id"], "reference": "NEW-1"}


def lot(ids):
    return "/api/v1/lots", {"clinic_id": ids["clinic_id"], "product_id": ids["pigment_id"],
                            "lot_number": "NEW-LOT", "received_on": "2025-01-01",
                            "expires_on": "2029-01-01"}


def practitioner(ids):
    return "/api/v1/practitioners", {"clinic_id": ids["clinic_id"], "first_name": "Sam",
                                     "last_name": "New", "starts_on": "2025-01-01"}


def credential(ids):
    return "/api/v1/credentials", {"practitioner_id": ids["practitioner_id"],
                                   "kind": "first_aid_cpr", "issuer": "Red Cross"}


CASES = [
    (procedure, "client_id"), (procedure, "practitioner_id"), (procedure, "lot_id"),
    (procedure, "clinic_id"), (reaction, "client_id"), (reaction, "procedure_id"),
    (reaction, "lot_id"), (client, "clinic_id"), (lot, "clinic_id"),
    (practitioner, "clinic_id"), (credential, "practitioner_id"),
]


@pytest.mark.parametrize("build,field", CASES,
                         ids=[f"{build.__name__}-{field}" for build, field in CASES])
def test_another_clinics_record_and_a_missing_one_get_the_same_answer(app, world, build,
                                                                      field):
    officer = app.test_client()
    sign_in(officer, world.users["officer_a"])
    answers = []
    for value in (world.foreign[field], MISSING):
        path, body = build({**world.ids, field: value})
        response = officer.post(path, json=body)
        text = re.sub(rf"\b{value}\b", "N", str(response.get_json()))
        answers.append((response.status_code, text))
    assert answers[0][0] == 422
    assert answers[0] == answers[1]


def test_an_inspection_elsewhere_and_a_missing_clinic_get_the_same_answer(app, world):
    inspector = app.test_client()
    sign_in(inspector, world.users["inspector_a"])
    answers = [inspector.post("/api/v1/inspections", json={
        "clinic_id": clinic_id, "inspected_on": "2025-10-01", "kind": "complaint"})
        for clinic_id in (world.clinic_b.id, MISSING)]
    assert answers[0].status_code == answers[1].status_code == 422
    texts = [re.sub(rf"\b{clinic_id}\b", "N", str(answer.get_json()))
             for clinic_id, answer in zip((world.clinic_b.id, MISSING), answers, strict=True)]
    assert texts[0] == texts[1]
