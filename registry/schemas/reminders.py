"""Expiry reminders as their user sees them on the dashboard."""

from marshmallow import Schema, fields

from registry.models.reminders import REMINDER_KINDS
from registry.schemas.common import QuerySchema, RecordId, UtcDateTime, choice


class ReminderQuerySchema(QuerySchema):
    kind = choice(REMINDER_KINDS)
    clinic_id = RecordId()


class ReminderSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "credential_expiry or lot_expiry."})
    entity = fields.String(metadata={"description": "The record type: credential or "
                                                    "pigment_lot."})
    entity_id = fields.Integer()
    stage = fields.Integer(metadata={
        "description": "The threshold reached, in days before expiry; 0 once expired."})
    due_on = fields.Date(metadata={"description": "The record's expiry date."})
    clinic_id = fields.Integer(allow_none=True)
    subject = fields.String()
    body = fields.String()
    created_at = UtcDateTime()
    emailed_at = UtcDateTime(allow_none=True)
    dismissed_at = UtcDateTime(allow_none=True)
