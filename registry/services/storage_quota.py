"""A clinic's share of document storage: every document its credentials ever had, once each."""

from pathlib import Path

from registry.auth.tenancy import rows_of_clinics
from registry.db import db, is_postgresql
from registry.locks import lock_key
from registry.models import Credential, CredentialPeriod
from registry.services.documents import path_of
from registry.services.records import InvalidInput

MIB = 1024 * 1024


def stored_names(clinic_id: int) -> set[str]:
    """The documents of the clinic's credentials, current or replaced (kept for their history)."""
    credentials = Credential.select(Credential.id).where(rows_of_clinics(Credential, [clinic_id]))
    current = Credential.select(Credential.document_path).where(
        Credential.id.in_(credentials) & Credential.document_path.is_null(False))
    earlier = CredentialPeriod.select(CredentialPeriod.document_path).where(
        CredentialPeriod.credential.in_(credentials)
        & CredentialPeriod.document_path.is_null(False))
    return {name for (name,) in current.tuples()} | {name for (name,) in earlier.tuples()}


def used_bytes(names: set[str], directory: Path) -> int:
    return sum(path.stat().st_size for name in names if (path := path_of(name, directory)))


def require_room(clinic_id: int, name: str, size: int, quota_bytes: int, directory: Path,
                 field: str = "file") -> None:
    """Refuse a new document that would take the clinic over its quota; one it already keeps
    takes no more room. Call inside the write transaction that records the document."""
    if is_postgresql():
        # Two uploads for one clinic at once would both see the room left: one waits.
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (lock_key(f"storage:{clinic_id}"),))
    names = stored_names(clinic_id)
    if name in names:
        return
    total = used_bytes(names, directory) + size
    if total > quota_bytes:
        raise InvalidInput({field: [
            f"The clinic's documents would take {total / MIB:.1f} MiB, over its storage quota "
            f"of {quota_bytes / MIB:.1f} MiB (replaced documents are kept and count)."]})
