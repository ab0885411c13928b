"""The `registry` command line: the Flask CLI bound to the application factory."""

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from registry.db import connection


def main():
    from registry import create_app

    cli = FlaskGroup(create_app=lambda: create_app(), help="Pigment Registry commands.")
    cli.main(prog_name="registry")


db_group = click.Group("db", help="Database schema.")
demo_group = click.Group("demo", help="Demonstration data.")
audit_group = click.Group("audit", help="The audit trail.")


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


users_group = click.Group("users", help="Accounts, roles and API tokens.")
CLI_ACTOR_NAME = "cli"


def _cli_actor():
    from registry.services.audit import Actor

    return Actor.system(CLI_ACTOR_NAME)


def _find_user(email):
    from registry.models import User

    user = User.get_or_none(User.email == email.strip().lower())
    if user is None:
        raise click.ClickException(f"no user {email}")
    return user


def _refused(invalid):
    return click.ClickException("; ".join(f"{k}: {' '.join(map(str, v))}"
                                          for k, v in invalid.errors.items()))


@users_group.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Display name.")
@click.option("--role", required=True,
              type=click.Choice(["administrator", "officer", "inspector", "importer"]))
@click.option("--clinic", "clinic_id", type=int, help="Officers: the clinic's id.")
@click.option("--jurisdiction", help="Inspectors: the state, e.g. OR.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_create(email, name, role, clinic_id, jurisdiction, password_stdin):
    """Create a user with one role (importers need no password; they use tokens)."""
    from registry.db import write_transaction
    from registry.services import accounts
    from registry.services.records import InvalidInput

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    if password is None and role != "importer":
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with connection(), write_transaction():
        try:
            user = accounts.create_user({"email": email, "display_name": name}, _cli_actor(),
                                        password=password)
            accounts.grant_role({"user_id": user.id, "role": role, "clinic_id": clinic_id,
                                 "jurisdiction": jurisdiction and jurisdiction.upper()},
                                _cli_actor())
        except InvalidInput as invalid:
            raise _refused(invalid) from invalid
    click.echo(f"created {user.email} ({role})")


@users_group.command("disable")
@click.argument("email")
@click.option("--reason", required=True)
@with_appcontext
def users_disable(email, reason):
    """Disable an account: its sessions end and its tokens stop working."""
    from registry.services import accounts

    with connection():
        accounts.disable_user(_find_user(email), _cli_actor(), reason=reason)
    click.echo(f"disabled {email}")


@users_group.command("token")
@click.argument("email")
@click.option("--name", required=True, help="What uses the token, e.g. 'roster sync'.")
@click.option("--scope", "scopes", multiple=True, default=("read",), show_default=True,
              type=click.Choice(["read", "write", "import"]))
@with_appcontext
def users_token(email, name, scopes):
    """Issue an API token; it is printed once and only its hash is kept."""
    from registry.services import tokens
    from registry.services.records import InvalidInput

    with connection():
        try:
            token, _row = tokens.issue(_find_user(email), name, list(scopes), _cli_actor())
        except InvalidInput as invalid:
            raise _refused(invalid) from invalid
    click.echo(token)


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


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@with_appcontext
def serve(host, port, workers):
    """Serve with gunicorn; print "ready" once /healthz answers."""
    from registry import serving

    sys.exit(serving.serve(host, port, workers))


def init_app(app):
    from importers.cli import import_command
    from registry.recalls_cli import recalls_group
    from registry.reminders_cli import reminders_group
    from registry.scheduler.command import scheduler

    for command in (db_group, demo_group, audit_group, users_group, rules_group,
                    checklist_command, report_group, serve, import_command, reminders_group,
                    recalls_group, scheduler):
        app.cli.add_command(command)
