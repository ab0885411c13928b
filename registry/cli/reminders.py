"""`registry reminders send`: create due reminders (expiry, reports to FDA) and email the ones
not yet sent."""

import click
from flask.cli import with_appcontext

from registry.db import connection

reminders_group = click.Group(
    "reminders", help="Reminders of credentials and lots expiring and of reports to FDA due.")


@reminders_group.command("send")
@with_appcontext
def reminders_send():
    """Create today's reminders, then email each one not yet emailed (when SMTP is set)."""
    from registry.services import reminders

    with connection():
        try:
            summary = reminders.send_due()
        except reminders.ReminderSettingsError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(summary)
