"""Reminders of reports to FDA: a serious reaction not yet reported is reminded to its clinic's
officers 5 and 2 business days before the deadline, on it and once after it, each once."""

from datetime import date, timedelta

import pytest

from registry import clock
from registry.models import Reminder
from registry.services import accounts, procedures, reactions, reminders
from tests.factories import ACTOR, make_clinic, make_lot, make_product
from tests.test_reminders import listed, running_app, signed_in, smtp_server, user

# Aware Wednesday 26 November 2025, the day before Thanksgiving: due Thursday 18 December.
AWARE, DUE = date(2025, 11, 26), date(2025, 12, 18)
# What the client's record holds: none of it may appear in a reminder.
CLIENT = {"reference": "CR-PRIVATE-77", "initials": "JQD", "email": "jane.q.doe@example.test",
          "phone": "555-0100"}


class Clinics:
    """Clinic A with an officer and a serious reaction to a named lot; clinic B with its own
    officer; an inspector of their state and an administrator."""

    def __init__(self):
        self.clinic = make_clinic(state="OR")
        self.other_clinic = make_clinic(state="OR")
        self.officer = user("officer_a", role="officer", clinic_id=self.clinic.id)
        self.other_officer = user("officer_b", role="officer", clinic_id=self.other_clinic.id)
        self.inspector = user("inspector", role="inspector", jurisdiction="OR")
        self.admin = user("admin", role="administrator")
        product = make_product(name="Jet Black")
        self.lot = make_lot(self.clinic, product=product, lot_number="JB-2025-11")
        self.client = procedures.create_client({"clinic_id": self.clinic.id, **CLIENT}, ACTOR)

    def reaction(self, clinic=None, aware_on=AWARE, **fields):
        clinic = clinic or self.clinic
        client = self.client if clinic == self.clinic else procedures.create_client(
            {"clinic_id": clinic.id, "reference": "CR-B-1"}, ACTOR)
        return reactions.report_reaction({
            "clinic_id": clinic.id, "client_id": client.id,
            "event_on": aware_on - timedelta(days=1), "aware_on": aware_on,
            "description": "Jane Doe's brows swelled and wept.", "body_site": "left brow",
            **fields}, ACTOR)


@pytest.fixture
def place(app):
    return Clinics()


def stages():
    return [(r.entity, r.entity_id, r.stage, r.due_on, r.user_id)
            for r in Reminder.select().order_by(Reminder.id)]


def test_the_stages_come_on_their_business_days_each_once(place):
    reaction = place.reaction(outcome_infection=True, lot_ids=[place.lot.id])
    officer = place.officer.id
    expected = []
    for day, new_stage in [
            (AWARE, None),
            (date(2025, 12, 10), None),     # 6 business days left
            (date(2025, 12, 11), 5),        # 5 left
            (date(2025, 12, 12), None),
            (date(2025, 12, 13), None),     # a Saturday, 4 left
            (date(2025, 12, 15), None),     # 3 left
            (date(2025, 12, 16), 2),        # 2 left
            (date(2025, 12, 17), None),     # 1 left
            (DUE, 0),                       # the deadline itself
            (date(2025, 12, 19), -1),       # overdue
            (date(2025, 12, 22), None),
            (date(2026, 2, 2), None)]:
        created = reminders.generate(day)
        assert created == (0 if new_stage is None else 1), day
        assert reminders.generate(day) == 0, day
        if new_stage is not None:
            expected.append(("adverse_reaction", reaction.id, new_stage, DUE, officer))
        assert stages() == expected, day
    assert {r.kind for r in Reminder.select()} == {reminders.REACTION_REPORT}
    assert [r.clinic_id for r in Reminder.select()] == [place.clinic.id] * 4


def test_a_reaction_known_late_gets_only_its_current_stage(place):
    place.reaction(outcome_hospitalization=True)
    assert reminders.generate(date(2025, 12, 17)) == 1
    assert reminders.generate(date(2025, 12, 19)) == 1
    assert [r.stage for r in Reminder.select().order_by(Reminder.id)] == [2, -1]


def test_not_for_reactions_not_serious_or_already_reported(place):
    place.reaction()
    place.reaction(outcome_infection=True, reported_to_fda_on=date(2025, 12, 1))
    reported_late = place.reaction(outcome_infection=True,
                                   reported_to_fda_on=date(2025, 12, 22))
    for day in (date(2025, 12, 11), date(2025, 12, 16), DUE, date(2025, 12, 19)):
        reminders.generate(day)
    assert {r.entity_id for r in Reminder.select()} == {reported_late.id}
    assert reminders.generate(date(2025, 12, 22)) == 0
    assert reminders.generate(date(2026, 1, 5)) == 0


