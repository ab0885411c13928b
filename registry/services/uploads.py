"""Uploading a credential's document: checked, within the clinic's quota, stored, recorded.

A refusal at any step leaves no new file behind."""

from registry.db import write_transaction
from registry.models import Credential
from registry.services import documents, practitioners, storage_quota
from registry.services.audit import Actor


def upload(credential: Credential, content: bytes, actor: Actor, *,
           clinic_id: int | None = None, field: str = "file") -> dict:
    """Keep the document and record it on the credential, in the audit chain of clinic_id
    (or the credential's own clinic), whose quota it counts against."""
    limits = documents.Limits.configured()
    name, digest = documents.name_of(content, documents.check(content, limits, field))
    folder = documents.directory()
    charged = clinic_id or credential.clinic_id
    with write_transaction():
        if charged is not None:
            storage_quota.require_room(charged, name, len(content), limits.quota_bytes, folder,
                                       field)
        created = documents.write(content, folder / name)
        try:
            return practitioners.attach_document(credential, name, digest, actor,
                                                 clinic_id=clinic_id)
        except BaseException:
            if created:
                (folder / name).unlink(missing_ok=True)
            raise
