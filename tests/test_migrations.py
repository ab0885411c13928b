"""Migrations: the migrated schema is the models' schema, upgrades are idempotent and keep data."""

import shutil

import pytest
from peewee import DatabaseError
from playhouse.migrations import Runner

from registry import demo, schema
from registry.db import db, open_database
from registry.models import ALL_MODELS, AuditEvent, Clinic
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
    assert first.exit_code == 0 and "applied: 0001_initial" in first.output
    assert second.exit_code == 0 and "database is current" in second.output
    assert "0001_initial: applied" in status.output


def test_upgrading_a_database_that_holds_data_keeps_the_data(app, runner, tmp_path):
    demo.load()
    counts = {m.__name__: m.select().count() for m in ALL_MODELS}
    result = runner.invoke(args=["db", "upgrade"])
    assert "database is current" in result.output

    # A later migration (here a probe adding a column) runs over the same rows.
    directory = tmp_path / "migrations"
    shutil.copytree(schema.MIGRATIONS_DIR, directory)
    (directory / "0002_probe.py").write_text(
        "from peewee import TextField\n\n"
        "def up(migrator, db):\n"
        "    migrator.migrate(migrator.add_column('clinic', 'probe', TextField(null=True)))\n"
    )
    assert Runner(db.obj, directory=str(directory)).up() == ["0002_probe"]
    assert "probe" in {c.name for c in db.get_columns("clinic")}
    assert {m.__name__: m.select().count() for m in ALL_MODELS} == counts
    assert Clinic.select().where(Clinic.state == "OR").count() == 1
    assert all(report.ok for report in audit.verify())


def test_down_then_up_rebuilds_the_schema_and_guards(app):
    runner = schema.runner()
    assert runner.down() == ["0001_initial"]
    assert "audit_event" not in db.get_tables()
    assert schema.upgrade() == ["0001_initial"]
    assert AuditEvent.select().count() == 0
    assert schema.is_current()
    make_clinic()
    with pytest.raises(DatabaseError, match="append-only"), db.atomic():
        db.execute_sql("DELETE FROM audit_event")
