"""`registry report`: issue a clinic's audit report, or verify a file."""

import sys

import click
from flask.cli import with_appcontext

from registry.db import connection


def _find_clinic(clinic: str):
    from registry.models import Clinic

    found = Clinic.get_or_none((Clinic.id == int(clinic)) if clinic.isdigit()
                               else (Clinic.name == clinic))
    if found is None:
        raise click.ClickException(f"no clinic {clinic!r}")
    return found


class ReportGroup(click.Group):
    """`registry report CLINIC ...` issues a report; `registry report verify FILE` checks one."""

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands:
            return "issue", self.commands["issue"], args
        return super().resolve_command(ctx, args)


report_group = ReportGroup("report", help="Audit reports: issue one, or verify a file.")


@report_group.command("issue")
@click.argument("clinic")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="As of this date (default: today).")
@click.option("--known-on", "known_on", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Only what was on record by the end of this day (default: all on record now).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="Where to write the PDF.")
@with_appcontext
def report_issue(clinic, as_of, known_on, output):
    """Issue the audit report of CLINIC (its id or exact name) as a PDF."""
    import shutil

    from registry.clock import today
    from registry.reports import issuing
    from registry.reports.download import check_dates
    from registry.services.records import InvalidInput

    day = as_of.date() if as_of else today()
    known = known_on.date() if known_on else None
    try:
        check_dates(day, known)
    except InvalidInput as invalid:
        raise click.BadParameter(" ".join(sum(invalid.errors.values(), [])),
                                 param_hint="'--as-of' / '--known-on'") from invalid
    with connection():
        found = _find_clinic(clinic)
        issued = issuing.issue(found, day, None, known_on=known)
    shutil.copyfile(issued.path, output)
    state = "unchanged data, stored copy" if issued.reused else "rendered"
    click.echo(f"{output}: {issued.report.size:,} bytes, verification code "
               f"{issued.report.code}, sha256 {issued.report.sha256} ({state})")


# `registry report verify` exit statuses: genuine and current, not issued, superseded.
VERIFY_EXIT = {"genuine": 0, "not_issued": 1, "superseded": 3}


@report_group.command("verify")
@click.argument("file", type=click.File("rb"))
@with_appcontext
def report_verify(file):
    """Say whether FILE is an audit report this registry issued and still current: exit 0 if
    so, 3 if a later report superseded it, 1 if it was not issued here."""
    from registry.reports import issuing, lineage

    with connection():
        verdict = issuing.verify(file.read())
    click.echo(verdict.summary)
    if verdict.message:
        click.echo(verdict.message)
    replaced = verdict.superseded_by
    if replaced is not None:
        if replaced.latest_code:
            click.echo(f"The report that stands now is {replaced.latest_code}.")
        if replaced.changes:
            shown = len(replaced.changes)
            more = f" (the first {shown} of {replaced.change_count})" \
                if replaced.change_count > shown else ""
            click.echo(f"Changes{more}:")
        for change in replaced.changes:
            why = f"; reason: {change['reason']}" if change["reason"] else ""
            click.echo(f"  - {lineage.describe(change)} (by {change['who']}, "
                       f"{change['when']} UTC{why})")
    if verdict.signature is not None:
        state = "valid" if verdict.signature.get("intact") and verdict.signature.get(
            "trusted") else "NOT valid"
        click.echo(f"Signature: {state}")
    sys.exit(VERIFY_EXIT[verdict.status])
