"""Expiry reminders for credentials and lots, shown on a dashboard and sent by email once."""

from peewee import CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from registry.clock import utcnow
from registry.db import BaseModel
from registry.models.accounts import User
from registry.models.clinics import Clinic

REMINDER_KINDS = ("credential_expiry", "lot_expiry")


class Reminder(BaseModel):
    """One notice to one user about one record expiring; `stage` is the days-ahead threshold."""

    kind = CharField()
    entity = CharField()
    entity_id = IntegerField()
    stage = IntegerField()
    due_on = DateField()
    user = ForeignKeyField(User, backref="reminders", on_delete="CASCADE")
    clinic = ForeignKeyField(Clinic, null=True, backref="reminders")
    subject = CharField()
    body = TextField()
    created_at = DateTimeField(default=utcnow)
    emailed_at = DateTimeField(null=True)
    email_error = TextField(null=True)
    dismissed_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("kind", "entity", "entity_id", "stage", "due_on", "user"), True),)
