"""The `registry` command line: the Flask CLI bound to the application factory, one module per
command group."""

from flask.cli import FlaskGroup


def main():
    from registry import create_app

    cli = FlaskGroup(create_app=lambda: create_app(), help="Pigment Registry commands.")
    cli.main(prog_name="registry")


def init_app(app):
    from importers.cli import import_command
    from registry.cli.audit import audit_group
    from registry.cli.database import db_group
    from registry.cli.demo import demo_group
    from registry.cli.recalls import recalls_group
    from registry.cli.reminders import reminders_group
    from registry.cli.reports import report_group
    from registry.cli.rules import checklist_command, rules_group
    from registry.cli.serve import serve
    from registry.cli.users import users_group
    from registry.scheduler.command import scheduler

    for command in (db_group, demo_group, audit_group, users_group, rules_group,
                    checklist_command, report_group, serve, import_command, reminders_group,
                    recalls_group, scheduler):
        app.cli.add_command(command)
