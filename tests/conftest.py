"""Test fixtures: an application per test on a fresh, migrated SQLite or PostgreSQL database."""

import os
import shutil
import threading
import uuid
from contextlib import contextmanager, suppress
from pathlib import Path

import psycopg2
import pytest
from psycopg2 import errors, sql
from werkzeug.serving import make_server

from registry import create_app
from registry.db import bind, db
from registry.settings import load_settings

POSTGRES_URL = os.environ.get(
    "REGISTRY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
# CI sets this so that an unreachable server fails the run instead of skipping.
POSTGRES_REQUIRED = os.environ.get("REGISTRY_TEST_POSTGRES") == "required"
BACKENDS = ("sqlite", "postgresql")
TEST_SECRET = "test-secret-key-" + "x" * 32
TEST_AUDIT_KEY = "test-audit-key-" + "y" * 32
# PostgreSQL tests migrate as the tables' owner and serve as the runtime role, as deployed.
ROLES = {"owner": "registry_owner_test", "runtime": "registry_app_test"}


def pytest_generate_tests(metafunc):
    """Every test that touches the database runs once per backend."""
    if "backend" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("postgresql")
        backends = ("postgresql",) if marker else BACKENDS
        metafunc.parametrize("backend", backends, indirect=True)


def _postgres_admin():
    connection = psycopg2.connect(POSTGRES_URL, connect_timeout=3)
    connection.autocommit = True
    return connection


def _url_for(name: str, role: str = "superuser") -> str:
    base, _, _ = POSTGRES_URL.rpartition("/")
    if role != "superuser":
        scheme, _, rest = base.partition("://")
        base = f"{scheme}://{ROLES[role]}@{rest.rpartition('@')[2]}"
    return f"{base}/{name}"


def as_role(url: str, role: str) -> str:
    """The same PostgreSQL database as `url`, connected as "owner", "runtime" or "superuser"."""
    return _url_for(url.rpartition("/")[2], role)


def _create_role(admin, name: str) -> None:
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,))
        if cursor.fetchone():
            return
        # Another test run may create it meanwhile.
        with suppress(errors.DuplicateObject):
            cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(name)))


def _drop_role(admin, name: str) -> None:
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
    except errors.DependentObjectsStillExist:
        pass  # another test run's databases still use it; the last one drops it


def _migrate(url: str, grant: str | None = None) -> None:
    from registry import roles, schema

    database = bind(url)
    with database.connection_context():
        schema.upgrade()
        if grant:
            roles.grant_runtime(database, grant)
    # Really close the pooled connection, so SQLite folds its WAL into the file copied next.
    database.close_all()


@pytest.fixture(scope="session")
def postgres_template():
    """A migrated PostgreSQL database that each test's database is copied from."""
    try:
        admin = _postgres_admin()
    except psycopg2.OperationalError as exc:
        if POSTGRES_REQUIRED:
            pytest.fail(f"PostgreSQL is required but unreachable at {POSTGRES_URL}: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {POSTGRES_URL}")
    for role in ROLES.values():
        _create_role(admin, role)
    name = f"registry_template_{os.getpid()}"
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(
            sql.Identifier(name), sql.Identifier(ROLES["owner"])))
    _migrate(_url_for(name, "owner"), grant=ROLES["runtime"])
    yield name
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    for role in (ROLES["runtime"], ROLES["owner"]):
        _drop_role(admin, role)
    admin.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "registry.sqlite3"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def backend(request):
    return request.param


@pytest.fixture
def database_url(backend, request, tmp_path):
    """A fresh migrated database for one test, dropped afterwards."""
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "registry.sqlite3"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    name = f"registry_test_{uuid.uuid4().hex[:12]}"
    admin = _postgres_admin()
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {} OWNER {} STRATEGY FILE_COPY")
                       .format(sql.Identifier(name), sql.Identifier(template),
                               sql.Identifier(ROLES["owner"])))
    owner = request.node.get_closest_marker("database_owner")
    yield _url_for(name, "owner" if owner else "runtime")
    if not db.obj.is_closed():
        db.obj.close()
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
    admin.close()


@pytest.fixture
def empty_database_url(backend, request, tmp_path):
    """A database with no tables at all, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    request.getfixturevalue("postgres_template")  # skips or fails like the other PG tests
    name = f"registry_empty_{uuid.uuid4().hex[:12]}"
    admin = _postgres_admin()
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield _url_for(name)
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
    admin.close()


def make_settings(tmp_path: Path, database_url: str, **overrides):
    values = {
        "env": "testing",
        "instance_path": tmp_path / "instance",
        "database_url": database_url,
        "secret_key": TEST_SECRET,
        "audit_key": TEST_AUDIT_KEY,
        **overrides,
    }
    return load_settings(environ={}, **values)


@contextmanager
def running_app(settings):
    """An application inside its app context, with a database connection open."""
    application = create_app(settings)
    with application.app_context():
        db.connect(reuse_if_open=True)
        yield application
        if not db.is_closed():
            db.close()


@pytest.fixture
def app(database_url, tmp_path):
    """The application, inside an app context, with a database connection open."""
    with running_app(make_settings(tmp_path, database_url)) as application:
        yield application


@pytest.fixture
def http():
    """A real HTTP server on 127.0.0.1 playing scripted answers (tests/http_source.py)."""
    from tests.http_source import HttpSource

    with HttpSource() as server:
        yield server


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def live_server(app):
    """The test's application on 127.0.0.1 at a port the system picks; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
    # Connections the server's threads returned to the pool; this thread's stays open.
    db.obj.close_idle()
