"""Report lineage: which issued report superseded which, and the recorded changes behind it."""

from dataclasses import dataclass
from datetime import date, datetime

from peewee import Case

from registry.models import (
    Affiliation,
    AuditEvent,
    Clinic,
    Credential,
    CredentialPeriod,
    IssuedReport,
    ReportSupersession,
)
from registry.services.audit import chain_for

# At most this many changes are kept with a supersession; all of them are counted.
CHANGE_LIMIT = 50
# The changes named in a supersession's one-line reason.
REASON_CHANGES = 3
# Longer values are cut in a change entry: it names the change, the record keeps the text.
VALUE_LENGTH = 200
# Records a report does not print: their events never make a report differ in content.
NOT_PRINTED = ("client", "user_account", "membership", "api_token", "session_record",
               "login_attempt", "reminder", "import_run", "rejected_row", "source_state",
               "roster_entry", "job_run", "issued_report", "report_supersession")
CORRECTION = "correct"
# What a new version or check records, in words.
ACTION_WORDS = {"correct": "a correction", "renew": "a renewal", "revoke": "a revocation",
                "record": "a first period", "verify": "a verification", "status": "a status change",
                "document": "a document"}
# Records only ever added (versions, checks, holds, links): each event is one new row.
APPEND_ONLY = ("credential_period", "credential_verification", "lot_status_change", "lot_hold",
               "hold_release", "procedure_lot", "reaction_lot", "recall_match")


@dataclass(frozen=True)
class Changes:
    entries: list[dict]
    count: int
    records: int


def is_current():
    """A condition on IssuedReport: no later report has superseded it."""
    replaced = ReportSupersession.select(ReportSupersession.earlier)
    return IssuedReport.id.not_in(replaced)


def same_dates(clinic: Clinic, as_of: date, known_on: date | None):
    """A condition on IssuedReport: the clinic's reports as of the day, as known on the day."""
    known = IssuedReport.known_on.is_null() if known_on is None \
        else IssuedReport.known_on == known_on
    return (IssuedReport.clinic == clinic) & (IssuedReport.as_of == as_of) & known


def current_reports(clinic: Clinic, as_of: date, known_on: date | None) -> list[IssuedReport]:
    """The reports for the clinic and dates that nothing has superseded, newest first (one,
    once lineage is kept; reports issued before it may leave several)."""
    return list(IssuedReport.select()
                .where(same_dates(clinic, as_of, known_on) & is_current())
                .order_by(IssuedReport.id.desc()))


def predecessor(report: IssuedReport) -> IssuedReport | None:
    """The newest report this one superseded."""
    return (IssuedReport.select().join(ReportSupersession,
                                       on=ReportSupersession.earlier == IssuedReport.id)
            .where(ReportSupersession.later == report).order_by(IssuedReport.id.desc()).first())


def replaces(report: IssuedReport | None) -> dict | None:
    """What a report prints about the report it replaces (part of its data state)."""
    if report is None:
        return None
    return {"code": report.code, "issued_at": report.issued_at.isoformat(sep=" ")}


def superseded_by(report: IssuedReport) -> ReportSupersession | None:
    """The record of the report that replaced this one, with that report joined."""
    return (ReportSupersession.select(ReportSupersession, IssuedReport)
            .join(IssuedReport, on=ReportSupersession.later == IssuedReport.id)
            .where(ReportSupersession.earlier == report).first())


def latest(report: IssuedReport) -> IssuedReport:
    """The end of the report's lineage: the report that stands for its clinic and dates now."""
    seen = {report.id}
    while (step := superseded_by(report)) is not None and step.later_id not in seen:
        report = step.later
        seen.add(report.id)
    return report


def supersede(clinic: Clinic, earlier: list[IssuedReport],
              later: IssuedReport) -> list[ReportSupersession]:
    """Record that the later report superseded each earlier one; call inside the write that
    stores the later report, so that a report is stored with its lineage or not at all."""
    made = []
    for report in earlier:
        changes = changes_between(clinic, report, later)
        made.append(ReportSupersession.create(
            earlier=report, later=later, recorded_at=later.issued_at, changes=changes.entries,
            change_count=changes.count, reason=reason(report, changes)))
    return made


def changes_between(clinic: Clinic, earlier: IssuedReport, later: IssuedReport) -> Changes:
    """The recorded changes to what the clinic's report prints after the earlier report's
    reads and up to the later one's: corrections and reasoned changes first."""
    entries, count, records = [], 0, set()
    for event in _events(clinic, earlier, later).iterator():
        records.add((event.entity, event.entity_id))
        for entry in _entries(event):
            count += 1
            if len(entries) < CHANGE_LIMIT:
                entries.append(entry)
    return Changes(entries, count, len(records))


