"""Clinic records through the API: what officers, inspectors and integrations see and change."""

import io
import json

import pytest

from registry.models import AuditEvent, Client, Credential, PigmentLot
from registry.services import tokens
from registry.services.audit import chain_for
from tests import documents
from tests.api_world import PDF, build_world, client_for
from tests.factories import ACTOR, make_practitioner


@pytest.fixture
def world(app):
    return build_world()


@pytest.fixture
def officer(app, world):
    return client_for(app, world, "officer_a")


def _errors(response, location="json"):
    assert response.status_code == 422, response.get_json()
    return response.get_json()["errors"][location]


def test_bad_input_names_the_field_and_changes_nothing(officer, world):
    before = Client.select().count()
    response = officer.post("/api/v1/clients", json={"clinic_id": world.clinic_a.id,
                                                     "birth_date": "31/02/1990"})
    errors = _errors(response)
    assert set(errors) == {"reference", "birth_date"}
    assert response.get_json()["code"] == 422
    assert Client.select().count() == before


def test_unknown_fields_are_refused_not_dropped(officer, world):
    errors = _errors(officer.post("/api/v1/clients", json={
        "clinic_id": world.clinic_a.id, "reference": "X-1", "favourite_colour": "teal"}))
    assert "favourite_colour" in errors


def test_lists_are_paginated_with_a_header(officer, world):
    for n in range(3):
        officer.post("/api/v1/clients", json={"clinic_id": world.clinic_a.id,
                                              "reference": f"P-{n}"})
    response = officer.get("/api/v1/clients?page=2&page_size=2")
    assert response.status_code == 200
    pagination = json.loads(response.headers["X-Pagination"])
    assert pagination["total"] == 4 and pagination["page"] == 2
    assert len(response.get_json()) == 2


def test_a_lot_goes_through_its_life_and_a_quarantined_lot_cannot_be_used(officer, world):
    ids = world.ids
    received = officer.post("/api/v1/lots", json={
        "product_id": ids["pigment_id"], "clinic_id": world.clinic_a.id,
        "lot_number": "B-77", "received_on": "2025-03-01", "expires_on": "2028-03-01"})
    assert received.status_code == 201 and received.get_json()["status"] == "received"
    lot = received.get_json()["id"]
    opened = officer.post(f"/api/v1/lots/{lot}/open", json={"effective_on": "2025-03-02"})
    assert opened.get_json()["status"] == "in_use"
    assert opened.get_json()["opened_on"] == "2025-03-02"
    assert "reason" in _errors(officer.post(f"/api/v1/lots/{lot}/quarantine",
                                            json={"effective_on": "2025-03-05"}))
    officer.post(f"/api/v1/lots/{lot}/quarantine",
                 json={"effective_on": "2025-03-05", "reason": "Client reaction."})
    refused = officer.post("/api/v1/procedures", json={
        "clinic_id": world.clinic_a.id, "practitioner_id": ids["practitioner_id"],
        "client_id": ids["client_id"], "performed_on": "2025-03-06", "body_area": "scalp",
        "lot_ids": [lot]})
    assert _errors(refused)["lot_ids"] == ["lot B-77 was quarantined from 2025-03-05"]
    officer.post(f"/api/v1/lots/{lot}/dispose",
                 json={"effective_on": "2025-03-07", "reason": "Contaminated."})
    assert "status" in _errors(officer.post(f"/api/v1/lots/{lot}/open", json={}))
    assert PigmentLot.get_by_id(lot).status == "disposed"
    listed = officer.get(f"/api/v1/lots?status=disposed&clinic_id={world.clinic_a.id}")
    assert [row["id"] for row in listed.get_json()] == [lot]
    trail = officer.get(f"/api/v1/clinics/{world.clinic_a.id}/audit-events"
                        f"?entity=pigment_lot&entity_id={lot}&page_size=100").get_json()
    assert [event["action"] for event in trail] == ["create", "status", "status", "status"]
    assert trail[2]["reason"] == "Client reaction."


