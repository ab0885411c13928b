"""Named locks across processes: a PostgreSQL advisory lock, or a lock file beside SQLite."""

import fcntl
import hashlib
import os
from contextlib import contextmanager
from pathlib import Path

from flask import current_app

from registry.db import db, is_postgresql


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for pg_advisory_lock, from the lock's name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def held(name: str):
    """Try to take the lock without waiting; yields whether it was taken, releases on exit.

    On PostgreSQL the lock belongs to the open connection, so a process that dies releases it
    with its connection; on SQLite the kernel releases the file lock of a dead process.
    """
    if is_postgresql():
        key = lock_key(name)
        taken = db.execute_sql("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]
        try:
            yield taken
        finally:
            if taken:
                db.execute_sql("SELECT pg_advisory_unlock(%s)", (key,))
        return
    folder = Path(current_app.instance_path) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / f"{hashlib.sha256(name.encode()).hexdigest()[:16]}.lock",
                 os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            taken = True
        except BlockingIOError:
            taken = False
        try:
            yield taken
        finally:
            if taken:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
