"""Input for clinics."""

from marshmallow import ValidationError, fields, validates

from registry.models.clinics import DISCIPLINES
from registry.schemas.common import BaseSchema, state_field, text


class ClinicSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    name = text(required=True)
    state = state_field(required=True)
    county = text(load_default=None)
    city = text(load_default=None)
    address = text(max_length=1000, load_default=None)
    timezone = text(load_default="America/New_York")
    disciplines = fields.String(load_default="smp")

    @validates("disciplines")
    def _known_disciplines(self, value, **_kwargs):
        unknown = [d for d in value.split(",") if d.strip() not in DISCIPLINES]
        if unknown or not value.strip():
            raise ValidationError(f"Each discipline is one of {', '.join(DISCIPLINES)}.")
