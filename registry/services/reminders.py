"""Reminders for the officers of each clinic, on their dashboard and by email, each notice
sent once: credentials and pigment lots nearing (or past) their expiry date, and serious adverse
reactions whose report to FDA is coming due (or overdue).

Expiry (kinds credential_expiry and lot_expiry): a record gets one reminder per user for each
threshold it reaches (the `reminder_days` setting, "60,30,7" by default: the stage is the
smallest threshold the calendar days left are within) and one more, stage 0 (EXPIRED), once it
has expired.

Reports to FDA (kind reaction_report_due, entity adverse_reaction): a serious reaction not yet
reported to FDA gets one reminder per user at each stage of REPORT_STAGES, counted in business
days left before its 15-business-day deadline (see services.reporting_clock): stage 5 from 5
business days left, stage 2 from 2, stage 0 on the deadline itself ("due today"), and one more,
stage -1 (REPORT_OVERDUE), once the deadline has passed. A report recorded stops them. The
notices name the reaction by its registry number, never its client.

Reminders are operational notices derived from the audited records, so they are written
directly rather than through the audit trail.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from peewee import fn

from registry import clock, mail
from registry.db import write_transaction
from registry.models import (
    AdverseReaction,
    Affiliation,
    Clinic,
    Credential,
    Manufacturer,
    Membership,
    PigmentLot,
    PigmentProduct,
    Practitioner,
    ReactionLot,
    Reminder,
    User,
)
from registry.models.credentials import KIND_LABELS
from registry.services import reporting_clock
from registry.settings import Settings

log = logging.getLogger(__name__)

EXPIRED = 0
CREDENTIAL_EXPIRY, LOT_EXPIRY = "credential_expiry", "lot_expiry"
REACTION_REPORT = "reaction_report_due"
# The stages of a report to FDA, in business days left before its deadline, largest first:
# 0 is the deadline itself; REPORT_OVERDUE once it has passed.
REPORT_STAGES = (5, 2, 0)
REPORT_OVERDUE = -1
# The record each kind of reminder is about.
ENTITY_MODELS = {"credential": Credential, "pigment_lot": PigmentLot,
                 "adverse_reaction": AdverseReaction}
# Lots in these states are out of stock: nothing is left to remind anyone about.
CLOSED_LOT_STATUSES = ("disposed", "expired")
SUBJECT_LENGTH = 255
# Rows or ids per statement, well inside SQLite's limit on bound parameters.
CHUNK = 500


class ReminderSettingsError(ValueError):
    """The reminder_days setting cannot be read as days."""


def thresholds(raw: str | None = None) -> tuple[int, ...]:
    """The reminder thresholds in days, smallest first, from the `reminder_days` setting."""
    raw = _settings().reminder_days if raw is None else raw
    try:
        days = sorted({int(part) for part in raw.split(",") if part.strip()})
    except ValueError as exc:
        raise ReminderSettingsError(
            "REGISTRY_REMINDER_DAYS must be whole numbers of days separated by commas, "
            "e.g. 60,30,7") from exc
    if not days or days[0] < 1:
        raise ReminderSettingsError("REGISTRY_REMINDER_DAYS needs at least one number of days, "
                                    "each 1 or more")
    return tuple(days)


def stage_for(days_left: int, days: tuple[int, ...]) -> int | None:
    """The smallest threshold the days left are within; 0 once expired; None if not yet due."""
    if days_left < 0:
        return EXPIRED
    return next((threshold for threshold in days if days_left <= threshold), None)


def report_stage_for(deadline: reporting_clock.Clock) -> int | None:
    """The stage of a report to FDA not yet made: the smallest of REPORT_STAGES the business
    days left are within (0 on the deadline), REPORT_OVERDUE once it has passed, None while
    more than the largest stage is left."""
    if deadline.overdue:
        return REPORT_OVERDUE
    left = deadline.days_left
    return next((stage for stage in sorted(REPORT_STAGES) if left <= stage), None)


@dataclass(frozen=True)
class Notice:
    """Something about to expire or fall due (or past it) at one clinic, before it has
    recipients."""

    kind: str
    entity: str
    entity_id: int
    due_on: date
    clinic: Clinic
    subject: str
    body: str


def generate(on: date) -> int:
    """Create the reminders due on a day; returns how many were new.

    Idempotent: a reminder is keyed by kind, record, stage, due date (expiry, or deadline of
    the report to FDA) and user, so running again (the same day, or the next while the stage
    holds) creates nothing more."""
    days = thresholds()
    horizon = on + timedelta(days=days[-1])
    officers = _officers_by_clinic()
    if not officers:
        return 0
    notices = [*_credential_notices(on, horizon, days, officers),
               *_lot_notices(on, horizon, days, officers),
               *_reaction_notices(on, officers)]
    visible = _Visibility(notices)
    rows, keys = [], set()
    for notice, stage in notices:
        for user in officers.get(notice.clinic.id, ()):
            key = (notice.kind, notice.entity, notice.entity_id, stage, notice.due_on, user.id)
            if key in keys or not visible.shows(user, notice):
                continue
            keys.add(key)
            rows.append({
                "kind": notice.kind, "entity": notice.entity, "entity_id": notice.entity_id,
                "stage": stage, "due_on": notice.due_on, "user": user.id,
                "clinic": notice.clinic.id, "subject": notice.subject[:SUBJECT_LENGTH],
                "body": notice.body, "created_at": clock.utcnow(),
            })
    if not rows:
        return 0
    with write_transaction():
        new_rows = _not_yet_recorded(rows)
        if not new_rows:
            return 0
        # A concurrent run may have added some since: those are skipped, not doubled.
        return sum(Reminder.insert_many(new_rows[start:start + CHUNK]).on_conflict_ignore()
                   .as_rowcount().execute() for start in range(0, len(new_rows), CHUNK))


def _not_yet_recorded(rows: list[dict]) -> list[dict]:
    def key(row):
        return (row["kind"], row["entity"], row["entity_id"], row["stage"], row["due_on"],
                row["user"])

    ids = sorted({row["entity_id"] for row in rows})
    existing = set()
    for start in range(0, len(ids), CHUNK):
        query = Reminder.select(Reminder.kind, Reminder.entity, Reminder.entity_id,
                                Reminder.stage, Reminder.due_on, Reminder.user).where(
            Reminder.entity_id.in_(ids[start:start + CHUNK])).tuples()
        existing.update(query)
    return [row for row in rows if key(row) not in existing]


def _officers_by_clinic() -> dict[int, list[User]]:
    """Active users holding an unrevoked officer role, by clinic (archived clinics left out)."""
    query = (Membership.select(Membership.clinic, User)
             .join(User).switch(Membership).join(Clinic)
             .where((Membership.role == "officer") & Membership.revoked_at.is_null()
                    & (User.is_active == True)  # noqa: E712
                    & User.disabled_at.is_null() & Clinic.archived_at.is_null())
             .order_by(User.id))
    officers: dict[int, list[User]] = {}
    for membership in query:
        officers.setdefault(membership.clinic_id, []).append(membership.user)
    return officers


def _credential_notices(on, horizon, days, officers):
    """Unrevoked credentials expiring by the horizon (or already expired) and not replaced by
    a later one, for the credential's clinic and the holder's current clinics."""
    unrevoked = ((Credential.revoked_on.is_null() | (Credential.revoked_on > on))
                 & (Credential.verification_state != "revoked"))
    due = Credential.expires_on.is_null(False) & (Credential.expires_on <= horizon) & unrevoked
    candidates = list(Credential.select().where(due))
    if not candidates:
        return
    holders = Credential.select(Credential.practitioner).where(
        due & Credential.practitioner.is_null(False))
    latest = _latest_expiry(due, unrevoked)
    people = {p.id: p for p in Practitioner.select().where(Practitioner.id.in_(holders))}
    workplaces = _current_clinics(holders, on)
    clinics = _clinics(officers)
    for credential in candidates:
        if latest.get(_holder_key(credential), credential.expires_on) > credential.expires_on:
            continue    # renewed: a later credential of the same kind is on record
        stage = stage_for((credential.expires_on - on).days, days)
        if stage is None:
            continue
        at = set(workplaces.get(credential.practitioner_id, ()))
        if credential.clinic_id:
            at.add(credential.clinic_id)
        person = people.get(credential.practitioner_id)
        for clinic_id in sorted(at):
            clinic = clinics.get(clinic_id)
            if clinic is not None:
                subject, body = _credential_text(credential, person, clinic, on, stage, days)
                yield Notice(CREDENTIAL_EXPIRY, "credential", credential.id,
                             credential.expires_on, clinic, subject, body), stage


def _holder_key(credential: Credential) -> tuple:
    return (credential.practitioner_id, credential.clinic_id, credential.kind, credential.state)


def _latest_expiry(due, unrevoked) -> dict[tuple, date]:
    """The latest expiry date on record for each holder, kind and state of the due ones."""
    held = Credential.practitioner.in_(Credential.select(Credential.practitioner).where(due)) \
        | Credential.clinic.in_(Credential.select(Credential.clinic).where(due))
    query = (Credential.select(Credential.practitioner, Credential.clinic, Credential.kind,
                               Credential.state, fn.MAX(Credential.expires_on))
             .where(held & unrevoked & Credential.expires_on.is_null(False))
             .group_by(Credential.practitioner, Credential.clinic, Credential.kind,
                       Credential.state).tuples())
    return {tuple(row[:4]): _as_date(row[4]) for row in query}


def _as_date(value) -> date:
    # An aggregate has no declared type, so SQLite hands back the stored text.
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _current_clinics(holders, on) -> dict[int, list[int]]:
    """The clinics each holder works at on the day."""
    query = Affiliation.select(Affiliation.practitioner, Affiliation.clinic).where(
        Affiliation.practitioner.in_(holders) & (Affiliation.starts_on <= on)
        & (Affiliation.ends_on.is_null() | (Affiliation.ends_on >= on)))
    found: dict[int, list[int]] = {}
    for row in query:
        found.setdefault(row.practitioner_id, []).append(row.clinic_id)
    return found


def _clinics(officers) -> dict[int, Clinic]:
    return {c.id: c for c in Clinic.select().where(Clinic.id.in_(sorted(officers)))}


def _lot_notices(on, horizon, days, officers):
    """Lots still held that expire by the horizon, or have expired, at clinics with officers."""
    query = (PigmentLot.select(PigmentLot, PigmentProduct).join(PigmentProduct)
             .where(PigmentLot.expires_on.is_null(False) & (PigmentLot.expires_on <= horizon)
                    & PigmentLot.status.not_in(CLOSED_LOT_STATUSES)
                    & PigmentLot.clinic.in_(sorted(officers))))
    lots = list(query)
    clinics = _clinics(officers) if lots else {}
    for lot in lots:
        stage = stage_for((lot.expires_on - on).days, days)
        clinic = clinics.get(lot.clinic_id)
        if stage is None or clinic is None:
            continue
        subject, body = _lot_text(lot, clinic, on, stage, days)
        yield Notice(LOT_EXPIRY, "pigment_lot", lot.id, lot.expires_on, clinic, subject,
                     body), stage


def _reaction_notices(on, officers):
    """Serious reactions at clinics with officers that are not yet reported to FDA and are
    within the largest stage of their deadline, or past it."""
    awaiting = [(row, stage) for row in reporting_clock.awaiting_report(sorted(officers), on)
                if (stage := report_stage_for(row.clock)) is not None]
    if not awaiting:
        return
    clinics = _clinics(officers)
    suspects = _suspect_products([row.reaction.id for row, _stage in awaiting])
    for row, stage in awaiting:
        reaction, deadline = row
        clinic = clinics.get(reaction.clinic_id)
        if clinic is None:
            continue
        subject, body = _reaction_text(reaction, deadline, clinic,
                                       suspects.get(reaction.id, []), stage)
        yield Notice(REACTION_REPORT, "adverse_reaction", reaction.id, deadline.due_on, clinic,
                     subject, body), stage


def _suspect_products(reaction_ids) -> dict[int, list[str]]:
    """Each reaction's suspect lots, as product, lot number and manufacturer."""
    found: dict[int, list[str]] = {}
    for start in range(0, len(reaction_ids), CHUNK):
        query = (ReactionLot.select(ReactionLot.reaction, PigmentLot, PigmentProduct,
                                    Manufacturer)
                 .join(PigmentLot).join(PigmentProduct).join(Manufacturer)
                 .where(ReactionLot.reaction.in_(reaction_ids[start:start + CHUNK]))
                 .order_by(PigmentLot.lot_number, PigmentLot.id))
        for suspect in query:
            lot = suspect.lot
            product = lot.product
            name = " ".join(part for part in (product.brand, product.name, product.shade)
                            if part)
            found.setdefault(suspect.reaction_id, []).append(
                f"{name}, lot {lot.lot_number} ({product.manufacturer.name})")
    return found


