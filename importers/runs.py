"""Recording import runs: counts, status, and each rejected row with its reason."""

from collections import Counter

from registry.clock import utcnow
from registry.models import ImportRun, RejectedRow

COUNTS = ("fetched", "created", "updated", "unchanged", "rejected")
# A rejected row keeps at most this much of its raw content.
RAW_LIMIT = 20_000
SAMPLE = 50


class Rejected(Exception):
    """A row that cannot be imported; the message is the reason kept with it."""


def field_reason(errors: dict) -> str:
    """marshmallow's field errors as one line naming each field."""
    parts = []
    for name, messages in errors.items():
        if isinstance(messages, dict):
            messages = [f"{k}: {v}" for k, v in messages.items()]
        parts.append(f"{name}: {' '.join(map(str, messages))}")
    return "; ".join(parts)


class RunRecord:
    """One run of one source; counts accumulate and are written with each committed chunk."""

    def __init__(self, source: str, triggered_by: str):
        self.source = source
        self.triggered_by = triggered_by
        self.counts = Counter()
        self.pending_rejects: list[dict] = []
        # The first rejected rows (row number, reason), for a summary.
        self.sample: list[tuple[int, str]] = []
        self.run: ImportRun | None = None

    def start(self) -> ImportRun:
        interrupted = (ImportRun.update(status="failed", finished_at=utcnow(),
                                        message="interrupted before it finished")
                       .where((ImportRun.source == self.source)
                              & (ImportRun.status == "running")))
        interrupted.execute()
        self.run = ImportRun.create(source=self.source, triggered_by=self.triggered_by)
        return self.run

    def reject(self, row_number: int, reason: str, raw) -> None:
        self.counts["rejected"] += 1
        if len(self.sample) < SAMPLE:
            self.sample.append((row_number, reason))
        self.pending_rejects.append({"run": self.run.id, "row_number": row_number,
                                     "reason": reason[:2000], "raw": _bounded(raw)})

    def flush(self) -> None:
        """Write the rejected rows and counts so far; call inside the chunk's transaction."""
        if self.pending_rejects:
            RejectedRow.insert_many(self.pending_rejects).execute()
            self.pending_rejects = []
        ImportRun.update({getattr(ImportRun, name): self.counts[name] for name in COUNTS}).where(
            ImportRun.id == self.run.id).execute()

    def finish(self, status: str, message: str | None = None) -> ImportRun:
        ImportRun.update(status=status, finished_at=utcnow(), message=message,
                         **{name: self.counts[name] for name in COUNTS}).where(
            ImportRun.id == self.run.id).execute()
        return ImportRun.get_by_id(self.run.id)


def _bounded(raw):
    if raw is None:
        return None
    text = str(raw)
    if len(text) > RAW_LIMIT:
        return {"truncated": text[:RAW_LIMIT]}
    return raw
