"""Input for practitioners, their clinic affiliations and their credentials."""

from marshmallow import ValidationError, fields, validate, validates_schema

from registry.models.credentials import CREDENTIAL_KINDS, VERIFICATION_STATES
from registry.schemas.common import (
    BaseSchema,
    RecordId,
    UtcDateTime,
    choice,
    require_order,
    state_field,
    text,
)


class PractitionerSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    first_name = text(required=True)
    last_name = text(required=True)
    email = fields.Email(load_default=None, validate=validate.Length(max=254))
    phone = text(max_length=40, load_default=None)


class AffiliationSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    practitioner_id = RecordId(required=True)
    clinic_id = RecordId(required=True)
    title = text(load_default="practitioner")
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(load_default=None)

    @validates_schema
    def _dates_in_order(self, data, **_kwargs):
        require_order(data, "starts_on", "ends_on", "Ends before it starts.")


class CredentialSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    practitioner_id = RecordId(load_default=None)
    clinic_id = RecordId(load_default=None)
    kind = choice(CREDENTIAL_KINDS, required=True)
    number = text(max_length=100, load_default=None)
    issuer = text(required=True)
    state = state_field(load_default=None)
    issued_on = fields.Date(load_default=None)
    expires_on = fields.Date(load_default=None)
    revoked_on = fields.Date(load_default=None)
    document_path = text(load_default=None)
    document_sha256 = fields.String(
        load_default=None, validate=validate.Regexp(r"^[0-9a-f]{64}$", error="Not a SHA-256.")
    )
    verification_state = choice(VERIFICATION_STATES, load_default="self_reported")
    verification_source = text(load_default=None)
    verified_at = UtcDateTime(load_default=None)
    notes = text(max_length=4000, load_default=None)

    @validates_schema
    def _holder_and_dates(self, data, partial=False, **_kwargs):
        holders = [h for h in ("practitioner_id", "clinic_id") if data.get(h)]
        # A partial change is checked again as a whole record by the service.
        if len(holders) != 1 and not partial:
            raise ValidationError("Held by exactly one practitioner or one clinic.",
                                  "practitioner_id")
        if data.get("kind") == "establishment_license" and not data.get("clinic_id"):
            raise ValidationError("An establishment licence is held by a clinic.", "clinic_id")
        require_order(data, "issued_on", "expires_on", "Expires before it was issued.")


class RenewalSchema(BaseSchema):
    """A credential's next validity period."""

    issued_on = fields.Date(required=True)
    expires_on = fields.Date(load_default=None)
    number = text(max_length=100, load_default=None,
                  metadata={"description": "The new number, when the renewal changed it."})
    reason = text(max_length=2000, load_default=None)

    @validates_schema
    def _dates_in_order(self, data, **_kwargs):
        require_order(data, "issued_on", "expires_on", "Expires before it was issued.")
