"""Expiry reminders: who gets which, on the dashboard and by email through a real SMTP server,
each sent once."""

import email
import socket
from contextlib import contextmanager
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller

from registry import clock, create_app
from registry.db import db
from registry.models import Reminder
from registry.services import accounts, pigments, practitioners, reminders
from tests.api_world import PASSWORD, CsrfClient, sign_in
from tests.conftest import make_settings
from tests.factories import ACTOR, make_clinic, make_lot, make_practitioner


class Inbox:
    """An SMTP server's handler keeping every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, _server, _connection, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(port: int | None = None):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@contextmanager
def running_app(tmp_path, database_url, **overrides):
    """The application with these settings, in an app context with a connection open."""
    application = create_app(make_settings(tmp_path, database_url, **overrides))
    application.test_client_class = CsrfClient
    with application.app_context():
        db.connect(reuse_if_open=True)
        try:
            yield application
        finally:
            if not db.is_closed():
                db.close()


@pytest.fixture
def inbox():
    with smtp_server() as (received, port):
        received.port = port
        yield received


@pytest.fixture
def mail_app(database_url, tmp_path, inbox):
    with running_app(tmp_path, database_url, smtp_host="127.0.0.1",
                     smtp_port=inbox.port) as application:
        yield application


def user(name, **role):
    account = accounts.create_user({"email": f"{name}@example.test", "display_name": name},
                                   ACTOR, password=PASSWORD)
    accounts.grant_role({"user_id": account.id, **role}, ACTOR)
    return account


class Place:
    """Clinic A with a practitioner and an officer; clinic B with its own officer; an
    inspector of clinic A's state and an administrator."""

    def __init__(self):
        self.clinic = make_clinic(state="OR")
        self.other_clinic = make_clinic(state="OR")
        self.officer = user("officer_a", role="officer", clinic_id=self.clinic.id)
        self.other_officer = user("officer_b", role="officer", clinic_id=self.other_clinic.id)
        self.inspector = user("inspector", role="inspector", jurisdiction="OR")
        self.admin = user("admin", role="administrator")
        self.practitioner = make_practitioner(self.clinic, credentialed=False)

    def licence(self, expires_in_days: int, **fields):
        day = clock.today()
        return practitioners.add_credential({
            "practitioner_id": self.practitioner.id, "kind": "practitioner_license",
            "issuer": "Oregon Health Licensing Office", "state": "OR", "number": "OR-1",
            "issued_on": (day - timedelta(days=700)).isoformat(),
            "expires_on": (day + timedelta(days=expires_in_days)).isoformat(), **fields}, ACTOR)


@pytest.fixture
def place(app):
    return Place()


@pytest.fixture
def mail_place(mail_app):
    return Place()


def signed_in(application, account):
    application.test_client_class = CsrfClient
    client = application.test_client()
    sign_in(client, account)
    return client


def listed(client):
    response = client.get("/api/v1/reminders")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def days_on(monkeypatch, days: int):
    """Move the registry's today that many days past the real one."""
    real = clock.utcnow().date()
    monkeypatch.setattr(clock, "today", lambda: real + timedelta(days=days))


def test_a_licence_expiring_soon_is_reminded_once_to_its_clinics_officer(
        mail_app, mail_place, inbox, monkeypatch):
    place = mail_place
    licence = place.licence(25)

    assert reminders.send_due() == "1 reminder created, 1 emailed"

    reminder = Reminder.get()
    assert (reminder.user_id, reminder.clinic_id, reminder.entity, reminder.entity_id,
            reminder.stage, reminder.due_on) == (place.officer.id, place.clinic.id,
                                                 "credential", licence.id, 30, licence.expires_on)
    assert reminder.emailed_at is not None and reminder.email_error is None
    person = place.practitioner
    subject = (f"Practitioner licence of {person.first_name} {person.last_name} expires in 25 "
               f"days ({place.clinic.name})")
    assert len(inbox.messages) == 1
    recipients, message = inbox.messages[0]
    assert recipients == [place.officer.email]
    # A long subject is folded onto a second line; unfolded, it reads as written.
    assert " ".join(message["Subject"].split()) == subject
    assert message["To"] == place.officer.email
    assert message["From"] == "Pigment Registry <registry@localhost>"
    text = message.get_content()
    assert licence.expires_on.isoformat() in text and place.clinic.name in text
    assert "Renew it" in text and f"credential {licence.id}" in text

    shown = listed(signed_in(mail_app, place.officer))
    assert [(r["id"], r["subject"], r["stage"]) for r in shown] == [(reminder.id, subject, 30)]
    assert listed(signed_in(mail_app, place.other_officer)) == []
    assert listed(signed_in(mail_app, place.inspector)) == []
    assert listed(signed_in(mail_app, place.admin)) == []

    assert reminders.send_due() == "0 reminders created, 0 emailed"
    days_on(monkeypatch, 1)
    assert reminders.send_due() == "0 reminders created, 0 emailed"
    assert len(inbox.messages) == 1 and Reminder.select().count() == 1


