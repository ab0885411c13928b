"""What the registry had on record by the end of a day, read back from the audit trail.

Every change to a clinic's records appends an audit event in the same transaction, with the
moment and each field's old and new value. So the registry as it stood on day K is today's
rows, less those created after K, with each field changed after K put back to the value it
had before its first later change. Records kept as versions (credential periods, holds,
status changes) carry their own recorded time and are filtered on it instead.
"""

from datetime import date, datetime, time, timedelta

from registry.db import db
from registry.models import AuditEvent


def end_of(day: date) -> datetime:
    """The first moment after the day (naive UTC), as recorded times are compared."""
    return datetime.combine(day + timedelta(days=1), time())


def _restored(field: str, value):
    # Events keep dates as ISO text; the registry names its date fields *_on.
    if isinstance(value, str) and field.endswith("_on"):
        return date.fromisoformat(value[:10])
    if isinstance(value, str) and field.endswith("_at"):
        return datetime.fromisoformat(value)
    return value


class Knowledge:
    """Today's knowledge, or what was on record by the end of one past day."""

    __slots__ = ("known_on", "until", "_created", "_earlier")

    def __init__(self, known_on: date | None = None):
        self.known_on = known_on
        self.until = end_of(known_on) if known_on else None
        self._created: set = set()
        self._earlier: dict = {}

    @classmethod
    def load(cls, clinic_ids, known_on: date | None) -> "Knowledge":
        """Knowledge for the clinics' records as of the end of known_on (None: now)."""
        knowledge = cls(known_on)
        if known_on is None:
            return knowledge
        chains = [f"clinic:{cid}" for cid in clinic_ids]
        events = db.execute(
            AuditEvent.select(AuditEvent.action, AuditEvent.entity, AuditEvent.entity_id,
                              AuditEvent.changes)
            .where(AuditEvent.chain.in_(chains) & (AuditEvent.occurred_at >= knowledge.until))
            .order_by(AuditEvent.id).tuples())
        for action, entity, entity_id, changes in events:
            key = (entity, str(entity_id))
            if action == "create":
                knowledge._created.add(key)
                continue
            earlier = knowledge._earlier.setdefault(key, {})
            for name, pair in AuditEvent.changes.python_value(changes).items():
                earlier.setdefault(name, pair[0])
        return knowledge

    @property
    def everything(self) -> bool:
        return self.until is None

    def recorded(self, moment) -> bool:
        """Whether something recorded at this moment was on record (None: always)."""
        if self.until is None or moment is None:
            return True
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        return moment < self.until

    def knows(self, entity: str, key, created_at=None) -> bool:
        """Whether the row was on record: by its own time when it has one, else its event."""
        if self.until is None:
            return True
        if created_at is not None:
            return self.recorded(created_at)
        return (entity, str(key)) not in self._created

    def value(self, entity: str, key, field: str, current):
        """The field's value as it stood on record then."""
        if self.until is None:
            return current
        earlier = self._earlier.get((entity, str(key)))
        if earlier is None or field not in earlier:
            return current
        old = earlier[field]
        return current if old == "[redacted]" else _restored(field, old)