def test_a_procedure_by_an_unlicensed_practitioner_is_refused(officer, world):
    newcomer = make_practitioner(world.clinic_a, credentialed=False)
    response = officer.post("/api/v1/procedures", json={
        "clinic_id": world.clinic_a.id, "practitioner_id": newcomer.id,
        "client_id": world.ids["client_id"], "performed_on": "2025-06-10",
        "body_area": "brows"})
    assert any("licen" in problem for problem in _errors(response)["practitioner_id"])


def test_credential_documents_are_checked_by_content_and_served_back(officer, world):
    credential = world.ids["credential_id"]
    url = f"/api/v1/credentials/{credential}/document"
    png = documents.png(64, 48)
    uploaded = officer.put(url, data={"file": (io.BytesIO(png), "licence.png")},
                           content_type="multipart/form-data")
    assert uploaded.status_code == 200
    with officer.get(url) as download:
        assert download.data == png and download.mimetype == "image/png"
        assert "attachment" in download.headers["Content-Disposition"]
    stored = Credential.get_by_id(credential).document_sha256
    disguised = officer.put(url, data={"file": (io.BytesIO(b"<script>x</script>"), "a.pdf")},
                            content_type="multipart/form-data")
    assert "PDF, PNG and JPEG" in _errors(disguised)["file"][0]
    assert Credential.get_by_id(credential).document_sha256 == stored
    event = AuditEvent.select().where(AuditEvent.action == "document").order_by(
        AuditEvent.id.desc()).first()
    assert event.reason == "document uploaded" and event.chain == chain_for(world.clinic_a.id)


def test_documents_over_the_size_limit_are_refused(app, officer, world):
    app.config["MAX_DOCUMENT_BYTES"] = 1024
    url = f"/api/v1/credentials/{world.ids['credential_id']}/document"
    big = PDF + b"0" * 2048
    response = officer.put(url, data={"file": (io.BytesIO(big), "big.pdf")},
                           content_type="multipart/form-data")
    assert "Larger than" in _errors(response)["file"][0]


