"""Checklists from the database: as-of dates, fixed query counts, the CLI."""

import json
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from playhouse.test_utils import count_queries

from registry import demo
from registry.clock import today
from registry.models import Clinic
from registry.services import compliance, practitioners, procedures, reactions
from tests.factories import (
    ACTOR,
    hold_lot,
    make_client,
    make_clinic,
    make_lot,
    make_practitioner,
    make_product,
)


def items_of(checklist, requirement_id):
    return [i for i in checklist.items if i.requirement.id == requirement_id]


def status_of(checklist, requirement_id, subject=None):
    items = items_of(checklist, requirement_id)
    if subject is not None:
        items = [i for i in items if str(i.subject_key) == str(subject)]
    (item,) = items
    return item.status


def test_a_licence_that_expired_last_month_passed_two_months_ago_and_fails_today(app):
    day = today()
    clinic = make_clinic(state="OR")
    person = make_practitioner(clinic, credentialed=False)
    end_of_last_month = day.replace(day=1) - timedelta(days=1)
    practitioners.add_credential({
        "practitioner_id": person.id, "kind": "practitioner_license", "issuer": "OR HLO",
        "state": "OR", "issued_on": end_of_last_month - relativedelta(years=1),
        "expires_on": end_of_last_month}, ACTOR)
    two_months_ago = day - relativedelta(months=2)
    earlier = compliance.checklist(clinic.id, two_months_ago)
    now = compliance.checklist(clinic.id, day)
    assert status_of(earlier, "us-or.practitioner.license", person.id) == "pass"
    assert status_of(now, "us-or.practitioner.license", person.id) == "fail"
    assert f"expired on {end_of_last_month.isoformat()}" in items_of(
        now, "us-or.practitioner.license")[0].outcome.explanation


def test_a_lot_recalled_today_was_fine_last_month(app):
    clinic = make_clinic(state="OR")
    lot = make_lot(clinic, received_on=date(2025, 1, 1))
    hold_lot(lot, date(2026, 3, 1), recall_number="F-0101-2026")
    before = compliance.checklist(clinic.id, date(2026, 2, 28))
    after = compliance.checklist(clinic.id, date(2026, 3, 1))
    assert status_of(before, "us.fda.recalled-lot-on-hand", lot.id) == "pass"
    assert status_of(after, "us.fda.recalled-lot-on-hand", lot.id) == "fail"
    assert "F-0101-2026" in items_of(after, "us.fda.recalled-lot-on-hand")[0].outcome.explanation


def test_items_explain_which_record_value_rule_version_and_citation(app):
    clinic = make_clinic(state="OR")
    lot = make_lot(clinic, received_on=date(2025, 1, 1), expires_in_days=30)
    checklist = compliance.checklist(clinic.id, date(2025, 3, 1))
    (item,) = items_of(checklist, "us-or.lot.not-expired")
    data = item.to_dict()
    assert data["status"] == "fail"
    assert data["record"] == str(lot.id) and data["value"] == "2025-01-31"
    assert data["rule_version"] == "2026.11.1/us-or.lot.not-expired@2020-01-01"
    assert data["citations"][0]["code"] == "OAR 331-915-0065"
    assert data["fix"] == "Take the lot out of use and dispose of it."
    assert data["start_known"] is False


def test_evaluation_is_deterministic(app):
    demo.load()
    clinic = Clinic.get(Clinic.state == "OR")
    first = compliance.checklist(clinic.id, today()).to_dict()
    second = compliance.checklist(clinic.id, today()).to_dict()
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def _grow(clinic, practitioners_count, lots_count, procedures_count):
    product = make_product()
    people = [make_practitioner(clinic) for _ in range(practitioners_count)]
    for person in people:
        practitioners.add_credential({
            "practitioner_id": person.id, "kind": "bloodborne_pathogens_training",
            "issuer": "Red Cross", "issued_on": "2025-06-01"}, ACTOR)
    lots = [make_lot(clinic, product) for _ in range(lots_count)]
    for index in range(procedures_count):
        client = make_client(clinic, birth_date="1980-01-01")
        procedure = procedures.record_procedure({
            "clinic_id": clinic.id, "practitioner_id": people[index % len(people)].id,
            "client_id": client.id, "performed_on": "2025-06-01", "body_area": "scalp",
            "consent_on_file": True, "lot_ids": [lots[index % len(lots)].id]}, ACTOR)
        reactions.report_reaction({
            "clinic_id": clinic.id, "client_id": client.id, "procedure_id": procedure.id,
            "event_on": "2025-06-03", "aware_on": "2025-06-04", "description": "Redness."},
            ACTOR)


