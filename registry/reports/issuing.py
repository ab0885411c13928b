"""Issuing audit reports once per clinic, dates and data state, and recognising issued files."""

import hashlib
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from flask import current_app
from peewee import fn

from registry.clock import utcnow
from registry.db import db, is_postgresql, read_snapshot, write_transaction
from registry.locks import lock_key
from registry.models import AuditEvent, Clinic, IssuedReport, User
from registry.reports import content, lineage, render
from registry.services.compliance import loaded_packs

# Verification codes avoid letters and digits that read alike (0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# How often a render is tried when another report for the same dates was stored meanwhile.
ATTEMPTS = 3


class ReportBusy(RuntimeError):
    """Other reports for the same clinic and dates were stored throughout this one's renders."""


@dataclass(frozen=True)
class Issued:
    report: IssuedReport
    path: Path
    reused: bool


def data_state(report: dict) -> str:
    """A digest of everything the report says about the clinic: any change to that data
    changes it. The audit chain's head is left out: it moves with every change to any of the
    clinic's records, including those that leave this date's report as it was (a renewal
    after the date), and a report stays true to the head printed when it was issued."""
    said = {name: value for name, value in report.items() if name != "audit_head"}
    canonical = json.dumps(said, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def mark() -> str:
    """Where the registry stands: every change appends an audit event, so while the newest
    event, the rule packs and the report format stay the same, no report can differ."""
    newest = AuditEvent.select(fn.MAX(AuditEvent.id)).scalar() or 0
    packs = ",".join(f"{p.jurisdiction}@{p.version}" for p in loaded_packs())
    digest = hashlib.sha256(packs.encode()).hexdigest()[:16]
    return f"{newest}:{digest}:{content.REPORT_FORMAT}"


def new_code() -> str:
    letters = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"PR-{letters[:4]}-{letters[4:]}"


def reports_directory() -> Path:
    return Path(current_app.config["REPORTS_PATH"])


def stored_file(report: IssuedReport) -> Path:
    return reports_directory() / report.file_name


def issue(clinic: Clinic, as_of: date, user: User | None,
          known_on: date | None = None) -> Issued:
    """The report for the clinic as of the date (as known on known_on, or now): the stored
    file when nothing has changed, otherwise a new render, stored with its SHA-256 and
    verification code, superseding the report it replaces."""
    now = mark()
    found = _stored(clinic, as_of, known_on, IssuedReport.current_at == now)
    if found is not None:
        return Issued(found, stored_file(found), reused=True)
    for _attempt in range(ATTEMPTS):
        issued = _issue_once(clinic, as_of, known_on, user, now)
        if issued is not None:
            return issued
    raise ReportBusy("the report's records kept changing while it was issued; try again")


def _issue_once(clinic, as_of, known_on, user, now) -> Issued | None:
    """One gather and, if the data changed, one render; None when another report for the
    same clinic and dates was stored meanwhile (the caller tries again)."""
    with read_snapshot():
        gathered = content.gather(clinic, as_of, known_on)
        seen = AuditEvent.select(fn.MAX(AuditEvent.id)).scalar() or 0
        standing = lineage.current_reports(clinic, as_of, known_on)
        newest = standing[0] if standing else None
        replaced = lineage.predecessor(newest) if newest is not None else None
    if newest is not None and stored_file(newest).is_file() \
            and data_state({**gathered, "replaces": lineage.replaces(replaced)}) \
            == newest.data_state:
        # Something changed elsewhere, not in this report: it stays current.
        IssuedReport.update(current_at=now).where(IssuedReport.id == newest.id).execute()
        return Issued(newest, stored_file(newest), reused=True)
    gathered["replaces"] = lineage.replaces(newest)
    state = data_state(gathered)
    code = new_code()
    issued_at = utcnow().replace(microsecond=0)
    pdf, signed = _render(gathered, code, issued_at)
    digest = hashlib.sha256(pdf).hexdigest()
    name = f"{digest}.pdf"
    _write(reports_directory() / name, pdf)
    row = _store(clinic, as_of, known_on, standing, dict(
        data_state=state, current_at=now, events_seen=seen, code=code, sha256=digest,
        file_name=name, size=len(pdf), signed=signed, issued_at=issued_at, issued_by=user))
    if row is None:
        # Its lineage is out of date: the file was never issued.
        (reports_directory() / name).unlink(missing_ok=True)
        return None
    return Issued(row, stored_file(row), reused=False)


def _store(clinic, as_of, known_on, standing, values) -> IssuedReport | None:
    """The new report's row, superseding the reports that stood when its data was read; None
    if the reports that stand for the clinic and dates have changed since."""
    with write_transaction():
        _lock_dates(clinic, as_of, known_on)
        if [r.id for r in lineage.current_reports(clinic, as_of, known_on)] \
                != [r.id for r in standing]:
            return None
        row = IssuedReport.create(clinic=clinic, as_of=as_of, known_on=known_on, **values)
        lineage.supersede(clinic, standing, row)
    return row


def _render(gathered: dict, code: str, issued_at) -> tuple[bytes, bool]:
    """The report's PDF/A-3b bytes, signed when a key is configured, and whether signed."""
    settings = current_app.config["REGISTRY_SETTINGS"]
    html = render.report_html(gathered, code, issued_at.isoformat(sep=" "))
    checklist_json = json.dumps(gathered["checklist"], indent=2, ensure_ascii=False)
    pdf = render.render_pdf(
        html, [{"name": "checklist.json", "text": checklist_json,
                "description": "The checklist in this report, machine-readable"}],
        timeout=settings.report_timeout, memory_bytes=settings.report_memory_mb * 1024 * 1024)
    signer = signing_key()
    if signer is not None:
        from registry.reports import signing

        pdf = signing.sign_pdf(pdf, *signer, reason=f"Audit report {code}",
                               location="Pigment Registry")
    return pdf, signer is not None


def _lock_dates(clinic: Clinic, as_of: date, known_on: date | None) -> None:
    # SQLite's write transaction already holds the database's write lock; on PostgreSQL,
    # reports for one clinic and dates are stored one at a time, so each sees the last.
    if is_postgresql():
        name = f"report:{clinic.id}:{as_of.isoformat()}:{_iso(known_on)}"
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (lock_key(name),))


