"""Validation of mapped rows before they are written, one schema per kind of record."""

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from importers.parse import parse_date

ROSTER_STATUSES = ("active", "inactive", "pending", "expired", "suspended", "revoked")


class SourceDate(fields.Date):
    """A date in any of the forms sources use (YYYYMMDD, MM/DD/YYYY, ISO, floating timestamps)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError("Not a date.")
        try:
            return parse_date(value)
        except ValueError as exc:
            raise ValidationError(f"Not a date: {value!r}.") from exc


class RosterEntrySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    number = fields.String(required=True, validate=validate.Length(1, 64))
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    credential_type = fields.String(load_default=None, allow_none=True,
                                    validate=validate.Length(max=200))
    status = fields.String(required=True, validate=validate.OneOf(ROSTER_STATUSES))
    status_text = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=200))
    issued_on = SourceDate(load_default=None, allow_none=True)
    expires_on = SourceDate(load_default=None, allow_none=True)