def test_each_stage_is_reminded_once_and_closed_lots_not_at_all(
        mail_app, mail_place, inbox, monkeypatch):
    place = mail_place
    licence = place.licence(25)
    day = clock.today()
    expired_lot = make_lot(place.clinic, received_on=day - timedelta(days=100),
                           expires_in_days=97)
    disposed_lot = make_lot(place.clinic, received_on=day - timedelta(days=10),
                            expires_in_days=15)
    pigments.change_lot_status(disposed_lot, {"status": "disposed", "effective_on":
                                              day.isoformat(), "reason": "Spilled."}, ACTOR)

    assert reminders.send_due() == "2 reminders created, 2 emailed"
    stages = {(r.entity, r.entity_id): r.stage for r in Reminder.select()}
    assert stages == {("credential", licence.id): 30, ("pigment_lot", expired_lot.id): 0}
    subjects = sorted(" ".join(message["Subject"].split()) for _to, message in inbox.messages)
    assert f"Pigment lot {expired_lot.lot_number}" in subjects[0]
    assert f"expired on {expired_lot.expires_on.isoformat()}" in subjects[0]

    days_on(monkeypatch, 17)    # 8 days left: still the 30-day stage
    assert reminders.send_due() == "0 reminders created, 0 emailed"
    days_on(monkeypatch, 18)    # 7 days left
    assert reminders.send_due() == "1 reminder created, 1 emailed"
    newest = Reminder.select().order_by(Reminder.id.desc()).get()
    assert (newest.entity_id, newest.stage) == (licence.id, 7)
    assert "expires in 7 days" in inbox.messages[-1][1]["Subject"]
    days_on(monkeypatch, 19)
    assert reminders.send_due() == "0 reminders created, 0 emailed"
    days_on(monkeypatch, 26)    # the licence has lapsed
    assert reminders.send_due() == "1 reminder created, 1 emailed"
    assert "expired on" in inbox.messages[-1][1]["Subject"]
    days_on(monkeypatch, 40)
    assert reminders.send_due() == "0 reminders created, 0 emailed"
    assert len(inbox.messages) == 4
    assert not Reminder.select().where(Reminder.entity_id == disposed_lot.id,
                                       Reminder.entity == "pigment_lot").exists()


def test_smtp_server_down_records_the_error_and_the_next_run_sends_once(
        database_url, tmp_path):
    port = free_port()
    with running_app(tmp_path, database_url, smtp_host="127.0.0.1",
                     smtp_port=port) as application:
        place = Place()
        place.licence(20)

        summary = reminders.send_due()
        assert summary == "1 reminder created, 0 emailed, 1 not sent (tried again next run)"
        reminder = Reminder.get()
        assert reminder.emailed_at is None
        assert reminder.email_error.startswith("ConnectionRefusedError")
        assert place.officer.email not in reminder.email_error
        shown = listed(signed_in(application, place.officer))
        assert [r["id"] for r in shown] == [reminder.id] and shown[0]["emailed_at"] is None

        with smtp_server(port) as (inbox, _port):
            assert reminders.send_due() == "0 reminders created, 1 emailed"
            assert reminders.send_due() == "0 reminders created, 0 emailed"
        assert [to for to, _message in inbox.messages] == [[place.officer.email]]
        reminder = Reminder.get()
        assert reminder.emailed_at is not None and reminder.email_error is None


def test_without_an_smtp_host_reminders_are_only_on_the_dashboard(app, place):
    place.licence(5)
    assert reminders.send_due() == "1 reminder created, none emailed (no SMTP host set)"
    reminder = Reminder.get()
    assert reminder.stage == 7
    assert reminder.emailed_at is None and reminder.email_error is None
    assert [r["id"] for r in listed(signed_in(app, place.officer))] == [reminder.id]