class _Visibility:
    """Whether the tenancy rules show a record to a user, asked once per user and kind."""

    def __init__(self, notices):
        self._ids = {}
        for notice, _stage in notices:
            self._ids.setdefault(notice.entity, set()).add(notice.entity_id)
        self._seen = {}

    def shows(self, user: User, notice: Notice) -> bool:
        from registry.auth.principal import principal_for
        from registry.auth.tenancy import scoped

        key = (user.id, notice.entity)
        if key not in self._seen:
            model = ENTITY_MODELS[notice.entity]
            ids = sorted(self._ids[notice.entity])
            query = scoped(model, principal_for(user)).columns(model.id)
            self._seen[key] = {row.id for start in range(0, len(ids), CHUNK)
                               for row in query.where(model.id.in_(ids[start:start + CHUNK]))}
        return notice.entity_id in self._seen[key]


def _when(expires_on: date, on: date) -> tuple[str, str]:
    """How the expiry reads: briefly (for a subject) and in full (for a body)."""
    left, day = (expires_on - on).days, expires_on.isoformat()
    if left < 0:
        return f"expired on {day}", f"expired on {day}"
    if left == 0:
        return "expires today", f"expires today, {day}"
    span = f"{left} day{'s' if left != 1 else ''}"
    return f"expires in {span}", f"expires on {day}, in {span}"


