"""PostgreSQL roles: the runtime role cannot switch off the append-only trail; heads advance."""

import dataclasses

import psycopg2
import pytest

from registry import create_app
from registry.db import db
from registry.settings import SettingsError
from tests.conftest import as_role, make_settings
from tests.factories import make_clinic, make_lot

pytestmark = pytest.mark.postgresql

REFUSED_TO_THE_RUNTIME_ROLE = [
    "UPDATE audit_event SET actor = 'intruder'",
    "DELETE FROM audit_event",
    "TRUNCATE audit_event",
    "UPDATE audit_chain_head SET seq = seq + 1",
    "DELETE FROM audit_chain_head",
    "TRUNCATE audit_chain_head",
    "ALTER TABLE audit_event DISABLE TRIGGER ALL",
    "ALTER TABLE audit_chain_head DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_event_no_change ON audit_event",
    "SET session_replication_role = replica",
]


def _refused(url: str, statement: str) -> bool:
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
        return False
    except psycopg2.Error:
        return True
    finally:
        connection.rollback()
        connection.close()


@pytest.fixture
def trail(app):
    make_lot(make_clinic())
    db.close()


def test_the_runtime_role_cannot_switch_off_the_append_only_trail(trail, database_url):
    allowed = [s for s in REFUSED_TO_THE_RUNTIME_ROLE if not _refused(database_url, s)]
    assert allowed == []


def test_a_chain_head_moves_only_forward_even_for_the_owner(trail, database_url):
    owner = as_role(database_url, "owner")
    for statement in ("UPDATE audit_chain_head SET seq = seq - 1",
                      "UPDATE audit_chain_head SET seq = seq, mac = repeat('0', 64)",
                      "DELETE FROM audit_chain_head",
                      "TRUNCATE audit_chain_head"):
        assert _refused(owner, statement), statement
    assert not _refused(owner, "UPDATE audit_chain_head SET seq = seq + 1")


def test_production_refuses_a_superuser_or_owner_connection(trail, database_url, tmp_path):
    for role, reason in (("superuser", "superuser"), ("owner", "owns the audit tables")):
        settings = make_settings(tmp_path, as_role(database_url, role), env="production")
        with pytest.raises(SettingsError, match=reason):
            create_app(settings)
    create_app(make_settings(tmp_path, database_url, env="production"))


def _privileges(url: str, table: str) -> set[str]:
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT p FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', "
                "'REFERENCES', 'TRIGGER']) AS p WHERE has_table_privilege(current_user, %s, p)",
                (table,))
            return {row[0] for row in cursor.fetchall()}
    finally:
        connection.close()


def test_db_grant_gives_the_runtime_role_exactly_what_it_needs(app, database_url, runner):
    owner = as_role(database_url, "owner")
    connection = psycopg2.connect(owner)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE later_table (id serial PRIMARY KEY)")
    connection.close()
    db.close()
    app.config["REGISTRY_SETTINGS"] = dataclasses.replace(
        app.config["REGISTRY_SETTINGS"], migration_database_url=owner)
    runtime_role = psycopg2.extensions.parse_dsn(database_url)["user"]
    for _ in range(2):  # idempotent
        result = runner.invoke(args=["db", "grant", runtime_role])
        assert result.exit_code == 0, result.output
    assert _privileges(database_url, "audit_event") == {"SELECT", "INSERT"}
    assert _privileges(database_url, "audit_chain_head") == {"SELECT"}
    assert _privileges(database_url, "clinic") == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    assert _privileges(database_url, "later_table") == {"SELECT", "INSERT", "UPDATE", "DELETE"}
