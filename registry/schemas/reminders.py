"""Reminders as their user sees them on the dashboard."""

from marshmallow import Schema, fields

from registry.models.reminders import REMINDER_KINDS
from registry.schemas.common import QuerySchema, RecordId, UtcDateTime, choice


class ReminderQuerySchema(QuerySchema):
    kind = choice(REMINDER_KINDS)
    clinic_id = RecordId()


class ReminderSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "credential_expiry, lot_expiry or "
                                                  "reaction_report_due."})
    entity = fields.String(metadata={"description": "The record type: credential, "
                                                    "pigment_lot or adverse_reaction."})
    entity_id = fields.Integer()
    stage = fields.Integer(metadata={
        "description": "The threshold reached: in days before expiry, 0 once expired; for "
                       "reaction_report_due, in business days before the deadline of the report "
                       "to FDA (5, 2, 0 on the deadline), -1 once it has passed."})
    due_on = fields.Date(metadata={"description": "The record's expiry date, or the deadline "
                                                  "of the report to FDA."})
    clinic_id = fields.Integer(allow_none=True)
    subject = fields.String()
    body = fields.String()
    created_at = UtcDateTime()
    emailed_at = UtcDateTime(allow_none=True)
    dismissed_at = UtcDateTime(allow_none=True)