def _schedule_note(clinic: Clinic, days: tuple[int, ...]) -> str:
    ahead = [str(d) for d in sorted(days, reverse=True)]
    ahead = f"{', '.join(ahead[:-1])} and {ahead[-1]}" if len(ahead) > 1 else ahead[0]
    return (f"You receive this as an officer of {clinic.name}. Reminders go out {ahead} days "
            "before a record expires and once after it has expired, each once; dismiss this "
            "one on your registry dashboard when it is dealt with.")


def _credential_text(credential, person, clinic, on, stage, days) -> tuple[str, str]:
    label = KIND_LABELS.get(credential.kind, credential.kind.replace("_", " "))
    details = ", ".join(part for part in (
        credential.state, credential.number and f"number {credential.number}") if part)
    label_in_full = f"{label} ({details})" if details else label
    grantor = credential.issuer or "the body that granted it"
    holder = f"{person.first_name} {person.last_name}" if person else clinic.name
    brief, phrase = _when(credential.expires_on, on)
    subject = f"{label[:1].upper()}{label[1:]} of {holder} {brief}" \
        + (f" ({clinic.name})" if person else "")
    held = f"held by {holder} at {clinic.name}" if person else f"of {clinic.name}"
    if stage == EXPIRED:
        action = (f"It has lapsed. Renew it with {grantor} as soon as possible and record the "
                  "renewed credential in the registry.")
    else:
        action = (f"Renew it with {grantor} before it lapses and record the renewed credential "
                  "in the registry, so the clinic's records stay current.")
    body = (f"The {label_in_full} {held} {phrase}.\n\n{action}\n\n"
            f"Registry record: credential {credential.id}.\n\n{_schedule_note(clinic, days)}\n")
    return subject, body