def _iso(day: date | None) -> str:
    return day.isoformat() if day else "-"


def _stored(clinic: Clinic, as_of: date, known_on: date | None,
            condition) -> IssuedReport | None:
    found = IssuedReport.select().where(
        lineage.same_dates(clinic, as_of, known_on) & lineage.is_current() & condition
    ).order_by(IssuedReport.id.desc()).first()
    if found is None or not stored_file(found).is_file():
        return None
    return found


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".report-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, path)


def signing_key() -> tuple[Path, Path] | None:
    """(key, certificate) to sign with: configured, or generated in development."""
    settings = current_app.config["REGISTRY_SETTINGS"]
    if settings.report_signing_key and settings.report_signing_cert:
        return settings.report_signing_key, settings.report_signing_cert
    if settings.env == "development":
        from registry.reports import signing

        return signing.ensure_development_key(settings.instance_path)
    return None


GENUINE, SUPERSEDED, NOT_ISSUED = "genuine", "superseded", "not_issued"


@dataclass(frozen=True)
class Superseded:
    """The report that replaced a verified one, and the recorded changes why."""

    code: str
    issued_at: datetime
    reason: str
    changes: list[dict]
    change_count: int
    # The report that stands now, when the replacement was itself replaced.
    latest_code: str | None = None


@dataclass(frozen=True)
class Verdict:
    status: str
    report: IssuedReport | None
    signature: dict | None
    # A few words that name the status; a sentence that explains it; the report's details.
    headline: str
    summary: str
    message: str
    superseded_by: Superseded | None = None

    @property
    def issued(self) -> bool:
        return self.status != NOT_ISSUED


def verify(data: bytes) -> Verdict:
    """Whether these bytes are exactly a report the registry issued, which, and whether a
    later report for the same clinic and dates has superseded it."""
    digest = hashlib.sha256(data).hexdigest()
    report = IssuedReport.get_or_none(IssuedReport.sha256 == digest)
    if report is None:
        return Verdict(NOT_ISSUED, None, None, "Not issued by this registry",
                       "Not issued by this registry: no issued report has this exact content. "
                       "A copy changed in any byte fails.", "")
    signature = None
    signer = signing_key()
    if report.signed and signer is not None:
        from registry.reports import signing

        signature = signing.signature_status(data, signer[1])
    clinic = report.clinic
    known = f", as known on {report.known_on.isoformat()}" if report.known_on else ""
    message = (f"Issued by this registry on {report.issued_at:%Y-%m-%d %H:%M} UTC for "
               f"{clinic.name} ({clinic.state}), as of {report.as_of.isoformat()}{known}, "
               f"verification code {report.code}.")
    replaced = superseded(report)
    if replaced is None:
        return Verdict(GENUINE, report, signature, "Genuine and current",
                       "Genuine and current: no later report for this clinic and dates has "
                       "replaced it.", message)
    return Verdict(SUPERSEDED, report, signature, "Genuine, but superseded",
                   f"Genuine, but superseded by {replaced.code} on "
                   f"{replaced.issued_at:%Y-%m-%d}, because {_sentence(replaced.reason)}",
                   message, replaced)


def superseded(report: IssuedReport) -> Superseded | None:
    """The report that replaced this one, or None while it stands."""
    step = lineage.superseded_by(report)
    if step is None:
        return None
    later = step.later
    newest = lineage.latest(later)
    return Superseded(later.code, later.issued_at, step.reason, step.changes, step.change_count,
                      newest.code if newest.id != later.id else None)


def _sentence(text: str) -> str:
    """The reason as it follows "because": it starts with a count, or with "The"."""
    return "the" + text[3:] if text.startswith("The ") else text