def test_recording_the_report_stops_the_reminders(place):
    reaction = place.reaction(outcome_disfigurement=True)
    assert reminders.generate(date(2025, 12, 11)) == 1
    reactions.update_reaction(reaction, {"reported_to_fda_on": date(2025, 12, 12)}, ACTOR,
                              reason="Sent through the FDA portal.")
    assert reminders.generate(date(2025, 12, 16)) == 0
    assert reminders.generate(date(2025, 12, 19)) == 0
    assert Reminder.select().count() == 1
    # The reminder already made leaves the dashboard and is not emailed after the report.
    assert Reminder.get().dismissed_at is not None
    assert list(reminders.pending_email()) == []


def test_a_reaction_found_not_serious_takes_its_reminders_away(place):
    reaction = place.reaction(outcome_disfigurement=True)
    assert reminders.generate(date(2025, 12, 11)) == 1
    reactions.update_reaction(reaction, {"outcome_disfigurement": False}, ACTOR,
                              reason="The mark faded within a week: not disfiguring.")
    assert list(reminders.pending_email()) == []
    assert reminders.generate(date(2025, 12, 19)) == 0


def test_only_the_officers_of_the_reactions_clinic_are_reminded(app, place):
    mine = place.reaction(outcome_infection=True)
    theirs = place.reaction(clinic=place.other_clinic, outcome_death=True)
    second = user("officer_a2", role="officer", clinic_id=place.clinic.id)
    revoked = user("officer_a3", role="officer", clinic_id=place.clinic.id)
    accounts.disable_user(revoked, ACTOR, reason="left the clinic")

    assert reminders.generate(DUE) == 3
    assert sorted((r.user_id, r.entity_id, r.clinic_id) for r in Reminder.select()) == sorted([
        (place.officer.id, mine.id, place.clinic.id), (second.id, mine.id, place.clinic.id),
        (place.other_officer.id, theirs.id, place.other_clinic.id)])
    shown = listed(signed_in(app, place.officer))
    assert [(r["kind"], r["entity"], r["entity_id"], r["stage"]) for r in shown] == [
        ("reaction_report_due", "adverse_reaction", mine.id, 0)]
    by_kind = signed_in(app, place.officer).get("/api/v1/reminders?kind=reaction_report_due")
    assert [r["entity_id"] for r in by_kind.get_json()] == [mine.id]
    assert [r["entity_id"] for r in listed(signed_in(app, place.other_officer))] == [theirs.id]
    assert listed(signed_in(app, place.inspector)) == []
    assert listed(signed_in(app, place.admin)) == []


def test_the_notice_names_the_reaction_clinic_deadline_and_lot_but_not_the_client(place):
    reaction = place.reaction(outcome_infection=True, lot_ids=[place.lot.id])
    for day in (date(2025, 12, 11), date(2025, 12, 16), DUE, date(2025, 12, 19)):
        reminders.generate(day)
    notices = {r.stage: r for r in Reminder.select()}
    clinic = place.clinic.name
    assert notices[5].subject == (f"FDA report of serious adverse reaction {reaction.id} due in "
                                  f"5 business days ({clinic})")
    assert notices[2].subject.endswith(f"due in 2 business days ({clinic})")
    assert notices[0].subject == (f"FDA report of serious adverse reaction {reaction.id} due "
                                  f"today ({clinic})")
    assert notices[-1].subject == (f"FDA report of serious adverse reaction {reaction.id} "
                                   f"overdue, was due by 2025-12-18 ({clinic})")
    assert "was due by 2025-12-18, 1 business day ago" in notices[-1].body
    for notice in notices.values():
        text = notice.subject + "\n" + notice.body
        assert "2025-12-18" in text and clinic in text
        assert f"adverse reaction {reaction.id}" in notice.body
        assert "Brand Jet Black, lot JB-2025-11" in notice.body
        assert "learned of the reaction on 2025-11-26" in notice.body
        for private in (*CLIENT.values(), "Jane", "Doe", "left brow", "swelled"):
            assert private.lower() not in text.lower(), (private, notice.stage)


def test_the_reminder_is_emailed_once(database_url, tmp_path, monkeypatch):
    with smtp_server() as (inbox, port), running_app(
            tmp_path, database_url, smtp_host="127.0.0.1", smtp_port=port):
        place = Clinics()
        reaction = place.reaction(outcome_infection=True)
        monkeypatch.setattr(clock, "today", lambda: DUE)
        assert reminders.send_due() == "1 reminder created, 1 emailed"
        assert reminders.send_due() == "0 reminders created, 0 emailed"
        [(recipients, message)] = inbox.messages
        assert recipients == [place.officer.email]
        assert " ".join(message["Subject"].split()) == (
            f"FDA report of serious adverse reaction {reaction.id} due today "
            f"({place.clinic.name})")
        assert "is due today, 2025-12-18" in message.get_content()
