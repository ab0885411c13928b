"""When a job runs: the forms of `when`, the UTC slot a run belongs to, the library's job."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import schedule

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400,
           **{weekday: 7 * 86400 for weekday in WEEKDAYS}}
EPOCH = datetime(1970, 1, 1)
FORMS = ("expected 'every N seconds|minutes|hours|days', 'daily at HH:MM', 'hourly at :MM' "
         "or '<weekday> at HH:MM'")
EVERY = re.compile(r"every (\d+) (second|minute|hour|day)s?")
AT = re.compile(r"(\w+) at (\d{1,2})?:(\d\d)")


@dataclass(frozen=True)
class Timing:
    """Every `interval` `unit`s, or, when `minute` is set, at hour:minute daily, hourly or weekly.

    `unit` is seconds, minutes, hours or days, or a weekday's name for weekly runs.
    """

    unit: str
    interval: int = 1
    hour: int = 0
    minute: int | None = None

    @property
    def period(self) -> timedelta:
        """The time from one slot to the next."""
        return timedelta(seconds=self.interval * SECONDS[self.unit])

    def slot(self, now: datetime) -> datetime:
        """The most recent slot at or before now (naive UTC): the time the run was due.

        Plain intervals fall on a grid counted from the epoch, so every process agrees.
        """
        if self.minute is None:
            return EPOCH + (now - EPOCH) // self.period * self.period
        start = now.replace(minute=self.minute, second=0, microsecond=0)
        if self.unit != "hours":
            start = start.replace(hour=self.hour)
        if self.unit in WEEKDAYS:
            start -= timedelta(days=(now.weekday() - WEEKDAYS.index(self.unit)) % 7)
        return start if start <= now else start - self.period

    def job(self, scheduler: schedule.Scheduler) -> schedule.Job:
        """The schedule library's job for this timing, ready for .do() (local clock on UTC)."""
        job = getattr(scheduler.every(self.interval), self.unit)
        if self.minute is None:
            return job
        if self.unit == "hours":
            return job.at(f":{self.minute:02d}")
        return job.at(f"{self.hour:02d}:{self.minute:02d}")

    def align(self, job: schedule.Job) -> None:
        """Put a plain interval's next run back on the grid of its slots.

        The library counts an interval from the end of the last run, which drifts by the
        length of every run; `at` jobs need no help.
        """
        if self.minute is None:
            job.next_run = self.slot(job.next_run - self.period) + self.period


def parse_when(text: str) -> Timing:
    """A Timing from one `when` in lower case; ValueError says what was wrong."""
    if match := EVERY.fullmatch(text):
        if int(match[1]) < 1:
            raise ValueError("the interval must be at least 1")
        return Timing(match[2] + "s", interval=int(match[1]))
    match = AT.fullmatch(text)
    if not match or match[1] not in ("daily", "hourly", *WEEKDAYS):
        raise ValueError(FORMS)
    hourly = match[1] == "hourly"
    if hourly != (match[2] is None):
        raise ValueError("'hourly at' takes :MM; 'daily at' and weekdays take HH:MM")
    hour, minute = int(match[2] or 0), int(match[3])
    if hour > 23 or minute > 59:
        raise ValueError("hours run 00-23 and minutes 00-59")
    unit = "hours" if hourly else "days" if match[1] == "daily" else match[1]
    return Timing(unit, hour=hour, minute=minute)
