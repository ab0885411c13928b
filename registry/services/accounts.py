"""Users, their passwords and the roles they hold."""

from registry.clock import utcnow
from registry.db import write_transaction
from registry.models import Membership, User
from registry.passwords import hash_password, problem_with
from registry.schemas.accounts import MembershipSchema, UserSchema
from registry.services import records
from registry.services.audit import Actor


def create_user(data: dict, actor: Actor, *, password: str | None = None) -> User:
    """A user, optionally with a password (API-only users have none)."""
    if password is not None and (problem := problem_with(password)):
        raise records.InvalidInput({"password": [problem]})
    data = {**data, "email": str(data.get("email", "")).strip().lower()}
    with write_transaction():
        user = records.create(User, UserSchema, data, actor)
        if password is not None:
            records.apply_changes(
                user, {"password_hash": hash_password(password), "password_changed_at": utcnow()},
                actor, action="set_password",
            )
    return user


def grant_role(data: dict, actor: Actor) -> Membership:
    return records.create(Membership, MembershipSchema, data, actor,
                          clinic_id=data.get("clinic_id"))
