"""The database handle: one DatabaseProxy, set from a URL, opened and closed per request."""

import sqlite3
from contextlib import contextmanager
from datetime import date
from urllib.parse import urlparse

from flask import g, request
from peewee import DatabaseProxy, Model, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import connect

db = DatabaseProxy()
UNCONNECTED_ENDPOINTS = {"health.healthz"}

# Durable settings for a compliance store: WAL with a full sync on commit, so an
# acknowledged audit event survives power loss; foreign keys are off in SQLite by default.
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "full",
    "foreign_keys": 1,
    "busy_timeout": 10000,
    "cache_size": -32000,
    "temp_store": "memory",
}


class BaseModel(Model):
    """Base of every table: bound to the proxy, snake_case table names."""

    class Meta:
        database = db
        legacy_table_names = False


def _sqlite_date(value: bytes) -> date:
    return date.fromisoformat(value.decode())


# DATE columns come back from SQLite as dates, as they do from PostgreSQL, so bulk reads
# (the compliance engine) need no per-value conversion in Python.
sqlite3.register_converter("DATE", _sqlite_date)


# Connections are pooled per process: a fresh SQLite connection re-reads the whole schema on
# its first statement, which cost more than a list request's own work. On check-out the pool
# tests a PostgreSQL connection with a round trip and drops it if the server has closed it.
POOL = {"max_connections": 32, "stale_timeout": 300}


def open_database(url: str):
    """A Database object for a URL; nothing connects until connect() is called."""
    scheme = urlparse(url).scheme
    if "+" not in scheme:
        url = f"{scheme}+pool{url[len(scheme):]}"
    if scheme.startswith("sqlite"):
        # A pooled connection serves whichever thread takes it next (gunicorn's gthread
        # workers); peewee keeps each connection to one thread at a time.
        return connect(url, pragmas=SQLITE_PRAGMAS, autoconnect=False,
                       detect_types=sqlite3.PARSE_DECLTYPES, check_same_thread=False, **POOL)
    return connect(url, autoconnect=False, **POOL)


def bind(url: str):
    """Point the proxy at the database named by the URL and return it."""
    database = open_database(url)
    db.initialize(database)
    return database


def is_sqlite() -> bool:
    return isinstance(db.obj, SqliteDatabase)


def is_postgresql() -> bool:
    return isinstance(db.obj, PostgresqlDatabase)


def write_transaction():
    """A transaction that takes the write lock up front.

    SQLite upgrades a read lock to a write lock lazily, and two such upgrades deadlock
    with SQLITE_BUSY; starting IMMEDIATE makes concurrent writers queue instead.
    """
    if is_sqlite() and not db.in_transaction():
        return db.atomic("IMMEDIATE")
    return db.atomic()


@contextmanager
def read_snapshot():
    """Run the block's reads against one consistent snapshot of the database.

    SQLite's deferred transaction pins the WAL snapshot at its first read; PostgreSQL's
    REPEATABLE READ pins it at the first statement. Inside a transaction already open (a
    write, or an enclosing snapshot) the block simply joins it.
    """
    if db.in_transaction():
        yield
        return
    if is_postgresql():
        with db.atomic(isolation_level="REPEATABLE READ"):
            db.execute_sql("SET TRANSACTION READ ONLY")
            yield
        return
    with db.atomic("DEFERRED"):
        yield


@contextmanager
def connection():
    """A connection for a command; closed afterwards only if this opened it."""
    opened = db.connect(reuse_if_open=True)
    try:
        yield db
    finally:
        if opened and not db.is_closed():
            db.close()


def init_app(app):
    """Bind the proxy to the configured URL and open/close a connection per request."""
    bind(app.config["DATABASE_URL"])
    settings = app.config.get("REGISTRY_SETTINGS")
    if settings is not None and settings.is_production and is_postgresql():
        from registry.roles import refuse_privileged_runtime

        with connection():
            refuse_privileged_runtime(db)

    @app.before_request
    def _connect():
        # /healthz opens its own connection so that a failure is its answer, not an error.
        if request.endpoint in UNCONNECTED_ENDPOINTS:
            return
        # Close at teardown only what this request opened (a CLI or test may hold one).
        g.db_opened_here = db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(_exc):
        if g.pop("db_opened_here", False) and not db.is_closed():
            db.close()
