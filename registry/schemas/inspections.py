"""Input for inspections, findings and corrective actions."""

from marshmallow import ValidationError, fields, validates_schema

from registry.models.inspections import ACTION_STATUSES, INSPECTION_KINDS, SEVERITIES
from registry.schemas.common import BaseSchema, RecordId, choice, text


class InspectionSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    clinic_id = RecordId(required=True)
    inspector_id = RecordId(load_default=None)
    inspected_on = fields.Date(required=True)
    kind = choice(INSPECTION_KINDS, load_default="routine")
    result = text(load_default=None)
    notes = text(max_length=8000, load_default=None)


class FindingSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    inspection_id = RecordId(required=True)
    requirement_id = text(max_length=120, load_default=None)
    severity = choice(SEVERITIES, load_default="minor")
    description = text(max_length=8000, required=True)


class CorrectiveActionSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    finding_id = RecordId(required=True)
    description = text(max_length=8000, required=True)
    due_on = fields.Date(required=True)
    completed_on = fields.Date(load_default=None)
    status = choice(ACTION_STATUSES, load_default="open")

    @validates_schema
    def _done_has_date(self, data, **_kwargs):
        if data.get("status") == "done" and not data.get("completed_on"):
            raise ValidationError("A done action has a completion date.", "completed_on")
