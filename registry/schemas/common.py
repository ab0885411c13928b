"""Base schema and validators shared by every resource."""

import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, pre_load, validate

US_STATES = (
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
    "VT", "VA", "WA", "WV", "WI", "WY", "PR", "GU", "VI", "AS", "MP",
)

# Record ids fit a 32-bit signed integer column on every supported database.
MAX_ID = 2**31 - 1

CI_NUMBER = re.compile(r"^(?:CI\s?)?(\d{5})$")
CAS_NUMBER = re.compile(r"^(\d{2,7})-(\d{2})-(\d)$")


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_contains_nul(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_contains_nul(item) for item in value)
    return False


class NoNulText:
    """Input text with a NUL character is refused (422): PostgreSQL cannot store or compare it."""

    @pre_load
    def _refuse_nul(self, data, **_kwargs):
        if _contains_nul(data):
            raise ValidationError("Text may not contain NUL characters.")
        return data


class BaseSchema(NoNulText, Schema):
    """Unknown fields are an error: a silently dropped field is lost data."""

    class Meta:
        unknown = RAISE


class RecordId(fields.Integer):
    """The id of a record: a whole number from 1 to MAX_ID."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class UtcDateTime(fields.DateTime):
    """A moment stored as naive UTC: written with its +00:00 offset (an RFC 3339 date-time),
    read in any offset and turned into naive UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment.tzinfo is None:
            return moment
        try:
            return moment.astimezone(UTC).replace(tzinfo=None)
        except OverflowError as exc:
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE) from exc


def state_field(**kwargs):
    return fields.String(validate=validate.OneOf(US_STATES, error="Not a US state code."), **kwargs)


# Text longer than a line is free text: it may break lines (CR LF from a browser) and indent.
LINE_LENGTH = 255
LINE_BREAKS = "\r\n\t"


class VisibleText(validate.Validator):
    """Refuses control and format characters (Unicode Cc and Cf): a bidirectional override or
    a zero-width character makes text read as something other than what is stored."""

    def __init__(self, allowed: str = ""):
        self.allowed = allowed

    def __call__(self, value: str) -> str:
        for character in value:
            if character not in self.allowed and unicodedata.category(character) in ("Cc", "Cf"):
                raise ValidationError(
                    f"Remove the invisible character U+{ord(character):04X}; "
                    f"{'only line breaks and tabs are' if self.allowed else 'none is'} allowed.")
        return value


def text(max_length=LINE_LENGTH, *, multiline: bool | None = None, **kwargs):
    """A string of bounded length with no invisible characters; blank counts as missing.
    Free text (longer than a line, unless said otherwise) keeps line breaks and tabs."""
    if multiline is None:
        multiline = max_length > LINE_LENGTH
    return fields.String(validate=[validate.Length(min=1, max=max_length),
                                   VisibleText(LINE_BREAKS if multiline else "")], **kwargs)


def choice(options, **kwargs):
    return fields.String(validate=validate.OneOf(options), **kwargs)


class ColourIndexNumber(fields.String):
    """A Colour Index generic number, stored as 'CI 77266'."""

    def _deserialize(self, value, attr, data, **kwargs):
        return normalise_ci_number(super()._deserialize(value, attr, data, **kwargs))


class CASNumber(fields.String):
    """A CAS registry number with a valid check digit."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip()
        validate_cas_number(value)
        return value


def normalise_ci_number(value: str) -> str:
    """'77266', 'CI77266' and 'CI 77266' all become 'CI 77266'."""
    match = CI_NUMBER.match(value.strip().upper())
    if not match:
        raise ValidationError("A Colour Index number looks like 'CI 77266'.")
    return f"CI {match.group(1)}"


def validate_cas_number(value: str) -> None:
    """CAS registry numbers carry a check digit: the weighted sum of the other digits mod 10."""
    match = CAS_NUMBER.match(value.strip())
    if not match:
        raise ValidationError("A CAS number looks like '1333-86-4'.")
    digits = (match.group(1) + match.group(2))[::-1]
    total = sum((i + 1) * int(d) for i, d in enumerate(digits))
    if total % 10 != int(match.group(3)):
        raise ValidationError("CAS number check digit does not match.")


def require_order(data: dict, earlier: str, later: str, message: str) -> None:
    """Raise on the later field when both dates are present and out of order."""
    if data.get(earlier) and data.get(later) and data[later] < data[earlier]:
        raise ValidationError(message, later)


class QuerySchema(NoNulText, Schema):
    """Filters in a query string; page and page_size belong to pagination, so others pass."""

    class Meta:
        unknown = EXCLUDE
