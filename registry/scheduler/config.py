"""The schedule setting: `job=when` pairs separated by ";", checked when the process starts."""

from dataclasses import dataclass

from registry.scheduler.jobs import job_target
from registry.scheduler.timing import Timing, parse_when


class ScheduleError(ValueError):
    """The schedule setting cannot be used; the message names the pair at fault."""


@dataclass(frozen=True)
class Entry:
    """One scheduled job: its name (as recorded in JobRun.job), when, and its function."""

    job: str
    when: str
    timing: Timing
    target: str


def parse_schedule(text: str) -> list[Entry]:
    """The entries of a schedule setting, in order; ScheduleError on the first bad pair."""
    entries = []
    for pair in filter(None, (part.strip() for part in text.split(";"))):
        job, sep, when = pair.partition("=")
        job, when = job.strip(), " ".join(when.lower().split())
        try:
            if not sep or not job:
                raise ValueError("expected job=when")
            if any(entry.job == job for entry in entries):
                raise ValueError(f"{job} is scheduled twice")
            entries.append(Entry(job, when, parse_when(when), job_target(job)))
        except ValueError as exc:
            raise ScheduleError(f"REGISTRY_SCHEDULE: {pair!r}: {exc}") from None
    if not entries:
        raise ScheduleError("REGISTRY_SCHEDULE names no jobs")
    return entries
