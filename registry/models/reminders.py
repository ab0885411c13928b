"""Reminders of credentials and lots expiring and of reports to FDA coming due, shown on a
dashboard and sent by email once."""

from peewee import CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from registry.clock import utcnow
from registry.db import BaseModel
from registry.models.accounts import User
from registry.models.clinics import Clinic

REMINDER_KINDS = ("credential_expiry", "lot_expiry", "reaction_report_due")


class Reminder(BaseModel):
    """One notice to one user about one record expiring or one report coming due; `stage` is
    the threshold reached, in days before expiry (0 once expired) or in business days before
    the deadline of a report to FDA (0 on the deadline, -1 once past it)."""

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
