"""The FDA reporting clock of serious reactions: business days across weekends and federal
holidays, its statuses, the reactions awaiting a report, and where they are shown."""

from datetime import date, timedelta

import pytest

from registry.clock import today
from registry.models import AdverseReaction
from registry.reports import content
from registry.rules.calendar import add_business_days, is_business_day
from registry.services import reactions, reporting_clock
from registry.services.reporting_clock import (
    DUE_SOON_BUSINESS_DAYS,
    SERIOUS_REPORT_BUSINESS_DAYS,
    Clock,
    awaiting_report,
    business_days_after,
    fda_clock,
)
from tests.api_world import build_world
from tests.factories import ACTOR, make_client, make_clinic
from tests.pages import page_client, sign_in, text_of


@pytest.mark.parametrize(("aware_on", "due_on"), [
    # A Friday with no holiday near: the weekend is skipped, day 1 is Monday 20 October and
    # day 15 is Friday 7 November.
    (date(2025, 10, 17), date(2025, 11, 7)),
    # The day before Thanksgiving: Thursday 27 November is skipped, so day 1 is Friday 28.
    (date(2025, 11, 26), date(2025, 12, 18)),
    # Friday 19 December 2025, by hand: Mon 22 (1), Tue 23 (2), Wed 24 (3), Thu 25 Christmas
    # skipped, Fri 26 (4); Mon 29 (5), Tue 30 (6), Wed 31 (7), Thu 1 January New Year skipped,
    # Fri 2 (8); 5 to 9 January (9 to 13); Mon 12 (14), Tue 13 January 2026 (15).
    (date(2025, 12, 19), date(2026, 1, 13)),
    # Juneteenth, Friday 19 June 2026, then Independence Day observed on Friday 3 July.
    (date(2026, 6, 12), date(2026, 7, 7)),
    # Independence Day 2026 is a Saturday; its observed Friday 3 July is skipped.
    (date(2026, 6, 26), date(2026, 7, 20)),
    # Veterans Day, Tuesday 11 November 2025, and Thanksgiving in the same window.
    (date(2025, 11, 10), date(2025, 12, 3)),
    # Veterans Day, Wednesday 11 November 2026, and Thanksgiving on 26 November.
    (date(2026, 11, 6), date(2026, 12, 1)),
    # Martin Luther King Jr. Day, Monday 19 January 2026, after a Friday.
    (date(2026, 1, 16), date(2026, 2, 9)),
    # Presidents' Day (Washington's Birthday), Monday 16 February 2026.
    (date(2026, 2, 6), date(2026, 3, 2)),
])
def test_the_deadline_is_fifteen_federal_business_days_after_the_clinic_learned_of_it(
        aware_on, due_on):
    assert reporting_clock.due_on(aware_on) == due_on
    reaction = AdverseReaction(serious=True, aware_on=aware_on, reported_to_fda_on=None)
    assert fda_clock(reaction, aware_on).due_on == due_on
    assert business_days_after(aware_on, due_on) == SERIOUS_REPORT_BUSINESS_DAYS


def test_observed_holidays_and_weekends_do_not_count():
    independence_day, observed = date(2026, 7, 4), date(2026, 7, 3)
    assert not is_business_day(independence_day) and not is_business_day(observed)
    assert add_business_days(date(2026, 7, 2), 1) == date(2026, 7, 6)
    # New Year's Day 2028 is a Saturday, observed on Friday 31 December 2027.
    assert add_business_days(date(2027, 12, 30), 1) == date(2028, 1, 3)
    # The day after the weekend before Martin Luther King Jr. Day is Tuesday.
    assert add_business_days(date(2026, 1, 16), 1) == date(2026, 1, 20)
    assert business_days_after(date(2026, 1, 16), date(2026, 1, 20)) == 1
    assert add_business_days(date(2025, 11, 28), 1) == date(2025, 12, 1)


@pytest.mark.parametrize("start", [date(2025, 10, 17), date(2025, 12, 25), date(2026, 7, 4)])
def test_zero_business_days_is_the_start_itself(start):
    assert add_business_days(start, 0) == start
    assert business_days_after(start, start) == 0


# Aware Wednesday 26 November 2025: due Thursday 18 December 2025.
AWARE, DUE = date(2025, 11, 26), date(2025, 12, 18)


def clock_on(day, reported_on=None, serious=True):
    reaction = AdverseReaction(serious=serious, aware_on=AWARE, reported_to_fda_on=reported_on)
    return fda_clock(reaction, day)


@pytest.mark.parametrize(("day", "status", "days_left", "days_over"), [
    (AWARE, "due", 15, 0),
    (date(2025, 12, 10), "due", 6, 0),
    (date(2025, 12, 11), "due soon", 5, 0),
    (date(2025, 12, 13), "due soon", 4, 0),      # a Saturday: 15 to 18 December left
    (date(2025, 12, 17), "due soon", 1, 0),
    (DUE, "due today", 0, 0),
    (date(2025, 12, 19), "overdue", 0, 1),
    (date(2025, 12, 20), "overdue", 0, 1),       # a Saturday: no business day more
    (date(2025, 12, 22), "overdue", 0, 2),
])
def test_a_report_not_yet_made_goes_from_due_to_overdue(day, status, days_left, days_over):
    clock = clock_on(day)
    assert (clock.status, clock.days_left, clock.days_over) == (status, days_left, days_over)
    assert clock.overdue is (status == "overdue")
    assert not clock.late


