"""Practitioners, their clinic affiliations and their credentials."""

from registry.clock import utcnow
from registry.db import write_transaction
from registry.models import Affiliation, Credential, CredentialVerification, Practitioner
from registry.models.credentials import VERIFICATION_STATES
from registry.schemas.practitioners import (
    AffiliationSchema,
    CredentialSchema,
    PractitionerSchema,
)
from registry.services import records
from registry.services.audit import Actor


def create_practitioner(data: dict, actor: Actor, *, clinic_id: int | None = None) -> Practitioner:
    return records.create(Practitioner, PractitionerSchema, data, actor, clinic_id=clinic_id)


def register_practitioner(data: dict, affiliation: dict, actor: Actor) -> Practitioner:
    """A new practitioner and their affiliation with a clinic, both or neither."""
    with write_transaction():
        practitioner = create_practitioner(data, actor, clinic_id=affiliation.get("clinic_id"))
        affiliate({**affiliation, "practitioner_id": practitioner.id}, actor)
    return practitioner


def update_practitioner(practitioner: Practitioner, data: dict, actor: Actor, *,
                        clinic_id: int, reason: str | None = None) -> dict:
    return records.update(practitioner, PractitionerSchema, data, actor, clinic_id=clinic_id,
                          reason=reason)


def affiliate(data: dict, actor: Actor) -> Affiliation:
    return records.create(Affiliation, AffiliationSchema, data, actor)


def add_credential(data: dict, actor: Actor, *, clinic_id: int | None = None) -> Credential:
    return records.create(Credential, CredentialSchema, data, actor, clinic_id=clinic_id)


def update_credential(
    credential: Credential, data: dict, actor: Actor, *, reason: str | None,
    clinic_id: int | None = None,
) -> dict:
    return records.update(credential, CredentialSchema, data, actor, reason=reason,
                          clinic_id=clinic_id)


def record_verification(
    credential: Credential, state: str, source: str, actor: Actor, *,
    raw: dict | None = None, note: str | None = None, clinic_id: int | None = None,
) -> CredentialVerification:
    """Keep one check of a credential and move its current verification state."""
    if state not in VERIFICATION_STATES:
        raise records.InvalidInput({"state": [f"One of {', '.join(VERIFICATION_STATES)}."]})
    if not source.strip():
        raise records.InvalidInput({"source": ["Name the source that was checked."]})
    checked_at = utcnow()
    chain_clinic = clinic_id or credential.clinic_id
    with write_transaction():
        check = records.add(CredentialVerification, {
            "credential_id": credential.id, "state": state, "source": source,
            "checked_at": checked_at, "raw": raw, "note": note,
        }, actor, clinic_id=chain_clinic, action="verify")
        records.apply_changes(
            credential,
            {"verification_state": state, "verification_source": source,
             "verified_at": checked_at},
            actor, clinic_id=chain_clinic, reason=f"verification against {source}",
            action="verify",
        )
    return check


def attach_document(credential: Credential, name: str, digest: str, actor: Actor, *,
                    clinic_id: int | None = None) -> dict:
    """Record a stored document (a licence scan, a training certificate) on a credential."""
    with write_transaction():
        return records.apply_changes(
            credential, {"document_path": name, "document_sha256": digest}, actor,
            clinic_id=clinic_id or credential.clinic_id, reason="document uploaded",
            action="document",
        )
