"""`registry audit verify`: walk every audit chain and name the first broken link."""

import sys

import click
from flask.cli import with_appcontext

from registry.db import connection

audit_group = click.Group("audit", help="The audit trail.")


@audit_group.command("verify")
@click.option("--chain", help="Verify one chain, e.g. clinic:3 or global.")
@with_appcontext
def audit_verify(chain):
    """Walk every audit chain and name the first broken link."""
    from registry.services import audit

    with connection():
        reports = audit.verify(chain)
    broken = [r for r in reports if not r.ok]
    for report in reports:
        if report.ok:
            click.echo(f"{report.chain}: {report.events} events, intact")
        else:
            click.echo(f"{report.chain}: BROKEN at event {report.seq}: {report.problem}")
    click.echo(f"{len(reports)} chains checked, {len(broken)} broken")
    if broken:
        sys.exit(1)
