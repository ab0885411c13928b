"""`registry users`: create with a role, disable, issue tokens."""

from registry.models import ApiToken, Membership, User
from registry.services import tokens
from tests.factories import make_clinic


def test_create_an_officer_then_disable_them(app, runner):
    clinic = make_clinic()
    result = runner.invoke(args=["users", "create", "Ann@Example.test", "--name", "Ann",
                                 "--role", "officer", "--clinic", str(clinic.id),
                                 "--password-stdin"], input="a long enough password\n")
    assert result.exit_code == 0, result.output
    user = User.get(User.email == "ann@example.test")
    assert Membership.get(Membership.user == user).clinic_id == clinic.id
    result = runner.invoke(args=["users", "disable", "ann@example.test", "--reason", "left"])
    assert result.exit_code == 0 and not User.get_by_id(user.id).is_active


def test_a_bad_role_scope_is_refused_and_nothing_is_created(app, runner):
    result = runner.invoke(args=["users", "create", "bob@example.test", "--name", "Bob",
                                 "--role", "inspector", "--password-stdin"],
                           input="a long enough password\n")
    assert result.exit_code != 0 and "jurisdiction" in result.output
    assert not User.select().where(User.email == "bob@example.test").exists()


def test_a_token_is_printed_once_and_stored_hashed(app, runner):
    runner.invoke(args=["users", "create", "sync@example.test", "--name", "Sync",
                        "--role", "importer"])
    result = runner.invoke(args=["users", "token", "sync@example.test", "--name", "nightly",
                                 "--scope", "import"])
    token = result.output.strip()
    assert token.startswith(tokens.PREFIX)
    row = ApiToken.get()
    assert row.scopes == "import" and token not in row.token_hash
    assert tokens.token_user(token)[1].id == row.id
