"""Input for users and their roles."""

from marshmallow import ValidationError, fields, validate, validates_schema

from registry.models.accounts import ROLES
from registry.schemas.common import BaseSchema, RecordId, choice, state_field, text


class UserSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    display_name = text(required=True)
    is_active = fields.Boolean(load_default=True)


class MembershipSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    user_id = RecordId(required=True)
    role = choice(ROLES, required=True)
    clinic_id = RecordId(load_default=None)
    jurisdiction = state_field(load_default=None)

    @validates_schema
    def _scope_matches_role(self, data, **_kwargs):
        role = data.get("role")
        if role == "officer" and not data.get("clinic_id"):
            raise ValidationError("An officer's role names a clinic.", "clinic_id")
        if role == "inspector" and not data.get("jurisdiction"):
            raise ValidationError("An inspector's role names a jurisdiction.", "jurisdiction")
