"""People who sign in, what they may do where, and how they stay signed in."""

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, TextField

from registry.clock import utcnow
from registry.db import BaseModel
from registry.models.clinics import Clinic

ROLES = ("administrator", "officer", "inspector", "importer")


class User(BaseModel):
    audit_redact = ("password_hash",)

    email = CharField(unique=True)
    display_name = CharField()
    password_hash = CharField(null=True)
    is_active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)
    password_changed_at = DateTimeField(null=True)
    disabled_at = DateTimeField(null=True)

    class Meta:
        # "user" is reserved in PostgreSQL.
        table_name = "user_account"


class Membership(BaseModel):
    """A role held by a user: officers for a clinic, inspectors for a jurisdiction (a state)."""

    user = ForeignKeyField(User, backref="memberships", on_delete="CASCADE")
    role = CharField()
    clinic = ForeignKeyField(Clinic, null=True, backref="memberships")
    jurisdiction = CharField(max_length=2, null=True)
    granted_at = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True)


class ApiToken(BaseModel):
    """A bearer token for integrations; only its hash is stored."""

    audit_redact = ("token_hash",)

    user = ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    name = CharField()
    token_hash = CharField(unique=True)
    scopes = CharField(default="")
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField(null=True)
    last_used_at = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)


class SessionRecord(BaseModel):
    """A server-side web session; revoking it signs the browser out."""

    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    token_hash = CharField(unique=True)
    created_at = DateTimeField(default=utcnow)
    last_seen_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    revoked_at = DateTimeField(null=True)
    user_agent = TextField(null=True)


class LoginAttempt(BaseModel):
    """One sign-in attempt, kept to throttle guessing across all server processes."""

    account_key = CharField(index=True)
    address = CharField(index=True)
    attempted_at = DateTimeField(default=utcnow, index=True)
    succeeded = BooleanField(default=False)
