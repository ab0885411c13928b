"""Runs of a job: claiming a slot with a JobRun row, running the job, recording the outcome."""

import logging
import os
import socket
from datetime import datetime

from peewee import IntegrityError

from registry.clock import utcnow
from registry.db import connection, write_transaction
from registry.models import JobRun
from registry.scheduler.config import Entry
from registry.scheduler.jobs import resolve

log = logging.getLogger(__name__)


def runner_name() -> str:
    """Who runs jobs here, as recorded in JobRun.runner: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(job: str, slot: datetime) -> JobRun | None:
    """Insert the slot's row in a committed transaction of its own; None if it has one."""
    try:
        with write_transaction():
            return JobRun.create(job=job, slot=slot, runner=runner_name(), started_at=utcnow())
    except IntegrityError:
        return None


def close_interrupted() -> int:
    """Mark runs left "running" by a leader that died as failed; call once the lock is held,
    when no other runner can be running. Their slots are not run again."""
    with connection(), write_transaction():
        return (JobRun.update(status="failed", finished_at=utcnow(),
                              message="interrupted: the scheduler running it stopped")
                .where((JobRun.status == "running") & (JobRun.runner != runner_name()))
                .execute())


def finish(run: JobRun, status: str, message: str | None) -> None:
    run.status, run.finished_at, run.message = status, utcnow(), message
    run.save()


def run_slot(entry: Entry, slot: datetime) -> JobRun | None:
    """Run the entry's job for slot unless a run has claimed it; never raises.

    Logs name the job, the slot and the outcome (a summary, or the exception's type and
    message), never the data the job handled.
    """
    try:
        with connection():
            run = claim(entry.job, slot)
            if run is None:
                log.debug("%s %s: already claimed", entry.job, slot.isoformat())
                return None
            log.info("%s %s: started", entry.job, slot.isoformat())
            try:
                summary = resolve(entry.target)()
            except Exception as exc:
                message = f"{type(exc).__name__}: {exc}"
                log.error("%s %s: failed: %s", entry.job, slot.isoformat(), message)
                finish(run, "failed", message)
            else:
                message = None if summary is None else str(summary)
                log.info("%s %s: succeeded%s", entry.job, slot.isoformat(),
                         f": {message}" if message else "")
                finish(run, "succeeded", message)
            return run
    except Exception as exc:
        # The database itself failed: the loop goes on, and the next slot tries again.
        log.error("%s %s: not recorded: %s: %s", entry.job, slot.isoformat(),
                  type(exc).__name__, exc)
        return None
