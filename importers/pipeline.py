"""Running one import: read, map, validate and upsert in chunks, recording the run."""

import logging
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from importers.fetch import Fetcher, FetchError, HttpSettings
from importers.runs import COUNTS, Rejected, RunRecord
from registry import locks
from registry.db import db, write_transaction
from registry.models import ImportRun

log = logging.getLogger(__name__)


class ImportRefused(Exception):
    """The import cannot start (another run of the source holds its lock, bad arguments)."""


@dataclass
class Context:
    """What a source needs to read: where from, how to fetch, and how to report progress."""

    fetcher: Fetcher
    file: Path | None = None
    url: str | None = None
    # progress(done, total): rows or bytes; total None when unknown.
    progress: Callable[[int, int | None], None] = lambda done, total: None
    chunk_size: int = 1000
    options: dict = field(default_factory=dict)
    # Set by a source whose document had not changed since the last import.
    not_modified: bool = False


@dataclass
class Outcome:
    run: ImportRun | None
    status: str
    message: str | None
    counts: dict
    rejected: list  # (row number, reason) of the first rejected rows, for a summary
    dry_run: bool = False


class DryRunRollback(Exception):
    """Raised at the end of a dry run so that its transaction is rolled back."""


def _chunks(rows: Iterator, size: int):
    """Lists of up to size rows. When reading fails, the rows read before the failure come out
    as a last chunk, so that they are saved, and then the failure is raised."""
    chunk = []
    try:
        for row in rows:
            chunk.append(row)
            if len(chunk) == size:
                yield chunk
                chunk = []
    except (FetchError, Rejected):
        if chunk:
            yield chunk
        raise
    if chunk:
        yield chunk


def run(source, *, file: Path | None = None, url: str | None = None, dry_run: bool = False,
        triggered_by: str = "cli", progress=None, options: dict | None = None) -> Outcome:
    """Import one source; each chunk commits on its own, so a crash keeps only whole chunks.

    A dry run does all the work inside one transaction and rolls it back.
    """
    settings = current_app.config["REGISTRY_SETTINGS"]
    with locks.held(f"import:{source.name}") as taken:
        if not taken:
            raise ImportRefused(f"an import of {source.name} is already running")
        with Fetcher(source.name, HttpSettings.from_settings(settings),
                     headers=source.headers(settings), auth=source.auth(settings)) as fetcher:
            context = Context(fetcher, file=file, url=url, chunk_size=settings.import_chunk_size,
                              progress=progress or (lambda done, total: None),
                              options=options or {})
            if not dry_run:
                return _run(source, context, triggered_by)
            outcome = None
            with suppress(DryRunRollback), db.atomic():
                outcome = _run(source, context, triggered_by)
                raise DryRunRollback
            outcome.run, outcome.dry_run = None, True
            return outcome


def _run(source, context: Context, triggered_by: str) -> Outcome:
    """Rows read before a failure are saved. source.after runs once all is read, and after a
    failed run that saved rows too when the source sets after_partial_runs (a roster must not:
    its check would take every credential not read yet for one missing from the roster)."""
    record = RunRecord(source.name, triggered_by)
    with write_transaction():
        record.start()
    failure = None
    try:
        for chunk in _chunks(source.read(context), context.chunk_size):
            _import_chunk(source, chunk, record)
    except (FetchError, Rejected) as exc:
        failure = exc
    saved = record.counts["created"] + record.counts["updated"]
    finish = failure is None or (saved and getattr(source, "after_partial_runs", False))
    summary = None
    if finish:
        try:
            summary = source.after(record, context)
        except (FetchError, Rejected) as exc:
            failure = failure or exc
    if failure is None:
        status, message = "succeeded", summary
    else:
        log.warning("%s import failed: %s", source.name, failure)
        status, message = "failed", "; ".join(str(part) for part in (failure, summary) if part)
    with write_transaction():
        record.flush()
        finished = record.finish(status, message)
    counts = {name: record.counts[name] for name in COUNTS}
    return Outcome(finished, status, message, counts, record.sample)


def _import_chunk(source, chunk: list, record: RunRecord) -> None:
    prepared = []
    for row_number, raw in chunk:
        record.counts["fetched"] += 1
        try:
            prepared.append(source.prepare(row_number, raw))
        except Rejected as exc:
            record.reject(row_number, str(exc), raw)
    with write_transaction():
        source.upsert(prepared, record)
        record.flush()
