"""Password hashing with argon2id, with a length cap checked before any hashing work."""

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 12
MAX_BYTES = 1024


def hasher() -> PasswordHasher:
    # Tests use the cheapest profile to stay fast; everything else uses argon2-cffi's
    # RFC 9106 low-memory defaults.
    if current_app and current_app.config.get("TESTING"):
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher()


def problem_with(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password.encode()) > MAX_BYTES:
        return f"Use at most {MAX_BYTES} bytes."
    return None


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash or len(password.encode()) > MAX_BYTES:
        return False
    try:
        return hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