def _lot_text(lot, clinic, on, stage, days) -> tuple[str, str]:
    product = lot.product
    name = " ".join(part for part in (product.brand, product.name, product.shade) if part)
    brief, phrase = _when(lot.expires_on, on)
    subject = f"Pigment lot {lot.lot_number} ({name}) {brief} ({clinic.name})"
    if stage == EXPIRED:
        action = ("Do not use it in any procedure. Dispose of it and record the disposal in "
                  "the registry.")
    else:
        action = ("Plan to use it up before then. Once it expires it must not be used: dispose "
                  "of it and record the disposal in the registry.")
    body = (f"Pigment lot {lot.lot_number} of {name}, held at {clinic.name} with status "
            f"{lot.status.replace('_', ' ')}, {phrase}.\n\n{action}\n\n"
            f"Registry record: pigment lot {lot.id}.\n\n{_schedule_note(clinic, days)}\n")
    return subject, body


def _business_days(n: int) -> str:
    return f"{n} business day{'s' if n != 1 else ''}"


def _reaction_text(reaction, deadline, clinic, suspects, stage) -> tuple[str, str]:
    """What a reminder of a report to FDA says: the reaction by its registry number, the
    clinic, the deadline and the suspect products; nothing about the client."""
    due = deadline.due_on.isoformat()
    name = f"serious adverse reaction {reaction.id}"
    if stage == REPORT_OVERDUE:
        over = f", {_business_days(deadline.days_over)} ago" if deadline.days_over else ""
        brief, phrase = f"overdue, was due by {due}", f"was due by {due}{over}"
    elif deadline.days_left == 0:
        brief, phrase = "due today", f"is due today, {due}"
    else:
        span = _business_days(deadline.days_left)
        brief, phrase = f"due in {span}", f"is due by {due}, in {span}"
    subject = f"FDA report of {name} {brief} ({clinic.name})"
    products = "; ".join(suspects) if suspects else "none named"
    if stage == REPORT_OVERDUE:
        action = ("Send the report to FDA now (MedWatch Form 3500), or confirm that the "
                  "responsible person named on the product's label has, and record the date it "
                  "was sent on the reaction in the registry.")
    else:
        action = ("Send the report to FDA (MedWatch Form 3500) by then, or confirm that the "
                  "responsible person named on the product's label has, and record the date it "
                  "was sent on the reaction in the registry.")
    body = (f"The report to FDA of the {name} recorded at {clinic.name} {phrase}. The clinic "
            f"learned of the reaction on {reaction.aware_on.isoformat()}; MoCRA (FD&C Act 605, "
            f"21 U.S.C. 364a) requires a serious adverse event to be reported to "
            f"FDA within {reporting_clock.SERIOUS_REPORT_BUSINESS_DAYS} business days.\n\n"
            f"Suspect products: {products}.\n\n{action}\n\n"
            f"Registry record: adverse reaction {reaction.id}.\n\n"
            f"You receive this as an officer of {clinic.name}. Reminders go out "
            f"{_stages_ahead()} business days before the deadline, on the deadline itself and "
            "once after it has passed, each once, until the report is recorded; dismiss this "
            "one on your registry dashboard when it is dealt with.\n")
    return subject, body


