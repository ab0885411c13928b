"""Who may open a page: signed in with a session (else off to sign in), then tenancy rules."""

import re
from urllib.parse import urlsplit

from flask import abort, redirect, request, url_for

from registry.auth.principal import ANONYMOUS, Principal, current
from registry.auth.tenancy import get_or_404, may_edit_clinic, may_inspect, may_read_records
from registry.models import Clinic
from registry.schemas.common import MAX_ID


def viewer() -> Principal:
    """The principal behind the browser's session cookie; pages ignore bearer tokens."""
    principal = current()
    return principal if principal.via == "session" else ANONYMOUS


def signed_in() -> Principal:
    """The signed-in principal, or a redirect to the sign-in page that comes back here."""
    principal = viewer()
    if not principal.authenticated:
        abort(redirect(url_for("pages.account.sign_in", next=request.full_path.rstrip("?"))))
    return principal


def reader() -> Principal:
    """Administrators, officers and inspectors."""
    principal = signed_in()
    if not may_read_records(principal):
        abort(403)
    return principal


def administrator() -> Principal:
    principal = signed_in()
    if not principal.is_admin:
        abort(403)
    return principal


def inspector() -> Principal:
    """Inspectors (of any jurisdiction) and administrators."""
    principal = signed_in()
    if not (principal.jurisdictions or principal.is_admin):
        abort(403)
    return principal


def clinic_to_read(clinic_id: int) -> tuple[Principal, Clinic]:
    """A clinic the viewer may see; another tenant's clinic is a 404, like a missing one."""
    principal = reader()
    return principal, get_or_404(Clinic, clinic_id, principal)


def clinic_to_edit(clinic_id: int) -> tuple[Principal, Clinic]:
    """A clinic whose records the viewer keeps (its officers, administrators)."""
    principal, clinic = clinic_to_read(clinic_id)
    if not may_edit_clinic(principal, clinic.id):
        abort(403)
    return principal, clinic


def clinic_to_inspect(clinic_id: int) -> tuple[Principal, Clinic]:
    """A clinic the viewer inspects (inspectors of its state, administrators)."""
    principal, clinic = clinic_to_read(clinic_id)
    if not may_inspect(principal, clinic):
        abort(403)
    return principal, clinic


def record_of_clinic(model, pk: int, clinic: Clinic):
    """A record of this clinic, or 404 (the clinic has already passed the tenancy check)."""
    row = model.get_or_none(model._meta.primary_key == pk)
    if row is None or getattr(row, "clinic_id", None) != clinic.id:
        abort(404)
    return row


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site may follow sign-in (no open redirect). Browsers drop tabs and
    newlines and read a backslash as a slash, so a path with a tab or a backslash could lead
    off the site: such a target is refused outright."""
    if not target or not target.startswith("/") or re.search(r"[\x00-\x1f\x7f\\]", target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return default
    return target


def record_id_arg(name: str) -> int | None:
    """A record id from the query string; anything that could not be one counts as absent."""
    value = request.args.get(name, type=int)
    return value if value is not None and 1 <= value <= MAX_ID else None
