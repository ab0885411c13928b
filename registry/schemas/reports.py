"""Audit reports over the API: which report to issue, and what verifying a file found."""

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from registry.schemas.common import BaseSchema, QuerySchema, UtcDateTime

VERDICTS = ("genuine", "superseded", "not_issued")


class ReportQuerySchema(QuerySchema):
    as_of = fields.Date(load_default=None, metadata={
        "description": "The day the report describes (default: today)."})
    known_on = fields.Date(load_default=None, metadata={
        "description": "Only what the registry had on record by the end of this day "
                       "(default: everything on record now). Not a day still to come."})


class ReportUploadSchema(BaseSchema):
    file = Upload(required=True, metadata={"description": "The report's PDF, as received."})


class ChangeSchema(Schema):
    entity = fields.String(metadata={"description": "The changed record's kind, e.g. credential."})
    id = fields.String(metadata={"description": "The changed record's id."})
    field = fields.String(allow_none=True, metadata={
        "description": "The changed field; null when the record was added or removed."})
    old = fields.Raw(allow_none=True)
    new = fields.Raw(allow_none=True)
    action = fields.String(metadata={"description": "update, correct, create, verify, ..."})
    correction = fields.Boolean()
    who = fields.String()
    when = fields.String(metadata={"description": "When it was recorded (UTC)."})
    reason = fields.String(allow_none=True)
    summary = fields.String(metadata={
        "description": "The change in words: record, field, old → new."})


class SupersededBySchema(Schema):
    code = fields.String(metadata={"description": "The replacing report's verification code."})
    issued_at = UtcDateTime()
    reason = fields.String()
    changes = fields.List(fields.Nested(ChangeSchema), metadata={
        "description": "The recorded changes, corrections first, at most 50."})
    change_count = fields.Integer(metadata={"description": "How many changes in all."})
    latest_code = fields.String(allow_none=True, metadata={
        "description": "The report that stands now, when the replacement was replaced too."})


class VerdictSchema(Schema):
    status = fields.String(validate=validate.OneOf(VERDICTS), metadata={
        "description": "genuine: issued here and current; superseded: issued here, but a "
                       "later report for the same clinic and dates replaced it; not_issued: "
                       "no report issued here has exactly these bytes."})
    headline = fields.String()
    summary = fields.String()
    message = fields.String()
    code = fields.String(allow_none=True)
    clinic_id = fields.Integer(allow_none=True)
    as_of = fields.Date(allow_none=True)
    known_on = fields.Date(allow_none=True)
    issued_at = UtcDateTime(allow_none=True)
    signature = fields.Dict(allow_none=True, metadata={
        "description": "The PAdES signature's state, when the report was signed."})
    superseded_by = fields.Nested(SupersededBySchema, allow_none=True)