def _events(clinic: Clinic, earlier: IssuedReport, later: IssuedReport):
    # Ids order the events by when they were appended. A write that committed after a
    # report's reads with an id below its mark (a long transaction on another chain) is
    # left out of the list; the data states still differ. Reports issued before lineage was
    # kept have no mark: their issue time stands in.
    if earlier.events_seen is not None:
        after = AuditEvent.id > earlier.events_seen
    else:
        after = AuditEvent.occurred_at > earlier.issued_at
    window = after & (AuditEvent.id <= later.events_seen)
    on_chain = (AuditEvent.chain == chain_for(clinic.id)) \
        & AuditEvent.entity.not_in(NOT_PRINTED)
    # A practitioner's credentials may be audited on another clinic's chain, or the global one.
    credentials = _clinic_credentials(clinic)
    periods = CredentialPeriod.select(CredentialPeriod.id.cast("text")).where(
        CredentialPeriod.credential.in_(Credential.select(Credential.id).where(credentials)))
    held = (((AuditEvent.entity == "credential")
             & AuditEvent.entity_id.in_(Credential.select(Credential.id.cast("text"))
                                        .where(credentials)))
            | ((AuditEvent.entity == "credential_period") & AuditEvent.entity_id.in_(periods)))
    first = Case(None, [(AuditEvent.action == CORRECTION, 0),
                        (AuditEvent.reason.is_null(False) & (AuditEvent.reason != ""), 1)], 2)
    return (AuditEvent.select().where(window & (on_chain | held))
            .order_by(first, AuditEvent.id))


def _clinic_credentials(clinic: Clinic):
    """A condition on Credential: held by the clinic or by anyone who ever worked there."""
    staff = Affiliation.select(Affiliation.practitioner).where(Affiliation.clinic == clinic)
    return (Credential.clinic == clinic) | Credential.practitioner.in_(staff)


def _entries(event: AuditEvent) -> list[dict]:
    base = {"entity": event.entity, "id": event.entity_id, "action": event.action,
            "who": event.actor, "when": _moment(event.occurred_at), "reason": event.reason,
            "correction": event.action == CORRECTION}
    if event.action in ("create", "delete") or event.entity in APPEND_ONLY \
            or not event.changes:
        entries = [{**base, "field": None, "old": None, "new": None}]
    else:
        entries = [{**base, "field": name, "old": _value(pair[0]), "new": _value(pair[1])}
                   for name, pair in sorted(event.changes.items())]
    return [{**entry, "summary": describe(entry)} for entry in entries]


def _moment(value) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return str(value)[:19]


def _value(value):
    if isinstance(value, str) and len(value) > VALUE_LENGTH:
        return value[:VALUE_LENGTH - 1] + "…"
    return value


def describe(entry: dict) -> str:
    """One change in words: "credential 12 expires_on corrected: 2030-12-31 → 2029-12-31"."""
    subject = f"{entry['entity'].replace('_', ' ')} {entry['id']}"
    if entry["field"] is None:
        action = entry["action"]
        if action in ("create", "delete"):
            return f"{subject} {'added' if action == 'create' else 'removed'}"
        return f"{subject} recorded: {ACTION_WORDS.get(action, action)}"
    verb = "corrected" if entry["correction"] else "changed"
    return f"{subject} {entry['field']} {verb}: {_shown(entry['old'])} → {_shown(entry['new'])}"


def _shown(value) -> str:
    return "(none)" if value is None or value == "" else str(value)


def _rank(entry: dict) -> int:
    return 0 if entry["correction"] else 1 if entry["reason"] else 2


def reason(earlier: IssuedReport, changes: Changes) -> str:
    """Why the later report differs, in one paragraph naming the first few changes."""
    if not changes.count:
        return (f"The report's content changed since {earlier.code} was issued, with no change "
                "on record to the records it prints: the rule packs, the report's layout, "
                "records shared with other clinics (recalls, reaction statistics) or the audit "
                "trail's head changed.")
    named = []
    # Field changes say more than the versions recorded with them; corrections lead.
    telling = [e for e in changes.entries if e["field"] is not None] or changes.entries
    for entry in sorted(telling, key=_rank)[:REASON_CHANGES]:
        text = entry["summary"]
        named.append(f"{text} (reason: {entry['reason']})" if entry["reason"] else text)
    more = changes.count - len(named)
    records = "1 record" if changes.records == 1 else f"{changes.records} records"
    tail = f"; and {more} more change{'s' if more != 1 else ''}" if more > 0 else ""
    return f"{records} changed since {earlier.code} was issued: {'; '.join(named)}{tail}."
