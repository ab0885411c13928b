"""Rows of licence and certification rosters, as each board or body published them."""

from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField

from registry.clock import utcnow
from registry.db import BaseModel
from registry.models.fields import JSONField
from registry.models.imports import ImportRun


class RosterEntry(BaseModel):
    """One licensee or certificate holder; `key` is unique within its roster."""

    roster = CharField()
    key = CharField()
    number = CharField(index=True)
    name = CharField(null=True)
    credential_type = CharField(null=True)
    status = CharField()
    status_text = CharField(null=True)
    active = BooleanField()
    issued_on = DateField(null=True)
    expires_on = DateField(null=True)
    digest = CharField(max_length=32)
    raw = JSONField()
    run = ForeignKeyField(ImportRun, null=True, backref="roster_entries", on_delete="SET NULL")
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("roster", "key"), True),)
