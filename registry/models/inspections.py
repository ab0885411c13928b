"""Inspections of a clinic, their findings and the corrective actions that close them."""

from peewee import CharField, DateField, DateTimeField, ForeignKeyField, TextField

from registry.clock import utcnow
from registry.db import BaseModel
from registry.models.accounts import User
from registry.models.clinics import Clinic

INSPECTION_KINDS = ("routine", "complaint", "follow_up", "licensing")
SEVERITIES = ("critical", "major", "minor")
ACTION_STATUSES = ("open", "done", "overdue_waived")


class Inspection(BaseModel):
    # Editing a regulated record requires a reason in its audit event.
    regulated = True

    clinic = ForeignKeyField(Clinic, backref="inspections")
    inspector = ForeignKeyField(User, null=True, backref="inspections")
    inspected_on = DateField(index=True)
    kind = CharField(default="routine")
    result = CharField(null=True)
    notes = TextField(null=True)
    created_at = DateTimeField(default=utcnow)


class Finding(BaseModel):
    # Editing a regulated record requires a reason in its audit event.
    regulated = True

    inspection = ForeignKeyField(Inspection, backref="findings", on_delete="CASCADE")
    requirement_id = CharField(null=True)
    severity = CharField(default="minor")
    description = TextField()
    created_at = DateTimeField(default=utcnow)


class CorrectiveAction(BaseModel):
    # Editing a regulated record requires a reason in its audit event.
    regulated = True

    finding = ForeignKeyField(Finding, backref="actions", on_delete="CASCADE")
    description = TextField()
    due_on = DateField()
    completed_on = DateField(null=True)
    status = CharField(default="open")
    created_at = DateTimeField(default=utcnow)