def test_a_request_body_over_the_limit_is_refused_before_it_is_read(app, world):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    client = client_for(app, world, "admin")
    response = client.post("/api/v1/clients", data=b"x" * 8192,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.get_json()["code"] == 413
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_officers_cannot_mark_their_own_credentials_verified(officer, world):
    response = officer.post("/api/v1/credentials", json={
        "practitioner_id": world.ids["practitioner_id"], "kind": "first_aid_cpr",
        "issuer": "Red Cross", "verification_state": "verified"})
    assert "verification_state" in _errors(response)


def test_a_serious_outcome_makes_a_report_serious_and_needs_a_reason(officer, world):
    url = f"/api/v1/adverse-reactions/{world.ids['reaction_id']}"
    assert officer.get(url).get_json()["serious"] is False
    assert "reason" in _errors(officer.patch(url, json={"outcome_hospitalization": True}))
    changed = officer.patch(url, json={"outcome_hospitalization": True,
                                       "reason": "client admitted"})
    assert changed.status_code == 200 and changed.get_json()["serious"] is True
    serious = officer.get("/api/v1/adverse-reactions?serious=true").get_json()
    assert [row["id"] for row in serious] == [world.ids["reaction_id"]]


def test_an_inspection_its_finding_and_the_clinics_answer(app, world):
    inspector = client_for(app, world, "inspector_a")
    created = inspector.post("/api/v1/inspections", json={
        "clinic_id": world.clinic_a.id, "inspected_on": "2025-10-01", "kind": "complaint"})
    assert created.status_code == 201
    inspection = created.get_json()
    assert inspection["inspector_id"] == world.users["inspector_a"].id
    finding = inspector.post(f"/api/v1/inspections/{inspection['id']}/findings",
                             json={"severity": "major", "description": "No autoclave log."})
    assert finding.status_code == 201
    officer = client_for(app, world, "officer_a")
    action = officer.post(f"/api/v1/findings/{finding.get_json()['id']}/corrective-actions",
                          json={"description": "Keep a log.", "due_on": "2025-10-31"})
    assert action.status_code == 201
    url = f"/api/v1/corrective-actions/{action.get_json()['id']}"
    assert "completed_on" in _errors(officer.patch(url, json={"status": "done",
                                                              "reason": "log started"}))
    done = officer.patch(url, json={"status": "done", "completed_on": "2025-10-20",
                                    "reason": "log started"})
    assert done.get_json()["status"] == "done"
    whole = inspector.get(f"/api/v1/inspections/{inspection['id']}").get_json()
    assert whole["findings"][0]["actions"][0]["completed_on"] == "2025-10-20"


def test_a_read_only_token_reads_but_does_not_write(app, world):
    token, _row = tokens.issue(world.users["admin"], "dashboard", ["read"], ACTOR)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/lots", headers=headers).status_code == 200
    response = client.post("/api/v1/manufacturers", json={"name": "Nope"}, headers=headers)
    assert response.status_code == 403


def test_filters_narrow_lists(officer, world):
    soon = officer.get("/api/v1/credentials?expires_before=2031-01-01&kind=practitioner_license")
    assert [row["id"] for row in soon.get_json()] == [world.ids["credential_id"]]
    assert officer.get("/api/v1/credentials?expires_before=2030-01-01&kind="
                       "practitioner_license").get_json() == []
    by_colorant = officer.get("/api/v1/pigments?ci_number=77266").get_json()
    assert world.ids["pigment_id"] in [row["id"] for row in by_colorant]
    assert by_colorant[0]["colorants"][0]["ci_number"] == "CI 77266"


def test_an_id_beyond_any_record_is_not_found(officer):
    assert officer.get("/api/v1/lots/99999999999999999999").status_code == 404
    assert "clinic_id" in _errors(officer.get("/api/v1/lots?clinic_id=99999999999999999999"),
                                 "query")


def test_import_runs_show_each_rejected_row_with_its_reason(app, world):
    importer = client_for(app, world, "importer")
    rows = importer.get(f"/api/v1/import-runs/{world.ids['run_id']}/rejected-rows").get_json()
    assert rows == [{"id": rows[0]["id"], "row_number": 2, "reason": "recall_number: missing",
                     "raw": {}}]


def test_an_anonymous_change_is_401_whether_or_not_it_carries_csrf(app, world):
    client = app.test_client()
    response = client.post("/api/v1/clients", json={"reference": "X"})
    assert response.status_code == 401 and response.get_json()["code"] == 401


def test_text_with_a_nul_character_is_refused(officer, world):
    response = officer.post("/api/v1/clients", json={"clinic_id": world.clinic_a.id,
                                                     "reference": "A\x00B"})
    assert response.status_code == 422
    assert officer.get("/api/v1/recalls?firm=%00").status_code == 422


def test_a_page_past_the_end_is_empty(officer):
    response = officer.get("/api/v1/clinics?page=99999999999999999999")
    assert response.status_code == 200 and response.get_json() == []


def test_times_are_written_with_their_utc_offset(app, world):
    importer = client_for(app, world, "importer")
    run = importer.get(f"/api/v1/import-runs/{world.ids['run_id']}").get_json()
    assert run["started_at"].endswith("+00:00")


def test_a_reaction_carries_its_reporting_clock_read_only(officer, world):
    url = f"/api/v1/adverse-reactions/{world.ids['reaction_id']}"
    assert officer.get(url).get_json()["reporting_clock"] is None      # not serious
    changed = officer.patch(url, json={"outcome_infection": True, "reason": "pus at the site"})
    # Learned of on Wednesday 4 June 2025: 15 business days later, Juneteenth skipped.
    clock = changed.get_json()["reporting_clock"]
    assert (clock["due_on"], clock["status"], clock["days_left"]) == ("2025-06-26", "overdue", 0)
    assert clock["days_over"] > 300
    reported = officer.patch(url, json={"reported_to_fda_on": "2025-06-27",
                                        "reason": "sent to FDA"}).get_json()
    assert reported["reporting_clock"] == {"due_on": "2025-06-26", "status": "reported late",
                                           "days_left": 0, "days_over": 1}
    listed = officer.get("/api/v1/adverse-reactions?serious=true").get_json()
    assert [row["reporting_clock"]["status"] for row in listed] == ["reported late"]
    assert "reporting_clock" in _errors(officer.patch(url, json={
        "reporting_clock": {"status": "reported"}, "reason": "x"}))
