"""`registry db`: apply and list the versioned migrations, grant the runtime role."""

from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import with_appcontext

from registry.db import bind, connection, db, is_postgresql

db_group = click.Group("db", help="Database schema.")


@contextmanager
def as_owner():
    """A connection as the tables' owner: REGISTRY_MIGRATION_DATABASE_URL when set."""
    settings = current_app.config["REGISTRY_SETTINGS"]
    if not settings.migration_database_url:
        with connection():
            yield
        return
    runtime = db.obj
    owner = bind(settings.migration_database_url)
    try:
        with owner.connection_context():
            yield
    finally:
        owner.close_all()
        db.initialize(runtime)


@db_group.command("upgrade")
@with_appcontext
def db_upgrade():
    """Apply pending migrations (safe to run again); then grant REGISTRY_RUNTIME_ROLE."""
    from registry import roles, schema

    role = current_app.config["REGISTRY_SETTINGS"].runtime_role
    with as_owner():
        applied = schema.upgrade()
        if role and is_postgresql():
            roles.grant_runtime(db.obj, role)
    click.echo("applied: " + ", ".join(applied) if applied else "database is current")
    if role:
        click.echo(f"granted {role} what the service needs")


@db_group.command("grant")
@click.argument("role")
@with_appcontext
def db_grant(role):
    """Grant ROLE exactly what the service needs (PostgreSQL; run as the tables' owner)."""
    from registry import roles

    with as_owner():
        if not is_postgresql():
            raise click.ClickException("roles exist only on PostgreSQL")
        tables = roles.grant_runtime(db.obj, role)
    click.echo(f"granted {role} what the service needs on {len(tables)} tables")


@db_group.command("status")
@with_appcontext
def db_status():
    """List migrations and whether each is applied."""
    from registry import schema

    with connection():
        for migration in schema.runner().status():
            applied = migration.applied
            state = f"applied {applied:%Y-%m-%d %H:%M}" if applied else "pending"
            click.echo(f"{migration.name}: {state}")