def test_due_soon_starts_at_the_warning_window():
    day = AWARE
    while business_days_after(day, DUE) > DUE_SOON_BUSINESS_DAYS:
        assert Clock(DUE, None, day).status == "due", day
        day += timedelta(days=1)
    assert business_days_after(day, DUE) == DUE_SOON_BUSINESS_DAYS
    assert Clock(DUE, None, day).status == "due soon"


@pytest.mark.parametrize(("reported_on", "status", "days_over"), [
    (date(2025, 12, 1), "reported", 0),
    (DUE, "reported", 0),
    (date(2025, 12, 19), "reported late", 1),
    (date(2025, 12, 23), "reported late", 3),
])
def test_a_report_made_is_on_time_or_late(reported_on, status, days_over):
    clock = clock_on(date(2026, 1, 31), reported_on)
    assert (clock.status, clock.days_left, clock.days_over) == (status, 0, days_over)
    assert clock.late is (status == "reported late")
    assert not clock.overdue


def test_a_report_dated_after_the_day_does_not_count_yet():
    clock = clock_on(date(2025, 12, 19), reported_on=date(2025, 12, 22))
    assert (clock.reported_on, clock.status) == (None, "overdue")
    assert clock_on(date(2025, 12, 22), reported_on=date(2025, 12, 22)).status == "reported late"


def test_a_reaction_that_is_not_serious_has_no_clock():
    assert clock_on(DUE, serious=False) is None
    assert clock_on(date(2026, 3, 1), reported_on=DUE, serious=False) is None


def report(clinic, aware_on, **fields):
    return reactions.report_reaction({
        "clinic_id": clinic.id, "client_id": make_client(clinic).id,
        "event_on": aware_on - timedelta(days=1), "aware_on": aware_on,
        "description": "Swelling at the brow.", **fields}, ACTOR)


def test_awaiting_report_lists_serious_reactions_not_yet_reported_soonest_first(app):
    clinic, other = make_clinic(), make_clinic()
    later = report(clinic, date(2025, 12, 1), outcome_infection=True)
    sooner = report(clinic, AWARE, outcome_hospitalization=True)
    report(clinic, AWARE, outcome_infection=True, reported_to_fda_on=date(2025, 12, 5))
    after_the_day = report(clinic, AWARE, outcome_infection=True,
                           reported_to_fda_on=date(2026, 1, 5))
    report(clinic, AWARE)                                     # not serious
    report(clinic, date(2026, 1, 2), outcome_infection=True)  # not known yet on the day
    elsewhere = report(other, AWARE, outcome_disfigurement=True)
    day = date(2025, 12, 19)

    rows = awaiting_report([clinic.id], day)
    assert [row.reaction.id for row in rows] == [sooner.id, after_the_day.id, later.id]
    assert [row.clock.status for row in rows] == ["overdue", "overdue", "due soon"]
    assert rows[2].clock.due_on == add_business_days(date(2025, 12, 1), 15)
    everywhere = awaiting_report(day=day)
    assert {row.reaction.id for row in everywhere} == {
        sooner.id, after_the_day.id, later.id, elsewhere.id}
    assert awaiting_report([], day) == []


def test_the_audit_report_words_the_clock_as_before(app):
    clinic = make_clinic()
    report(clinic, AWARE, description="on time", outcome_infection=True, reported_to_fda_on=DUE)
    report(clinic, AWARE, description="late", outcome_infection=True,
           reported_to_fda_on=date(2025, 12, 19))
    report(clinic, AWARE, description="not yet", outcome_infection=True,
           reported_to_fda_on=date(2025, 12, 22))
    report(clinic, date(2025, 12, 15), description="still due", outcome_infection=True)
    report(clinic, AWARE, description="not serious")
    rows = {r["description"]: (r["fda_due_on"], r["reported_to_fda_on"], r["clock"])
            for r in content.gather(clinic, date(2025, 12, 19))["reactions"]}
    assert rows == {
        "on time": ("2025-12-18", "2025-12-18", "reported on time"),
        "late": ("2025-12-18", "2025-12-19", "reported late"),
        "not yet": ("2025-12-18", None, "overdue"),
        "still due": ("2026-01-07", None, "open"),
        "not serious": (None, None, "not required"),
    }


def test_the_reactions_list_shows_the_status_words(app):
    world = build_world()
    clinic = world.clinic_a
    report(clinic, AWARE, outcome_infection=True, reported_to_fda_on=date(2025, 12, 19))
    report(clinic, AWARE, outcome_infection=True, reported_to_fda_on=date(2025, 12, 2))
    report(clinic, today(), outcome_infection=True)
    report(clinic, AWARE, outcome_infection=True)
    client = page_client(app)
    sign_in(client, world.users["officer_a"].email)
    response = client.get(f"/clinics/{clinic.id}/reactions")
    html, listing = response.get_data(as_text=True), text_of(response)
    assert '<span class="status status-fail">reported late</span>' in html
    assert "after the deadline of 2025-12-18 (1 business day late)" in listing
    assert '<span class="status status-done">reported</span>' in html
    assert '<span class="status status-due">due</span>' in html
    assert '<span class="status status-overdue">overdue</span>' in html
    assert "Not required" in listing