def test_a_clinic_evaluation_issues_a_fixed_number_of_queries(app):
    clinic = make_clinic(state="OR")
    _grow(clinic, 1, 1, 1)
    with count_queries() as small:
        small_list = compliance.checklist(clinic.id, date(2025, 7, 1))
    _grow(clinic, 4, 9, 20)
    with count_queries() as large:
        large_list = compliance.checklist(clinic.id, date(2025, 7, 1))
    assert len(large_list) > 3 * len(small_list)
    assert small.count == large.count <= 16


def test_a_state_sweep_fetches_in_bulk(app):
    for _ in range(3):
        _grow(make_clinic(state="OR"), 1, 1, 2)
    with count_queries() as sweep:
        checklists = compliance.sweep("OR", date(2025, 7, 1))
    assert len(checklists) == 3
    first = Clinic.select().first()
    with count_queries() as single:
        compliance.checklist(first.id, date(2025, 7, 1))
    assert sweep.count == single.count


def test_cli_prints_the_checklist_as_text_and_json(app, runner):
    demo.load()
    clinic = Clinic.get(Clinic.state == "OR")
    text = runner.invoke(args=["checklist", str(clinic.id)])
    assert text.exit_code == 0, text.output
    assert f"{clinic.name} (OR) as of {today().isoformat()}: FAIL" in text.output
    assert "[FAIL] us-or.practitioner.license" in text.output
    assert "OAR 331-915-0007" in text.output
    as_json = runner.invoke(args=["checklist", clinic.name, "--as-of", "2026-01-15",
                                  "--format", "json"])
    data = json.loads(as_json.output)
    assert data["as_of"] == "2026-01-15" and data["clinic"]["state"] == "OR"
    assert {p["jurisdiction"] for p in data["packs"]} == {"US", "US-OR", "PRO-SPCP"}


def test_cli_names_an_unknown_clinic(app, runner):
    result = runner.invoke(args=["checklist", "No Such Clinic"])
    assert result.exit_code == 1 and "no clinic 'No Such Clinic'" in result.output


def test_a_procedure_by_a_practitioner_whose_licence_had_lapsed_is_refused(app):
    from registry.models import Procedure
    from registry.services.records import InvalidInput

    clinic = make_clinic(state="OR")
    person = make_practitioner(clinic, credentialed=False)
    practitioners.add_credential({
        "practitioner_id": person.id, "kind": "practitioner_license", "issuer": "OR HLO",
        "state": "OR", "issued_on": "2024-01-01", "expires_on": "2025-01-01"}, ACTOR)
    practitioners.add_credential({
        "practitioner_id": person.id, "kind": "bloodborne_pathogens_training",
        "issuer": "Red Cross", "issued_on": "2024-06-01"}, ACTOR)
    client = make_client(clinic, birth_date="1980-01-01")
    data = {"clinic_id": clinic.id, "practitioner_id": person.id, "client_id": client.id,
            "body_area": "scalp", "lot_ids": [make_lot(clinic).id]}
    procedures.record_procedure({**data, "performed_on": "2024-12-01"}, ACTOR)
    with pytest.raises(InvalidInput) as refused:
        procedures.record_procedure({**data, "performed_on": "2025-02-01"}, ACTOR)
    messages = refused.value.errors["practitioner_id"]
    assert any("Oregon tattoo licence current (ORS 690.350-690.410)" in m
               and "expired on 2025-01-01" in m for m in messages)
    assert Procedure.select().count() == 1
