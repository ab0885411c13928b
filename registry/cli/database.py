"""`registry db`: apply and list the versioned migrations."""

import click
from flask.cli import with_appcontext

from registry.db import connection

db_group = click.Group("db", help="Database schema.")


@db_group.command("upgrade")
@with_appcontext
def db_upgrade():
    """Apply pending migrations (safe to run again)."""
    from registry import schema

    with connection():
        applied = schema.upgrade()
    click.echo("applied: " + ", ".join(applied) if applied else "database is current")


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
