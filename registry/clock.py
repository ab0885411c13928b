"""Server time: naive UTC datetimes everywhere they are stored, and one way to stop the clock."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

_frozen: datetime | None = None


def utcnow() -> datetime:
    """The current UTC time without tzinfo, as stored in the database."""
    return _frozen if _frozen is not None else datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    return utcnow().date()


@contextmanager
def frozen(moment: datetime) -> Iterator[None]:
    """Every reading of the clock answers this moment (naive UTC) until the block ends.

    For reproducing what the registry said on a past day, in tests and in the demo loader."""
    global _frozen
    previous, _frozen = _frozen, moment
    try:
        yield
    finally:
        _frozen = previous
