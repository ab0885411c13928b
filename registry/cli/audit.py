"""`registry audit`: verify every chain (and against checkpoints), write a signed checkpoint."""

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from registry.db import connection

audit_group = click.Group("audit", help="The audit trail.")
DIRECTORY = click.Path(file_okay=False, path_type=Path)


@audit_group.command("verify")
@click.option("--chain", help="Verify one chain, e.g. clinic:3 or global.")
@click.option("--checkpoints", type=DIRECTORY,
              help="Also prove no chain fell behind a signed checkpoint in this directory.")
@with_appcontext
def audit_verify(chain, checkpoints):
    """Walk every audit chain and name the first broken link."""
    from registry.services import audit
    from registry.services import checkpoints as checkpointing

    with connection():
        reports = audit.verify(chain)
        checked, problems = (checkpointing.check(checkpoints) if checkpoints else (0, []))
    broken = [r for r in reports if not r.ok]
    for report in reports:
        if report.ok:
            click.echo(f"{report.chain}: {report.events} events, intact")
        else:
            click.echo(f"{report.chain}: BROKEN at event {report.seq}: {report.problem}")
    click.echo(f"{len(reports)} chains checked, {len(broken)} broken")
    if checkpoints:
        for problem in problems:
            click.echo(problem)
        click.echo(f"{checked} checkpoints, " + (f"{len(problems)} problems" if problems
                                                   else "intact"))
    if broken or problems:
        sys.exit(1)


@audit_group.command("checkpoint")
@click.option("--directory", type=DIRECTORY,
              help="Where to write it (default: REGISTRY_AUDIT_CHECKPOINT_DIR).")
@with_appcontext
def audit_checkpoint(directory):
    """Write every chain's head to a signed file outside the database."""
    from registry.services import checkpoints

    with connection():
        path, count = checkpoints.take(directory or checkpoints.configured_directory())
    click.echo(f"{count} chains checkpointed in {path}")
