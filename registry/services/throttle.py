"""Password checks throttled per account and per address, across every server process."""

import hashlib
from collections.abc import Callable
from datetime import timedelta

from registry.clock import utcnow
from registry.db import db, is_postgresql, write_transaction
from registry.locks import lock_key
from registry.models import LoginAttempt

ACCOUNT_FAILURES = 5          # failed password checks per account ...
ADDRESS_FAILURES = 20         # ... or per address ...
WINDOW = timedelta(minutes=15)   # ... within this window lock further tries
MESSAGE = "Too many attempts. Try again in 15 minutes."


class Throttled(Exception):
    """Too many failed password checks for the account or the address."""

    def __init__(self):
        super().__init__(MESSAGE)


def account_key(email: str) -> str:
    # The throttle table keys accounts by a hash, so it holds no email addresses.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def checked(email: str, address: str, check: Callable[[], bool]) -> bool:
    """Run a password check if the throttle admits it, and return its answer.

    The attempt is recorded as a failure before the check runs, in the same transaction as
    the count that admits it, so parallel guesses see each other and no more than the limit
    are ever checked; a right password then marks its attempt as succeeded."""
    attempt = _admit(account_key(email), address)
    valid = check()
    if valid:
        LoginAttempt.update(succeeded=True).where(LoginAttempt.id == attempt.id).execute()
    return valid


def _admit(key: str, address: str) -> LoginAttempt:
    with write_transaction():
        # SQLite's IMMEDIATE transaction already admits one writer at a time.
        if is_postgresql():
            db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (lock_key("password throttle"),))
        if (_recent_failures(LoginAttempt.account_key == key) >= ACCOUNT_FAILURES
                or _recent_failures(LoginAttempt.address == address) >= ADDRESS_FAILURES):
            raise Throttled()
        return LoginAttempt.create(account_key=key, address=address, succeeded=False)


def _recent_failures(where) -> int:
    return LoginAttempt.select().where(
        where & (LoginAttempt.attempted_at >= utcnow() - WINDOW)
        & (LoginAttempt.succeeded == False)).count()  # noqa: E712
