"""Issuing audit reports once per clinic, date and data state, and recognising issued files."""

import hashlib
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app
from peewee import IntegrityError, fn

from registry.clock import utcnow
from registry.models import AuditEvent, Clinic, IssuedReport, User
from registry.reports import content, render
from registry.services.compliance import loaded_packs

# Verification codes avoid letters and digits that read alike (0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class Issued:
    report: IssuedReport
    path: Path
    reused: bool


def data_state(report: dict) -> str:
    """A digest of everything the report prints: any change to the data changes it."""
    canonical = json.dumps(report, sort_keys=True, separators=(",", ":"), default=str)
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


def issue(clinic: Clinic, as_of: date, user: User | None) -> Issued:
    """The report for the clinic as of the date: the stored file when nothing has changed,
    otherwise a new render, stored with its SHA-256 and verification code."""
    now = mark()
    found = _stored(clinic, as_of, IssuedReport.current_at == now)
    if found is not None:
        return Issued(found, stored_file(found), reused=True)
    gathered = content.gather(clinic, as_of)
    state = data_state(gathered)
    found = _stored(clinic, as_of, IssuedReport.data_state == state)
    if found is not None:
        # Something changed elsewhere, not in this report: it stays current.
        IssuedReport.update(current_at=now).where(IssuedReport.id == found.id).execute()
        return Issued(found, stored_file(found), reused=True)
    code = new_code()
    issued_at = utcnow().replace(microsecond=0)
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
    digest = hashlib.sha256(pdf).hexdigest()
    name = f"{digest}.pdf"
    _write(reports_directory() / name, pdf)
    try:
        row = IssuedReport.create(
            clinic=clinic, as_of=as_of, data_state=state, current_at=now, code=code,
            sha256=digest,
            file_name=name, size=len(pdf), signed=signer is not None, issued_at=issued_at,
            issued_by=user)
    except IntegrityError:
        # Another request issued the same report meanwhile; theirs stands.
        found = _stored(clinic, as_of, IssuedReport.data_state == state)
        if found is None:
            raise
        return Issued(found, stored_file(found), reused=True)
    return Issued(row, stored_file(row), reused=False)


def _stored(clinic: Clinic, as_of: date, condition) -> IssuedReport | None:
    found = IssuedReport.select().where(
        (IssuedReport.clinic == clinic) & (IssuedReport.as_of == as_of) & condition
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


@dataclass(frozen=True)
class Verdict:
    issued: bool
    report: IssuedReport | None
    signature: dict | None
    message: str


def verify(data: bytes) -> Verdict:
    """Whether these bytes are exactly a report the registry issued, and which."""
    digest = hashlib.sha256(data).hexdigest()
    report = IssuedReport.get_or_none(IssuedReport.sha256 == digest)
    if report is None:
        return Verdict(False, None, None,
                       "Not issued by this registry: no issued report has this exact content. "
                       "A copy changed in any byte fails.")
    signature = None
    signer = signing_key()
    if report.signed and signer is not None:
        from registry.reports import signing

        signature = signing.signature_status(data, signer[1])
    clinic = report.clinic
    return Verdict(True, report, signature,
                   f"Issued by this registry on {report.issued_at:%Y-%m-%d %H:%M} UTC for "
                   f"{clinic.name} ({clinic.state}), as of {report.as_of.isoformat()}, "
                   f"verification code {report.code}.")
