"""API bearer tokens: issued once in clear, stored hashed, scoped, revocable."""

import hashlib
import secrets

from registry.clock import utcnow
from registry.db import write_transaction
from registry.models import ApiToken, User
from registry.services import audit, records
from registry.services.audit import Actor

PREFIX = "preg_"
SCOPES = ("read", "write", "import")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user: User, name: str, scopes: list[str], actor: Actor) -> tuple[str, ApiToken]:
    """A new token; the clear text is returned once and never stored."""
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise records.InvalidInput({"scopes": [f"Choose from {', '.join(SCOPES)}."]})
    if not name.strip():
        raise records.InvalidInput({"name": ["Name the token after what uses it."]})
    token = PREFIX + secrets.token_urlsafe(32)
    with write_transaction():
        row = ApiToken.create(user=user, name=name.strip(), token_hash=_hash(token),
                              scopes=" ".join(sorted(set(scopes))))
        audit.append(actor, "create", "api_token", row.id,
                     {"user_id": [None, user.id], "name": [None, row.name],
                      "scopes": [None, row.scopes], "token_hash": [audit.REDACTED,
                                                                   audit.REDACTED]})
    return token, row


def revoke(row: ApiToken, actor: Actor) -> None:
    with write_transaction():
        records.apply_changes(row, {"revoked_at": utcnow()}, actor, action="revoke")


def token_user(token: str) -> tuple[User, ApiToken] | None:
    """The user and token row behind a bearer token, if it is live."""
    if not token.startswith(PREFIX):
        return None
    row = (ApiToken.select(ApiToken, User).join(User)
           .where(ApiToken.token_hash == _hash(token)).first())
    now = utcnow()
    if row is None or row.revoked_at is not None or not row.user.is_active \
            or (row.expires_at is not None and row.expires_at <= now):
        return None
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        ApiToken.update(last_used_at=now).where(ApiToken.id == row.id).execute()
    return row.user, row