def _stages_ahead() -> str:
    ahead = [str(stage) for stage in REPORT_STAGES if stage > 0]
    return f"{', '.join(ahead[:-1])} and {ahead[-1]}" if len(ahead) > 1 else ahead[0]


def dismiss(reminder: Reminder) -> Reminder:
    """Take a reminder off its user's dashboard; it is not emailed afterwards either."""
    if reminder.dismissed_at is None:
        now = clock.utcnow()
        Reminder.update(dismissed_at=now).where(
            (Reminder.id == reminder.id) & Reminder.dismissed_at.is_null()).execute()
        reminder.dismissed_at = now
    return reminder


def settle_reaction_reminders(reaction_id: int) -> int:
    """Take a reaction's report reminders off the dashboards once its report to FDA is
    recorded, so none of them is emailed afterwards; returns how many were open."""
    return (Reminder.update(dismissed_at=clock.utcnow())
            .where((Reminder.kind == REACTION_REPORT) & (Reminder.entity == "adverse_reaction")
                   & (Reminder.entity_id == reaction_id)
                   & Reminder.dismissed_at.is_null())
            .execute())


def pending_email():
    """Reminders not yet emailed nor dismissed, for users still active and still officers of
    the reminder's clinic."""
    still_officer = Membership.select(Membership.id).where(
        (Membership.user == Reminder.user) & (Membership.clinic == Reminder.clinic)
        & (Membership.role == "officer") & Membership.revoked_at.is_null())
    return (Reminder.select(Reminder, User).join(User)
            .where(Reminder.emailed_at.is_null() & Reminder.dismissed_at.is_null()
                   & (User.is_active == True) & User.disabled_at.is_null()  # noqa: E712
                   & (Reminder.clinic.is_null() | fn.EXISTS(still_officer)))
            .order_by(Reminder.id))


