"""Server time: naive UTC datetimes everywhere they are stored."""

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """The current UTC time without tzinfo, as stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    return utcnow().date()
