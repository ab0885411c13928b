"""Signing in and out: throttled password checks and server-side sessions that can be revoked."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from registry.clock import utcnow
from registry.db import write_transaction
from registry.models import LoginAttempt, SessionRecord, User
from registry.passwords import hasher, verify_password
from registry.services import records
from registry.services.audit import Actor

ACCOUNT_FAILURES = 5          # failed sign-ins per account ...
ADDRESS_FAILURES = 20         # ... or per address ...
THROTTLE_WINDOW = timedelta(minutes=15)   # ... within this window lock further tries
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


def _account_key(email: str) -> str:
    # The throttle table keys accounts by a hash, so it holds no email addresses.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _recent_failures(**where) -> int:
    since = utcnow() - THROTTLE_WINDOW
    query = LoginAttempt.select().where(
        (LoginAttempt.attempted_at >= since) & (LoginAttempt.succeeded == False))  # noqa: E712
    for field, value in where.items():
        query = query.where(getattr(LoginAttempt, field) == value)
    return query.count()


def sign_in(email: str, password: str, address: str, user_agent: str | None = None) -> SignedIn:
    """Check a password and open a session; every attempt is recorded for throttling."""
    key = _account_key(email)
    if (_recent_failures(account_key=key) >= ACCOUNT_FAILURES
            or _recent_failures(address=address) >= ADDRESS_FAILURES):
        raise SignInRefused("Too many attempts. Try again in 15 minutes.", throttled=True)
    user = User.get_or_none(User.email == email.strip().lower())
    if user is None or not user.password_hash:
        # Spend the same time as a real check, so timing does not reveal unknown accounts.
        verify_password(_decoy_hash(), password)
        valid = False
    else:
        valid = user.is_active and verify_password(user.password_hash, password)
    with write_transaction():
        LoginAttempt.create(account_key=key, address=address, succeeded=valid)
        if not valid:
            failed = True
        else:
            failed = False
            if hasher().check_needs_rehash(user.password_hash):
                records.apply_changes(user, {"password_hash": hasher().hash(password)},
                                      Actor(user.email, user.id), action="rehash_password")
            signed_in = _open_session(user, user_agent)
    if failed:
        raise SignInRefused("Wrong email or password.")
    return signed_in


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