def test_only_the_owner_dismisses_and_a_dismissed_reminder_is_neither_listed_nor_emailed(
        mail_app, mail_place, inbox):
    place = mail_place
    place.licence(25)
    assert reminders.generate(clock.today()) == 1
    reminder = Reminder.get()
    url = f"/api/v1/reminders/{reminder.id}/dismiss"

    assert mail_app.test_client().post(url).status_code == 401
    for other in (place.other_officer, place.inspector, place.admin):
        response = signed_in(mail_app, other).post(url)
        assert response.status_code == 404, other.email
    assert Reminder.get().dismissed_at is None

    owner = signed_in(mail_app, place.officer)
    response = owner.post(url)
    assert response.status_code == 200
    assert response.get_json()["dismissed_at"] is not None
    assert owner.post(url).status_code == 200     # dismissing again changes nothing
    assert listed(owner) == []

    assert reminders.send_due() == "0 reminders created, 0 emailed"
    assert inbox.messages == []
    assert Reminder.get().emailed_at is None


def test_a_user_disabled_after_the_reminder_was_made_is_not_emailed(mail_place, inbox):
    mail_place.licence(25)
    assert reminders.generate(clock.today()) == 1
    accounts.disable_user(mail_place.officer, ACTOR, reason="left the clinic")
    assert reminders.send_due() == "0 reminders created, 0 emailed"
    assert inbox.messages == []


def test_renewed_revoked_and_former_staff_credentials_are_not_reminded(app, place):
    day = clock.today()
    place.licence(20)
    place.licence(400)                                   # the renewal, on record already
    place.licence(10, kind="first_aid_cpr", state=None, number=None,
                  revoked_on=(day - timedelta(days=1)).isoformat())
    leaver = make_practitioner(place.clinic, credentialed=False)
    practitioners.affiliate({"practitioner_id": leaver.id, "clinic_id": place.other_clinic.id,
                             "starts_on": "2019-01-01", "ends_on": "2019-12-31"}, ACTOR)
    practitioners.add_credential({
        "practitioner_id": leaver.id, "kind": "first_aid_cpr", "issuer": "Red Cross",
        "issued_on": "2019-01-01", "expires_on": (day + timedelta(days=5)).isoformat()}, ACTOR)

    assert reminders.generate(day) == 1      # only the leaver's, at the clinic they work at
    reminder = Reminder.get()
    assert (reminder.user_id, reminder.clinic_id) == (place.officer.id, place.clinic.id)


def test_a_clinic_licence_is_reminded_to_its_officers(app, place):
    day = clock.today()
    second = user("officer_a2", role="officer", clinic_id=place.clinic.id)
    disabled = user("officer_a3", role="officer", clinic_id=place.clinic.id)
    accounts.disable_user(disabled, ACTOR, reason="left the clinic")
    licence = practitioners.add_credential({
        "clinic_id": place.clinic.id, "kind": "establishment_license", "issuer": "County",
        "state": "OR", "expires_on": (day + timedelta(days=50)).isoformat()}, ACTOR,
        clinic_id=place.clinic.id)

    assert reminders.generate(day) == 2
    rows = Reminder.select().order_by(Reminder.user)
    assert [(r.user_id, r.entity_id, r.stage) for r in rows] == [
        (place.officer.id, licence.id, 60), (second.id, licence.id, 60)]
    assert rows[0].subject == f"Establishment licence of {place.clinic.name} expires in 50 days"
    assert reminders.generate(day + timedelta(days=1)) == 0


@pytest.mark.parametrize(("raw", "expected"), [("60,30,7", (7, 30, 60)), (" 14 ", (14,)),
                                               ("7,7,30", (7, 30))])
def test_thresholds_are_read_from_the_setting(raw, expected):
    assert reminders.thresholds(raw) == expected
    assert reminders.stage_for(-1, expected) == 0
    assert reminders.stage_for(expected[0], expected) == expected[0]
    assert reminders.stage_for(expected[-1] + 1, expected) is None


@pytest.mark.parametrize("raw", ["", "soon", "30,0"])
def test_unreadable_thresholds_are_refused(raw):
    with pytest.raises(reminders.ReminderSettingsError):
        reminders.thresholds(raw)


def test_the_cli_prints_the_summary(runner, place):
    place.licence(3)
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert result.output == "1 reminder created, none emailed (no SMTP host set)\n"


def test_a_former_officer_no_longer_sees_nor_dismisses_the_clinics_reminders(app, place):
    from registry.models import Membership

    place.licence(25)
    assert reminders.generate(clock.today()) == 1
    reminder = Reminder.get()
    officer = signed_in(app, place.officer)
    assert [r["id"] for r in listed(officer)] == [reminder.id]
    role = Membership.get((Membership.user == place.officer.id) & (Membership.role == "officer"))
    accounts.revoke_role(role, ACTOR, reason="left the clinic")
    # Still signed in, as an officer of nothing.
    former = signed_in(app, place.officer)
    assert listed(former) == []
    assert former.post(f"/api/v1/reminders/{reminder.id}/dismiss").status_code == 404
    assert Reminder.get().dismissed_at is None
