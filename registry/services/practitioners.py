"""Practitioners, their clinic affiliations and their credentials."""

from datetime import date

from registry.clock import utcnow
from registry.db import write_transaction
from registry.models import (
    Affiliation,
    Credential,
    CredentialPeriod,
    CredentialVerification,
    Practitioner,
)
from registry.models.credentials import VERIFICATION_STATES
from registry.schemas.practitioners import (
    AffiliationSchema,
    CredentialSchema,
    PractitionerSchema,
    RenewalSchema,
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


# What a credential period holds; the credential's own row mirrors its current period.
PERIOD_FIELDS = ("kind", "number", "issuer", "state", "issued_on", "expires_on", "revoked_on",
                 "document_path", "document_sha256", "verification_state",
                 "verification_source")


def add_credential(data: dict, actor: Actor, *, clinic_id: int | None = None) -> Credential:
    """A credential and its first validity period."""
    with write_transaction():
        credential = records.create(Credential, CredentialSchema, data, actor,
                                    clinic_id=clinic_id)
        _add_version(credential, "record", None, None, actor, clinic_id)
    return credential


def periods(credential: Credential) -> list[CredentialPeriod]:
    """Every version of every period of the credential, oldest first."""
    return list(CredentialPeriod.select().where(CredentialPeriod.credential == credential.id)
                .order_by(CredentialPeriod.id))


def current_version(credential: Credential) -> CredentialPeriod | None:
    """The current version of the credential's latest period."""
    return period_on(periods(credential), None)


def period_on(versions: list[CredentialPeriod], day: date | None) -> CredentialPeriod | None:
    """Of these versions, the current one of the latest period issued by the day (any day
    when None): versions that a later one replaces are history."""
    replaced = {v.replaces_id for v in versions if v.replaces_id}
    current = [v for v in versions if v.id not in replaced
               and (day is None or v.issued_on is None or v.issued_on <= day)]
    return max(current, key=lambda v: (v.issued_on or date.min, v.id), default=None)


def renew_credential(credential: Credential, data: dict, actor: Actor, *,
                     clinic_id: int | None = None) -> CredentialPeriod:
    """A new validity period; every earlier period stays as it was recorded."""
    values = records.load(RenewalSchema, data)
    with write_transaction():
        latest = current_version(credential)
        if latest and latest.issued_on and values["issued_on"] <= latest.issued_on:
            raise records.InvalidInput({"issued_on": [
                f"A renewal starts after the current period, issued on "
                f"{latest.issued_on.isoformat()}. To change that period's dates, correct it."]})
        if latest and latest.revoked_on:
            raise records.InvalidInput({"_schema": [
                "This credential was revoked: record the new credential instead."]})
        fields = {"issued_on": values["issued_on"], "expires_on": values["expires_on"],
                  "number": values["number"] or credential.number,
                  "document_path": None, "document_sha256": None,
                  "verification_state": "self_reported", "verification_source": None,
                  "verified_at": None}
        reason = values["reason"] or "renewal"
        records.apply_changes(credential, fields, actor, clinic_id=clinic_id, reason=reason,
                              action="renew")
        return _add_version(credential, "renew", None, values["reason"], actor, clinic_id)


def update_credential(
    credential: Credential, data: dict, actor: Actor, *, reason: str | None,
    clinic_id: int | None = None,
) -> dict:
    """Correct the current period (a reason is required; earlier versions are kept)."""
    with write_transaction():
        changes = records.update(credential, CredentialSchema, data, actor, reason=reason,
                                 clinic_id=clinic_id, action="correct")
        if changes.keys() & set(PERIOD_FIELDS):
            only_revoked = set(changes) <= {"revoked_on", "notes"} \
                and changes["revoked_on"][0] is None
            action = "revoke" if only_revoked else "correct"
            _add_version(credential, action, current_version(credential), reason, actor,
                         clinic_id)
    return changes


def _add_version(credential: Credential, action: str, replaces: CredentialPeriod | None,
                 reason: str | None, actor: Actor, clinic_id: int | None) -> CredentialPeriod:
    values = {name: getattr(credential, name) for name in PERIOD_FIELDS}
    return records.add(CredentialPeriod, {
        **values, "credential_id": credential.id, "action": action,
        "replaces_id": replaces.id if replaces else None, "reason": reason,
        "recorded_by": actor.label,
    }, actor, clinic_id=clinic_id or credential.clinic_id, reason=reason, action=action)


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
        changes = records.apply_changes(
            credential, {"document_path": name, "document_sha256": digest}, actor,
            clinic_id=clinic_id or credential.clinic_id, reason="document uploaded",
            action="document",
        )
        if changes:
            _add_version(credential, "document", current_version(credential),
                         "document uploaded", actor, clinic_id)
        return changes
