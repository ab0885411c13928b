"""Leadership: one scheduler at a time runs the jobs; the others stand by until it stops."""

import contextlib
import fcntl
import logging
import os
from pathlib import Path

import psycopg2
from flask import current_app
from playhouse.db_url import parse

from registry.db import is_postgresql

log = logging.getLogger(__name__)
# Any fixed key does, so long as every scheduler of a database uses the same one.
ADVISORY_KEY = int.from_bytes(b"schedule", "big")
LOCK_FILE = "scheduler.lock"


class AdvisoryLock:
    """PostgreSQL: pg_try_advisory_lock on a connection of its own, kept open while leading.

    The server drops the lock with that connection, so a leader that dies, even by SIGKILL,
    hands over as soon as its connection closes.
    """

    def __init__(self, url: str):
        self.url = url
        self.connection = None

    def acquire(self) -> bool:
        params = {"connect_timeout": 5, "application_name": "registry scheduler",
                  **parse(self.url)}
        connection = taken = None
        try:
            connection = psycopg2.connect(**params)
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", (ADVISORY_KEY,))
                taken = cursor.fetchone()[0]
        except psycopg2.Error as exc:
            log.warning("cannot take the scheduler lock: %s", type(exc).__name__)
        if taken:
            self.connection = connection
        elif connection is not None:
            connection.close()
        return bool(taken)

    def held(self) -> bool:
        """Whether the lock's connection still answers; the lock lives as long as it does."""
        try:
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return True
        except psycopg2.Error:
            return False

    def release(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(psycopg2.Error):
                self.connection.close()
            self.connection = None


class FileLock:
    """SQLite: an exclusive flock on a file; the kernel drops a dead process's lock."""

    def __init__(self, path: Path):
        self.path = path
        self.fd = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self.fd = fd
        return True

    def held(self) -> bool:
        return self.fd is not None

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def leadership() -> AdvisoryLock | FileLock:
    """The lock whose holder leads, for the app's database: advisory on PostgreSQL, else the
    file instance/scheduler.lock."""
    if is_postgresql():
        return AdvisoryLock(current_app.config["DATABASE_URL"])
    return FileLock(Path(current_app.instance_path) / LOCK_FILE)
