"""Users, their passwords and the roles they hold."""

from registry.clock import utcnow
from registry.db import write_transaction
from registry.models import ApiToken, Membership, User
from registry.passwords import hash_password, problem_with, verify_password
from registry.schemas.accounts import MembershipSchema, UserSchema
from registry.services import records, throttle, tokens
from registry.services.audit import Actor
from registry.services.sessions import revoke_sessions


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


def change_password(user: User, current: str, new: str, actor: Actor, *, address: str,
                    keep_session=None, revoke_tokens: bool = False) -> None:
    """Replace a password after checking the current one (a check the sign-in throttle
    counts); other sessions end, and the account's API tokens too if asked."""
    if not throttle.checked(user.email, address,
                            lambda: verify_password(user.password_hash, current)):
        raise records.InvalidInput({"current_password": ["The current password is wrong."]})
    if problem := problem_with(new):
        raise records.InvalidInput({"new_password": [problem]})
    with write_transaction():
        records.apply_changes(user, {"password_hash": hash_password(new),
                                     "password_changed_at": utcnow()}, actor,
                              action="change_password")
        revoke_sessions(user, keep=keep_session)
        if revoke_tokens:
            for token in ApiToken.select().where((ApiToken.user == user)
                                                 & ApiToken.revoked_at.is_null()):
                tokens.revoke(token, actor)


def disable_user(user: User, actor: Actor, *, reason: str) -> None:
    """Disable an account: its sessions end and its API tokens stop working."""
    if not (reason and reason.strip()):
        raise records.InvalidInput({"reason": ["Say why the account is disabled."]})
    with write_transaction():
        records.apply_changes(user, {"is_active": False, "disabled_at": utcnow()}, actor,
                              reason=reason, action="disable")
        revoke_sessions(user)
        (ApiToken.update(revoked_at=utcnow())
         .where((ApiToken.user == user) & ApiToken.revoked_at.is_null()).execute())


def grant_role(data: dict, actor: Actor) -> Membership:
    return records.create(Membership, MembershipSchema, data, actor,
                          clinic_id=data.get("clinic_id"))


def create_user_with_role(data: dict, role: dict, actor: Actor, *,
                          password: str | None = None) -> User:
    """A user and their first role: both are saved, or neither."""
    email = str(data.get("email", "")).strip().lower()
    if email and User.select().where(User.email == email).exists():
        raise records.InvalidInput({"email": ["A user with this email already exists."]})
    with write_transaction():
        user = create_user(data, actor, password=password)
        grant_role({**role, "user_id": user.id}, actor)
    return user


def revoke_role(membership: Membership, actor: Actor, *, reason: str) -> None:
    """End a role; the user's next request no longer carries it."""
    if not (reason and reason.strip()):
        raise records.InvalidInput({"reason": ["Say why the role is revoked."]})
    if membership.revoked_at is not None:
        raise records.InvalidInput({"_schema": ["This role is already revoked."]})
    with write_transaction():
        records.apply_changes(membership, {"revoked_at": utcnow()}, actor, reason=reason,
                              action="revoke")
