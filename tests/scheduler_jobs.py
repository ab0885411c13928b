"""Jobs for the scheduler's tests: each runs in the app context and leaves a trace."""

import os
from pathlib import Path

from flask import current_app

from registry.models import JobRun

TRACE = "scheduler-trace.txt"


def trace_path() -> Path:
    return Path(current_app.instance_path) / TRACE


def append() -> str:
    """Append this process's id to the trace, one line per run."""
    path = trace_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as trace:
        trace.write(f"{os.getpid()}\n")
    return "one line appended"


def count_runs() -> str:
    """Read the database, which is open while a job runs."""
    return f"{JobRun.select().count()} runs recorded"


def fail():
    raise RuntimeError("source unavailable")
