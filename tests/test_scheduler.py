"""`registry scheduler`: the schedule setting, slots run once, catch-up, one leader at a time."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import psycopg2
import pytest

from registry.clock import utcnow
from registry.models import JobRun
from registry.scheduler import leader, loop
from registry.scheduler.config import Entry, ScheduleError, parse_schedule
from registry.scheduler.timing import Timing, parse_when
from tests.conftest import POSTGRES_URL, TEST_AUDIT_KEY, TEST_SECRET
from tests.scheduler_jobs import TRACE

REGISTRY = str(Path(sys.executable).with_name("registry"))
ROOT = Path(__file__).resolve().parent.parent
APPEND = "tests.scheduler_jobs:append"
FAIL = "tests.scheduler_jobs:fail"
COUNT = "tests.scheduler_jobs:count_runs"
WEDNESDAY = datetime(2026, 11, 18, 10, 0, 30)


def use_schedule(app, text: str) -> None:
    app.config["REGISTRY_SETTINGS"] = replace(app.config["REGISTRY_SETTINGS"], schedule=text)


def trace(app) -> list[str]:
    path = Path(app.instance_path) / TRACE
    return path.read_text().splitlines() if path.exists() else []


def logged(caplog) -> str:
    return "\n".join(record.getMessage() for record in caplog.records)


# The schedule setting


@pytest.mark.parametrize(("when", "now", "slot"), [
    ("every 15 minutes", WEDNESDAY, datetime(2026, 11, 18, 10, 0)),
    ("every 1 seconds", WEDNESDAY, datetime(2026, 11, 18, 10, 0, 30)),
    ("every 2 hours", datetime(2026, 11, 18, 11, 59), datetime(2026, 11, 18, 10, 0)),
    ("every 1 day", WEDNESDAY, datetime(2026, 11, 18)),
    ("daily at 05:30", WEDNESDAY, datetime(2026, 11, 18, 5, 30)),
    ("daily at 10:01", WEDNESDAY, datetime(2026, 11, 17, 10, 1)),
    ("hourly at :15", WEDNESDAY, datetime(2026, 11, 18, 9, 15)),
    ("hourly at :00", WEDNESDAY, datetime(2026, 11, 18, 10, 0)),
    ("monday at 06:15", WEDNESDAY, datetime(2026, 11, 16, 6, 15)),
    ("wednesday at 10:00", WEDNESDAY, datetime(2026, 11, 18, 10, 0)),
    ("wednesday at 10:01", WEDNESDAY, datetime(2026, 11, 11, 10, 1)),
])
def test_each_form_of_when_gives_the_most_recent_slot(when, now, slot):
    assert parse_when(when).slot(now) == slot


def test_the_default_schedule_names_the_five_jobs():
    from registry.settings import Settings

    entries = parse_schedule(Settings().schedule)
    assert [(e.job, e.when) for e in entries] == [
        ("recalls", "daily at 05:30"), ("cosmetic_events", "monday at 06:15"),
        ("rosters", "daily at 04:00"), ("reminders", "daily at 07:00"),
        ("audit_checkpoint", "daily at 03:30")]
    assert entries[3].target == "registry.services.reminders:send_due"


def test_spacing_and_case_do_not_matter_and_paths_name_their_own_jobs():
    entries = parse_schedule(f" {APPEND} =  Every 5   Minutes ;; recalls=HOURLY at :05;")
    assert [(e.job, e.timing) for e in entries] == [
        (APPEND, Timing("minutes", interval=5)), ("recalls", Timing("hours", minute=5))]
    assert entries[0].target == APPEND


@pytest.mark.parametrize(("text", "pair", "reason"), [
    ("recalls=daily at 25:00", "recalls=daily at 25:00", "hours run 00-23"),
    ("recalls=daily at 05:61", "recalls=daily at 05:61", "minutes 00-59"),
    ("recalls=at dawn", "recalls=at dawn", "expected 'every N"),
    ("recalls=every 0 minutes", "recalls=every 0 minutes", "at least 1"),
    ("recalls=every 5 weeks", "recalls=every 5 weeks", "expected 'every N"),
    ("recalls=hourly at 05:00", "recalls=hourly at 05:00", "'hourly at' takes :MM"),
    ("recalls=daily at :30", "recalls=daily at :30", "'hourly at' takes :MM"),
    ("rosters=daily at 04:00; recalls daily at 05:30", "recalls daily at 05:30", "job=when"),
    ("recalls=daily at 05:30; recalls=daily at 06:30", "recalls=daily at 06:30", "twice"),
    ("recals=daily at 05:30", "recals=daily at 05:30", "unknown job 'recals'"),
    ("tests/jobs.py=daily at 05:30", "tests/jobs.py=daily at 05:30", "unknown job"),
])
def test_a_bad_pair_is_refused_by_name(text, pair, reason):
    with pytest.raises(ScheduleError) as refused:
        parse_schedule(text)
    assert f"'{pair}'" in str(refused.value) and reason in str(refused.value)


def test_an_empty_schedule_is_refused():
    with pytest.raises(ScheduleError, match="names no jobs"):
        parse_schedule(" ; ")


@pytest.fixture
def new_york_clock():
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if previous is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = previous
    time.tzset()


def test_the_library_runs_jobs_at_utc_times_whatever_the_local_zone(new_york_clock):
    entry = Entry(APPEND, "daily at 05:30", parse_when("daily at 05:30"), APPEND)
    with loop.utc_clock():
        next_run = loop.build([entry]).next_run
        assert (next_run.hour, next_run.minute) == (5, 30)
        assert timedelta(0) < next_run - utcnow() <= timedelta(days=1)
    assert time.localtime().tm_zone in ("EST", "EDT")


def test_intervals_run_on_the_grid_of_their_slots_not_after_the_last_run():
    entry = parse_schedule(f"{APPEND}=every 15 minutes")[0]
    with loop.utc_clock():
        before = utcnow()
        scheduler = loop.build([entry])
        job = scheduler.jobs[0]
        assert job.next_run in {entry.timing.slot(now) + timedelta(minutes=15)
                                for now in (before, utcnow())}
        on_grid = job.next_run
        job.next_run += timedelta(seconds=40)  # as the library counts after a 40 s run
        loop.align(scheduler, [entry])
        assert job.next_run == on_grid


# Runs, failures and catch-up, through `registry scheduler --once`


def test_once_runs_each_job_with_the_database_open_and_records_it(app, runner):
    use_schedule(app, f"{APPEND}=every 1 hours; {COUNT}=daily at 00:00")
    hours = {now.replace(minute=0, second=0, microsecond=0) for now in [utcnow()]}
    result = runner.invoke(args=["scheduler", "--once"])
    hours.add(utcnow().replace(minute=0, second=0, microsecond=0))
    assert result.exit_code == 0, result.output
    runs = {run.job: run for run in JobRun.select()}
    assert runs[APPEND].status == runs[COUNT].status == "succeeded"
    assert runs[APPEND].message == "one line appended"
    assert runs[COUNT].message == "2 runs recorded"
    assert runs[APPEND].slot in hours
    assert runs[COUNT].finished_at >= runs[COUNT].started_at
    assert trace(app) == [str(os.getpid())]


def test_a_failing_job_is_recorded_and_the_next_job_still_runs(app, runner, caplog):
    use_schedule(app, f"{FAIL}=every 1 hours; tests.scheduler_jobs:absent=every 1 hours; "
                      f"{APPEND}=every 1 hours")
    result = runner.invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    runs = {run.job: run for run in JobRun.select()}
    assert (runs[FAIL].status, runs[FAIL].message) == ("failed", "RuntimeError: source unavailable")
    assert runs["tests.scheduler_jobs:absent"].status == "failed"
    assert runs["tests.scheduler_jobs:absent"].message.startswith("AttributeError")
    assert runs[APPEND].status == "succeeded" and len(trace(app)) == 1
    slot = runs[FAIL].slot.isoformat()
    assert f"{FAIL} {slot}: failed: RuntimeError: source unavailable" in logged(caplog)


def test_a_missed_slot_is_caught_up_once_and_only_the_most_recent(app, runner):
    at = (utcnow() - timedelta(hours=3)).strftime("%H:%M")
    use_schedule(app, f"{APPEND}=daily at {at}; {COUNT}=every 1 minutes")
    for _ in range(2):
        assert runner.invoke(args=["scheduler", "--once"]).exit_code == 0
    run = JobRun.get(JobRun.job == APPEND)
    assert run.slot == parse_when(f"daily at {at}").slot(utcnow())
    assert utcnow() - run.slot >= timedelta(hours=3)
    assert len(trace(app)) == 1
    assert JobRun.select().where(JobRun.job == COUNT).count() in (1, 2)  # a minute may turn


def test_a_slot_another_runner_claimed_is_not_run_again(app, runner):
    use_schedule(app, f"{APPEND}=every 1 hours")
    slot = parse_when("every 1 hours").slot(utcnow())
    JobRun.create(job=APPEND, slot=slot, runner="elsewhere:1")
    assert runner.invoke(args=["scheduler", "--once"]).exit_code == 0
    assert trace(app) == []
    # The runner that claimed it no longer leads, so it died holding the run.
    left = JobRun.get(JobRun.job == APPEND)
    assert (left.status, left.message) == ("failed",
                                           "interrupted: the scheduler running it stopped")


@pytest.mark.database_owner
def test_when_runs_cannot_be_recorded_the_scheduler_says_so_and_goes_on(app, runner, caplog):
    from registry.db import db

    db.execute_sql("DROP TABLE job_run")
    use_schedule(app, f"{APPEND}=every 1 hours; {COUNT}=every 1 hours")
    result = runner.invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert logged(caplog).count(": not recorded: ") == 2
    assert trace(app) == []


def test_a_bad_schedule_stops_the_command_naming_the_pair(app, runner):
    use_schedule(app, "recalls=daily at 05:30; reminders=fortnightly")
    result = runner.invoke(args=["scheduler", "--once"])
    assert result.exit_code != 0
    assert "'reminders=fortnightly'" in result.output
    assert JobRun.select().count() == 0


# Leadership


def test_a_second_scheduler_stands_by_while_the_lock_is_held(app, runner, caplog):
    use_schedule(app, f"{APPEND}=every 1 hours")
    held = leader.leadership()
    assert held.acquire()
    try:
        assert runner.invoke(args=["scheduler", "--once"]).exit_code == 0
        assert "standby as " in logged(caplog) and "leading as" not in logged(caplog)
        assert JobRun.select().count() == 0 and trace(app) == []
    finally:
        held.release()
    assert runner.invoke(args=["scheduler", "--once"]).exit_code == 0
    assert "leading as " in logged(caplog) and len(trace(app)) == 1


def test_the_lock_has_one_holder_at_a_time(app, backend):
    lock, other = leader.leadership(), leader.leadership()
    if backend == "sqlite":
        assert lock.path == Path(app.instance_path) / "scheduler.lock"
    assert lock.acquire() and not other.acquire()
    lock.release()
    assert other.acquire()
    other.release()


class FlakyLock:
    """Leads once, loses the lock at the first look, then never gets it back."""

    def __init__(self, stop):
        self.stop, self.acquired = stop, 0

    def acquire(self):
        self.acquired += 1
        if self.acquired > 1:
            self.stop.requested = True
        return self.acquired == 1

    def held(self):
        return False

    def release(self):
        pass


def test_a_leader_that_loses_its_lock_stops_running_jobs_and_stands_by(app, caplog):
    stop = loop.Stop()
    lock = FlakyLock(stop)
    entries = parse_schedule(f"{APPEND}=every 1 seconds")
    assert loop.run(entries, lock, stop, standby_retry=0.01)
    assert "lost the scheduler lock" in logged(caplog) and "standby as" in logged(caplog)
    assert lock.acquired == 2 and len(trace(app)) == 1


def test_an_unreachable_database_means_standing_by(caplog):
    lock = leader.AdvisoryLock("postgresql://postgres@127.0.0.1:1/absent")
    assert not lock.acquire()
    assert "cannot take the scheduler lock: OperationalError" in logged(caplog)


@pytest.mark.postgresql
def test_the_advisory_lock_is_lost_with_its_connection(app):
    lock, other = leader.leadership(), leader.leadership()
    assert lock.acquire() and not other.acquire()
    admin = psycopg2.connect(POSTGRES_URL)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", (lock.connection.get_backend_pid(),))
    admin.close()
    assert not lock.held()
    lock.release()
    assert other.acquire()
    other.release()


# Two processes


class Scheduler:
    """A `registry scheduler` process, its log lines collected as they come."""

    def __init__(self, environment):
        self.process = subprocess.Popen(
            [REGISTRY, "scheduler", "--standby-retry", "0.2"], env=environment,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stderr:
            self.lines.append(line)

    def says(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.reader.join(5)
        self.process.stderr.close()


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_two_processes_run_each_slot_once_and_the_standby_takes_over(app, database_url):
    environment = {
        **os.environ, "PYTHONPATH": str(ROOT), "REGISTRY_ENV": "testing",
        "REGISTRY_INSTANCE_PATH": app.instance_path, "REGISTRY_DATABASE_URL": database_url,
        "REGISTRY_SECRET_KEY": TEST_SECRET, "REGISTRY_AUDIT_KEY": TEST_AUDIT_KEY,
        "REGISTRY_SCHEDULE": f"{APPEND}=every 1 seconds", "REGISTRY_LOG_LEVEL": "INFO",
    }
    pair = [Scheduler(environment), Scheduler(environment)]
    try:
        wait_until(lambda: sum(s.says("leading as") for s in pair) == 1
                   and sum(s.says("standby as") for s in pair) == 1, 20, "a leader and a standby")
        first, second = pair if pair[0].says("leading as") else reversed(pair)
        time.sleep(2.5)
        assert not second.says("leading as")
        before_kill = utcnow()
        first.process.send_signal(signal.SIGKILL)
        first.process.wait()
        after_kill = utcnow()
        wait_until(lambda: second.says("leading as"), 10, "the standby to take over")
        time.sleep(2.5)
        second.process.send_signal(signal.SIGTERM)
        assert second.process.wait(timeout=5) == 0
        wait_until(lambda: second.says("stopped"), 5, "the stopped line")
    finally:
        for scheduler in pair:
            scheduler.stop()

    runs = list(JobRun.select().where(JobRun.job == APPEND).order_by(JobRun.slot))
    assert len({run.slot for run in runs}) == len(runs)
    by_first = [run for run in runs if run.runner.endswith(f":{first.process.pid}")]
    by_second = [run for run in runs if run.runner.endswith(f":{second.process.pid}")]
    assert runs == by_first + by_second and len(by_first) >= 2 and len(by_second) >= 2
    assert all(run.started_at <= after_kill for run in by_first)
    assert all(run.started_at >= before_kill for run in by_second)
    # SIGKILL may land during the first leader's last run, leaving it claimed but unfinished.
    assert all(run.status == "succeeded" for run in by_first[:-1] + by_second)
    lines = Counter(trace(app))
    assert lines[str(second.process.pid)] == len(by_second)
    finished = sum(run.status == "succeeded" for run in by_first)
    assert finished <= lines[str(first.process.pid)] <= len(by_first)
    assert set(lines) == {str(first.process.pid), str(second.process.pid)}
