"""`registry users`: accounts, roles and API tokens."""

import sys

import click
from flask.cli import with_appcontext

from registry.db import connection

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
