"""`registry demo`: load the demonstration data, print its sign-ins."""

import click
from flask import current_app
from flask.cli import with_appcontext

from registry.db import connection

demo_group = click.Group("demo", help="Demonstration data.")


@demo_group.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database holds clinics.")
@with_appcontext
def demo_load(if_empty):
    """Load demonstration clinics, people, pigments and records."""
    from registry import demo

    settings = current_app.config["REGISTRY_SETTINGS"]
    if settings.is_production:
        raise click.ClickException("demo data is not loaded in production")
    with connection():
        if if_empty and not demo.database_is_empty():
            click.echo("database holds data; demo not loaded")
            return
        summary = demo.load()
    click.echo("demo data loaded: " + ", ".join(f"{n} {k}" for k, n in summary.items()))


@demo_group.command("logins")
@with_appcontext
def demo_logins():
    """Print the demonstration sign-ins."""
    from registry import demo

    with connection():
        lines = demo.login_lines()
    for line in lines:
        click.echo(line)