def send_due() -> str:
    """The scheduled job: create today's reminders, then email each pending one once.

    Runs inside an app context with a database connection open. A reminder is claimed (its
    emailed_at set) before it is sent, so two runs at once never send it twice; a failed
    attempt releases it with the error recorded, and the next run tries again."""
    created = generate(clock.today())
    settings = _settings()
    made = f"{created} reminder{'s' if created != 1 else ''} created"
    if not mail.configured(settings):
        return f"{made}, none emailed (no SMTP host set)"
    sent, failed = _email(list(pending_email()), settings)
    log.info("reminders: %d created, %d emailed, %d not sent", created, sent, failed)
    summary = f"{made}, {sent} emailed"
    return f"{summary}, {failed} not sent (tried again next run)" if failed else summary


def _email(pending: list[Reminder], settings: Settings) -> tuple[int, int]:
    if not pending:
        return 0, 0
    outbox = mail.Outbox(settings)
    try:
        outbox.open()
    except mail.ERRORS as exc:
        log.warning("reminders: could not reach the SMTP server (%s)", type(exc).__name__)
        error = mail.describe_failure(exc)
        ids = [reminder.id for reminder in pending]
        Reminder.update(email_error=error).where(
            Reminder.id.in_(ids) & Reminder.emailed_at.is_null()).execute()
        return 0, len(pending)
    sent = failed = 0
    try:
        for reminder in pending:
            if not _claim(reminder):
                continue    # sent by another run meanwhile, or dismissed
            try:
                outbox.send(reminder.user.email, reminder.subject, reminder.body)
            except mail.ERRORS as exc:
                failed += 1
                log.warning("reminder %d not emailed (%s)", reminder.id, type(exc).__name__)
                Reminder.update(emailed_at=None, email_error=mail.describe_failure(exc)).where(
                    Reminder.id == reminder.id).execute()
            else:
                sent += 1
                if reminder.email_error is not None:
                    Reminder.update(email_error=None).where(Reminder.id == reminder.id).execute()
    finally:
        outbox.close()
    return sent, failed


def _claim(reminder: Reminder) -> bool:
    claimed = Reminder.update(emailed_at=clock.utcnow()).where(
        (Reminder.id == reminder.id) & Reminder.emailed_at.is_null()
        & Reminder.dismissed_at.is_null()).execute()
    return claimed == 1


def _settings() -> Settings:
    return current_app.config["REGISTRY_SETTINGS"]
