"""When a fact was true and when the registry learned it: renewals keep the past, corrections
say so, and a checklist "as known on" a day reproduces what the registry said that day."""

from datetime import date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry import clock
from registry.models import Credential
from registry.services import compliance, holds, pigments, practitioners, procedures
from tests.factories import (
    ACTOR,
    hold_lot,
    make_client,
    make_clinic,
    make_lot,
    make_practitioner,
)

LICENCE = "us-or.practitioner.license"


def days(start: date, end: date, step: int = 11):
    day = start
    while day < end:
        yield day
        day += timedelta(days=step)


def snapshot(clinic_id, dates, known_on=None) -> dict:
    return {day: compliance.checklist(clinic_id, day, known_on).to_dict()["items"]
            for day in dates}


def licensed_clinic(issued: date, expires: date):
    clinic = make_clinic(state="OR")
    person = make_practitioner(clinic, starts_on=date(2019, 1, 1), credentialed=False)
    licence = practitioners.add_credential({
        "practitioner_id": person.id, "kind": "practitioner_license", "issuer": "OR HLO",
        "state": "OR", "number": "OR-1", "issued_on": issued, "expires_on": expires}, ACTOR)
    return clinic, licence


renewals = st.lists(st.tuples(st.integers(1, 400), st.integers(0, 800)), min_size=1,
                    max_size=3)


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first_length=st.integers(30, 900), steps=renewals)
def test_renewing_never_changes_a_checklist_for_an_earlier_date(app, first_length, steps):
    issued = date(2020, 1, 1)
    clinic, licence = licensed_clinic(issued, issued + timedelta(days=first_length))
    for gap, length in steps:
        licence = Credential.get_by_id(licence.id)
        renewed_on = licence.issued_on + timedelta(days=gap)
        earlier = list(days(date(2019, 6, 1), renewed_on, 37))
        before = snapshot(clinic.id, earlier)
        practitioners.renew_credential(licence, {
            "issued_on": renewed_on, "expires_on": renewed_on + timedelta(days=length)}, ACTOR)
        assert snapshot(clinic.id, earlier) == before


def test_a_renewal_keeps_the_old_period_and_a_correction_changes_the_past(app):
    clinic, licence = licensed_clinic(date(2024, 1, 1), date(2025, 1, 1))
    lapsed = date(2025, 3, 1)
    status = lambda: next(  # noqa: E731
        i.status for i in compliance.checklist(clinic.id, lapsed).items
        if i.requirement.id == LICENCE)
    assert status() == "fail"
    practitioners.renew_credential(licence, {"issued_on": "2025-06-01",
                                             "expires_on": "2026-06-01"}, ACTOR)
    assert status() == "fail"  # the lapse between the two periods stands
    assert [p.action for p in practitioners.periods(licence)] == ["record", "renew"]
    practitioners.update_credential(Credential.get_by_id(licence.id),
                                    {"issued_on": "2025-01-01"}, ACTOR,
                                    reason="The board's letter shows the renewal on 1 January.")
    assert status() == "pass"
    versions = practitioners.periods(licence)
    assert [v.action for v in versions] == ["record", "renew", "correct"]
    assert versions[2].replaces_id == versions[1].id
    assert versions[2].reason.startswith("The board's letter")


def test_a_renewal_may_not_start_before_the_current_period(app):
    _clinic, licence = licensed_clinic(date(2024, 1, 1), date(2025, 1, 1))
    try:
        practitioners.renew_credential(licence, {"issued_on": "2023-12-01"}, ACTOR)
    except practitioners.records.InvalidInput as refused:
        assert "issued_on" in refused.errors
    else:
        raise AssertionError("a renewal before the current period was accepted")
    assert len(practitioners.periods(licence)) == 1


def test_as_known_on_a_day_reproduces_what_the_registry_said_that_day(app):
    known_on = date(2026, 6, 15)
    dates = [date(2026, 1, 10), date(2026, 4, 1), date(2026, 6, 15)]
    with clock.frozen(datetime.combine(known_on, time(10))):
        clinic, licence = licensed_clinic(date(2025, 7, 1), date(2026, 3, 1))
        person_id = licence.practitioner_id
        lot = make_lot(clinic, received_on=date(2026, 1, 5), lot_number="KNOWN-1")
        used = procedures.record_procedure({
            "clinic_id": clinic.id, "practitioner_id": make_practitioner(clinic).id,
            "client_id": make_client(clinic).id, "performed_on": date(2026, 2, 1),
            "body_area": "scalp", "lot_ids": [lot.id]}, ACTOR)
        then = snapshot(clinic.id, dates)
    assert used.id
    # After that day: a renewal, a correction, a new lot, a hold, another procedure.
    practitioners.renew_credential(licence, {"issued_on": "2026-02-20",
                                             "expires_on": "2028-02-20"}, ACTOR)
    other = practitioners.add_credential({
        "practitioner_id": person_id, "kind": "first_aid_cpr", "issuer": "Red Cross",
        "issued_on": "2025-01-01", "expires_on": "2027-01-01"}, ACTOR)
    practitioners.update_credential(other, {"expires_on": "2027-02-01"}, ACTOR,
                                    reason="Typo in the expiry.")
    make_lot(clinic, received_on=date(2026, 3, 1), lot_number="LATER-1")
    hold_lot(lot, date(2026, 1, 20), recall_number="F-1234-2026", placed_on=date(2026, 7, 1))
    holds.quarantine(make_lot(clinic, received_on=date(2026, 2, 1)), {"reason": "Cloudy."},
                     ACTOR)
    pigments.change_lot_status(lot, {"status": "disposed", "effective_on": "2026-07-02",
                                     "reason": "Recalled."}, ACTOR)
    now = snapshot(clinic.id, dates)
    assert now != then
    assert snapshot(clinic.id, dates, known_on) == then
    checklist = compliance.checklist(clinic.id, dates[0], known_on).to_dict()
    assert checklist["known_on"] == known_on.isoformat()


def test_a_renewal_leaves_the_audit_report_for_an_earlier_date_as_issued(app):
    from registry.models import Clinic, ReportSupersession
    from registry.reports import content, issuing

    clinic, licence = licensed_clinic(date(2024, 1, 1), date(2025, 1, 1))
    practitioners.record_verification(licence, "verified", "Oregon licence roster", ACTOR)
    earlier = date(2024, 6, 1)
    clinic = Clinic.get_by_id(clinic.id)
    before = content.gather(clinic, earlier)
    first = issuing.issue(clinic, earlier, None)
    # Recorded on the clinic's own audit chain, as the clinic's pages do.
    practitioners.renew_credential(Credential.get_by_id(licence.id),
                                   {"issued_on": "2024-12-15", "expires_on": "2026-12-15"},
                                   ACTOR, clinic_id=clinic.id)
    practitioners.record_verification(Credential.get_by_id(licence.id), "not_found",
                                      "Oregon licence roster", ACTOR, clinic_id=clinic.id)
    after = content.gather(clinic, earlier)
    assert after["practitioners"] == before["practitioners"]
    assert after["checklist"]["items"] == before["checklist"]["items"]
    again = issuing.issue(clinic, earlier, None)
    assert again.reused and again.report.id == first.report.id
    assert ReportSupersession.select().count() == 0
    assert issuing.verify(again.path.read_bytes()).status == issuing.GENUINE
