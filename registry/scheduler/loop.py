"""The scheduler's loop: stand by until leading, catch up, then run each job at its times."""

import logging
import os
import signal
import threading
import time
from contextlib import contextmanager

import schedule

from registry.clock import utcnow
from registry.scheduler import runs
from registry.scheduler.runs import run_slot, runner_name

log = logging.getLogger(__name__)
# The longest the loop sleeps before looking at its stop flag and its lock again.
TICK_SECONDS = 1.0


class Stop:
    """Set by SIGTERM or SIGINT; the loop looks at it at least once a second."""

    def __init__(self):
        self.requested = False

    def __call__(self, *_):
        self.requested = True

    def sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.requested and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, TICK_SECONDS))


@contextmanager
def stopped_by_signals(stop: Stop):
    """SIGTERM and SIGINT set stop during the block (only the main thread can catch them)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, stop) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextmanager
def utc_clock():
    """The schedule library reads the local clock: set it to UTC during the block."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = previous
        time.tzset()


def due(entry) -> None:
    """Run the entry's job for its most recent slot, unless that slot has a run already."""
    run_slot(entry, entry.timing.slot(utcnow()))


def build(entries) -> schedule.Scheduler:
    """The library's scheduler, with a job per entry tagged with the entry's name."""
    scheduler = schedule.Scheduler()
    for entry in entries:
        entry.timing.job(scheduler).tag(entry.job).do(due, entry)
    align(scheduler, entries)
    return scheduler


def align(scheduler: schedule.Scheduler, entries) -> None:
    for entry in entries:
        for job in scheduler.get_jobs(entry.job):
            entry.timing.align(job)


def lead(entries, lock, stop: Stop, once: bool = False) -> None:
    """Catch up each job's most recent slot, then run jobs when due until stopped."""
    scheduler = build(entries)
    try:
        interrupted = runs.close_interrupted()
    except Exception as exc:
        # Like a run that cannot be recorded: said, and the loop goes on.
        log.error("earlier runs not checked: %s: %s", type(exc).__name__, exc)
        interrupted = 0
    if interrupted:
        log.warning("%d run(s) of an earlier leader were interrupted", interrupted)
    for entry in entries:
        if stop.requested:
            return
        due(entry)
    while not (once or stop.requested):
        # Checked before each round, so a leader that lost the lock runs nothing more.
        if not lock.held():
            log.warning("lost the scheduler lock")
            return
        scheduler.run_pending()
        align(scheduler, entries)
        stop.sleep(min(max(scheduler.idle_seconds, 0.0), TICK_SECONDS))


def run(entries, lock, stop: Stop, once: bool = False, standby_retry: float = 5.0) -> bool:
    """Lead while holding the lock, else stand by and retry; True if this process led."""
    led = waiting = False
    while not stop.requested:
        if lock.acquire():
            log.info("leading as %s: %s", runner_name(),
                     "; ".join(f"{entry.job}={entry.when}" for entry in entries))
            led, waiting = True, False
            try:
                lead(entries, lock, stop, once)
            finally:
                lock.release()
            if once:
                break
            continue
        if not waiting:
            log.info("standby as %s: another scheduler is leading; trying again every %g s",
                     runner_name(), standby_retry)
            waiting = True
        if once:
            break
        stop.sleep(standby_retry)
    if stop.requested:
        log.info("stopped")
    return led
