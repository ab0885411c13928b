"""`registry rules check` and `registry checklist`: the rule packs and a clinic's checklist."""

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from registry.db import connection

rules_group = click.Group("rules", help="Jurisdiction rule packs.")


@rules_group.command("check")
@click.option("--path", type=click.Path(exists=True, file_okay=False),
              help="Folder of packs (default: the configured jurisdictions folder).")
@with_appcontext
def rules_check(path):
    """Validate every pack and run its test cases."""
    from pathlib import Path

    from registry.rules.cases import case_paths, load_cases, mismatches
    from registry.rules.packs import PackError, load_packs

    root = Path(path or current_app.config["JURISDICTIONS_PATH"])
    try:
        packs = load_packs(root)
        cases = [case for case_file in case_paths(root) for case in load_cases(case_file)]
    except PackError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException(f"{len(exc.problems)} problem(s) in the rule packs") from exc
    failed = 0
    for case in cases:
        for problem in mismatches(case, packs):
            failed += 1
            click.echo(f"case failed: {case.path}: {case.name}: {problem}", err=True)
    for pack in packs:
        confidence = ", ".join(f"{n} {k}" for k, n in pack.confidence_summary().items() if n)
        click.echo(f"{pack.jurisdiction:<10} {pack.version:<12} "
                   f"{len(pack.requirements):>3} requirements ({confidence})")
    click.echo(f"{len(packs)} packs valid; {len(cases)} test cases, {failed} failed")
    if failed:
        sys.exit(1)


@click.command("checklist")
@click.argument("clinic")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Evaluate as of this date (default: today).")
@click.option("--known-on", "known_on", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="As the registry would have said it on this day (default: as known now).")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--problems", is_flag=True, help="Text: list only items that need attention.")
@with_appcontext
def checklist_command(clinic, as_of, known_on, output, problems):
    """Print a clinic's checklist (CLINIC is its id or exact name)."""
    import json

    from registry.clock import today
    from registry.models import Clinic
    from registry.services import compliance

    day = as_of.date() if as_of else today()
    with connection():
        found = Clinic.get_or_none((Clinic.id == int(clinic)) if clinic.isdigit()
                                   else (Clinic.name == clinic))
        if found is None:
            raise click.ClickException(f"no clinic {clinic!r}")
        result = compliance.checklist(found.id, day, known_on.date() if known_on else None)
    if output == "json":
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    from registry.rules.text import render_text

    click.echo(render_text(result, problems_only=problems))
