"""Migrations: the migrated schema is the models' schema, upgrades are idempotent and keep data."""

import pytest
from peewee import DatabaseError
from playhouse.migrations import Runner

from registry import demo, schema
from registry.db import db, open_database
from registry.models import ALL_MODELS, AuditEvent, Clinic, Procedure
from registry.services import audit
from tests.factories import make_clinic


def describe(database) -> dict:
    """Tables as the database reports them: columns, indexes and foreign keys."""
    tables = {}
    for table in database.get_tables():
        if table == "schema_migration":
            continue
        tables[table] = {
            "columns": sorted((c.name, c.data_type.lower(), c.null, c.primary_key)
                              for c in database.get_columns(table)),
            "indexes": sorted((tuple(i.columns), i.unique) for i in database.get_indexes(table)),
            "foreign_keys": sorted((f.column, f.dest_table, f.dest_column)
                                   for f in database.get_foreign_keys(table)),
        }
    return tables


@pytest.mark.database_owner
def test_migrated_schema_equals_the_models(app, empty_database_url):
    migrated = describe(db.obj)
    reference = open_database(empty_database_url)
    with reference.connection_context(), reference.bind_ctx(ALL_MODELS):
        reference.create_tables(ALL_MODELS)
        from_models = describe(reference)
    assert migrated == from_models
    assert set(migrated) == {m._meta.table_name for m in ALL_MODELS}


def test_upgrade_from_empty_then_again_changes_nothing(app, empty_database_url, runner):
    from registry.db import bind

    bind(empty_database_url)
    db.connect()
    try:
        first = runner.invoke(args=["db", "upgrade"])
        second = runner.invoke(args=["db", "upgrade"])
        status = runner.invoke(args=["db", "status"])
    finally:
        db.close()
    assert first.exit_code == 0 and "applied: 0001_initial, 0002" in first.output
    assert second.exit_code == 0 and "database is current" in second.output
    assert "0001_initial: applied" in status.output and "pending" not in status.output


def test_upgrading_a_database_that_holds_data_keeps_the_data(app, empty_database_url, runner):
    from registry.db import bind

    bind(empty_database_url)
    db.connect()
    try:
        first = schema.runner().migrations()[0].name
        Runner(db.obj, directory=str(schema.MIGRATIONS_DIR)).up(target=first)
        # Rows written by the first version of the schema, as it stood then.
        db.execute_sql("INSERT INTO clinic (name, state, timezone, disciplines, created_at) "
                       "VALUES ('Old Clinic', 'OR', 'America/Los_Angeles', 'smp', "
                       "'2024-01-01 00:00:00')")
        db.execute_sql("INSERT INTO client (clinic_id, reference, created_at) "
                       "VALUES (1, 'OLD-1', '2024-01-01 00:00:00')")
        db.execute_sql("INSERT INTO practitioner (first_name, last_name, created_at) "
                       "VALUES ('Pat', 'Old', '2024-01-01 00:00:00')")
        db.execute_sql(
            "INSERT INTO procedure (clinic_id, practitioner_id, client_id, performed_on, "
            "discipline, body_area, session_number, consent_on_file, parental_consent_on_file, "
            "aftercare_given, status, created_at) VALUES (1, 1, 1, '2024-02-01', 'smp', "
            "'scalp', 1, %s, %s, %s, 'completed', '2024-02-01 10:00:00')"
            .replace("%s", db.obj.param), (True, False, True))
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0 and "applied:" in result.output
        procedure = Procedure.get()
        assert procedure.body_area == "scalp" and procedure.consent_on_file
        assert procedure.is_cover_up is False
        assert Clinic.get().name == "Old Clinic"
        assert schema.is_current()
    finally:
        db.close()


@pytest.mark.database_owner
def test_upgrading_a_current_database_with_data_changes_nothing(app, runner):
    demo.load()
    counts = {m.__name__: m.select().count() for m in ALL_MODELS}
    result = runner.invoke(args=["db", "upgrade"])
    assert "database is current" in result.output
    assert {m.__name__: m.select().count() for m in ALL_MODELS} == counts
    assert all(report.ok for report in audit.verify())


@pytest.mark.database_owner
def test_every_migration_goes_down_and_up_again(app, empty_database_url):
    names = [m.name for m in schema.runner().migrations()]
    runner = schema.runner()
    reverted = []
    while applied := [m for m in runner.status() if m.applied]:
        reverted += runner.down()
        assert len(applied) - 1 == len([m for m in runner.status() if m.applied])
    assert reverted == list(reversed(names))
    assert "audit_event" not in db.get_tables()
    assert schema.upgrade() == names
    assert AuditEvent.select().count() == 0
    reference = open_database(empty_database_url)
    with reference.connection_context(), reference.bind_ctx(ALL_MODELS):
        reference.create_tables(ALL_MODELS)
        assert describe(db.obj) == describe(reference)
    make_clinic()
    with pytest.raises(DatabaseError, match="append-only"), db.atomic():
        db.execute_sql("DELETE FROM audit_event")
