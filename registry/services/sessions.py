"""Signing in and out: throttled password checks and server-side sessions that can be revoked."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from registry.clock import utcnow
from registry.db import write_transaction
from registry.models import SessionRecord, User
from registry.passwords import hasher, verify_password
from registry.services import records, throttle
from registry.services.audit import Actor

SESSION_LIFETIME = timedelta(hours=12)
SESSION_IDLE = timedelta(minutes=30)
LAST_SEEN_STEP = timedelta(minutes=1)


class SignInRefused(Exception):
    """Wrong email or password (deliberately not saying which), or too many tries."""

    def __init__(self, message: str, throttled: bool = False):
        super().__init__(message)
        self.throttled = throttled


@dataclass(frozen=True)
class SignedIn:
    user: User
    token: str          # goes in the cookie; only its hash is stored
    session: SessionRecord


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(email: str, password: str, address: str, user_agent: str | None = None) -> SignedIn:
    """Check a password and open a session; every attempt counts in the throttle."""
    user = User.get_or_none(User.email == email.strip().lower())
    try:
        valid = throttle.checked(email, address, lambda: _password_matches(user, password))
    except throttle.Throttled as refused:
        raise SignInRefused(str(refused), throttled=True) from refused
    if not valid:
        raise SignInRefused("Wrong email or password.")
    with write_transaction():
        if hasher().check_needs_rehash(user.password_hash):
            records.apply_changes(user, {"password_hash": hasher().hash(password)},
                                  Actor(user.email, user.id), action="rehash_password")
        return _open_session(user, user_agent)


def _password_matches(user: User | None, password: str) -> bool:
    if user is None or not user.password_hash:
        # Spend the same time as a real check, so timing does not reveal unknown accounts.
        verify_password(_decoy_hash(), password)
        return False
    return user.is_active and verify_password(user.password_hash, password)


@cache
def _decoy_hash() -> str:
    return hasher().hash(secrets.token_urlsafe(16))


def _open_session(user: User, user_agent: str | None) -> SignedIn:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session = SessionRecord.create(user=user, token_hash=token_hash(token), created_at=now,
                                   last_seen_at=now, expires_at=now + SESSION_LIFETIME,
                                   user_agent=(user_agent or "")[:300])
    return SignedIn(user, token, session)


def session_user(token: str | None) -> tuple[User, SessionRecord] | None:
    """The user behind a session cookie, if the session is live; idle time is refreshed."""
    if not token:
        return None
    session = (SessionRecord.select(SessionRecord, User).join(User)
               .where(SessionRecord.token_hash == token_hash(token)).first())
    now = utcnow()
    if (session is None or session.revoked_at is not None or session.expires_at <= now
            or session.last_seen_at + SESSION_IDLE <= now or not session.user.is_active):
        return None
    if now - session.last_seen_at >= LAST_SEEN_STEP:
        SessionRecord.update(last_seen_at=now).where(SessionRecord.id == session.id).execute()
    return session.user, session


def sign_out(token: str | None) -> None:
    if token:
        (SessionRecord.update(revoked_at=utcnow())
         .where((SessionRecord.token_hash == token_hash(token))
                & SessionRecord.revoked_at.is_null()).execute())


def revoke_sessions(user: User, keep: SessionRecord | None = None) -> int:
    """End every live session of a user (but the one kept); returns how many ended."""
    query = SessionRecord.update(revoked_at=utcnow()).where(
        (SessionRecord.user == user) & SessionRecord.revoked_at.is_null())
    if keep is not None:
        query = query.where(SessionRecord.id != keep.id)
    return query.execute()
