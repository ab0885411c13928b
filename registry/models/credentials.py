"""Licences, certificates and training records, held by a practitioner or (licences) a clinic."""

from peewee import CharField, DateField, DateTimeField, ForeignKeyField, TextField

from registry.clock import utcnow
from registry.db import BaseModel
from registry.models.clinics import Clinic
from registry.models.fields import JSONField
from registry.models.practitioners import Practitioner

CREDENTIAL_KINDS = (
    "practitioner_license",
    "establishment_license",
    "bloodborne_pathogens_training",
    "hepatitis_b_vaccination",
    "hepatitis_b_declination",
    "first_aid_cpr",
    "spcp_cpcp",
    "continuing_education",
    "apprenticeship",
    "smp_training",
    "other_training",
)
KIND_LABELS = {
    "practitioner_license": "practitioner licence",
    "establishment_license": "establishment licence",
    "bloodborne_pathogens_training": "bloodborne pathogens training",
    "hepatitis_b_vaccination": "hepatitis B vaccination",
    "hepatitis_b_declination": "hepatitis B declination",
    "first_aid_cpr": "first aid and CPR certificate",
    "spcp_cpcp": "SPCP CPCP certification",
    "continuing_education": "continuing education",
    "apprenticeship": "apprenticeship",
    "smp_training": "SMP training certificate",
    "other_training": "training certificate",
}
VERIFICATION_STATES = (
    "self_reported",
    "document_on_file",
    "verified",
    "not_found",
    "mismatch",
    "expired",
    "revoked",
)


class Credential(BaseModel):
    # Editing a regulated record requires a reason in its audit event.
    regulated = True

    practitioner = ForeignKeyField(Practitioner, null=True, backref="credentials")
    clinic = ForeignKeyField(Clinic, null=True, backref="credentials")
    kind = CharField(index=True)
    number = CharField(null=True)
    issuer = CharField()
    state = CharField(max_length=2, null=True)
    issued_on = DateField(null=True)
    expires_on = DateField(null=True, index=True)
    revoked_on = DateField(null=True)
    document_path = CharField(null=True)
    document_sha256 = CharField(max_length=64, null=True)
    verification_state = CharField(default="self_reported")
    verification_source = CharField(null=True)
    verified_at = DateTimeField(null=True)
    notes = TextField(null=True)
    created_at = DateTimeField(default=utcnow)


# How a period version came to be recorded.
PERIOD_ACTIONS = ("record", "renew", "correct", "revoke", "document")


class CredentialPeriod(BaseModel):
    """One version of one validity period of a credential; rows are only ever added.

    A renewal starts a new period; a correction, a revocation or a document adds a version
    that replaces the period's current one. What the registry knew on a day is the versions
    recorded by then that nothing recorded by then had replaced.
    """

    credential = ForeignKeyField(Credential, backref="periods")
    replaces = ForeignKeyField("self", null=True, unique=True, backref="replaced_by")
    action = CharField()
    kind = CharField()
    number = CharField(null=True)
    issuer = CharField()
    state = CharField(max_length=2, null=True)
    issued_on = DateField(null=True)
    expires_on = DateField(null=True)
    revoked_on = DateField(null=True)
    document_path = CharField(null=True)
    document_sha256 = CharField(max_length=64, null=True)
    verification_state = CharField(default="self_reported")
    verification_source = CharField(null=True)
    reason = TextField(null=True)
    recorded_at = DateTimeField(default=utcnow, index=True)
    recorded_by = CharField()


class CredentialVerification(BaseModel):
    """Each check of a credential against a source, with the raw row that was seen."""

    credential = ForeignKeyField(Credential, backref="verifications")
    state = CharField()
    source = CharField()
    checked_at = DateTimeField(default=utcnow)
    raw = JSONField(null=True)
    note = TextField(null=True)
