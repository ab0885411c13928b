"""Clinics: the tenants of the registry, each in one US state."""

from peewee import CharField, DateTimeField, TextField

from registry.clock import utcnow
from registry.db import BaseModel

DISCIPLINES = ("smp", "pmu", "tattoo", "piercing")


class Clinic(BaseModel):
    # Editing a regulated record requires a reason in its audit event.
    regulated = True

    name = CharField()
    state = CharField(max_length=2, index=True)
    county = CharField(null=True)
    city = CharField(null=True)
    address = TextField(null=True)
    timezone = CharField(default="America/New_York")
    # Comma-separated subset of DISCIPLINES.
    disciplines = CharField(default="smp")
    created_at = DateTimeField(default=utcnow)
    archived_at = DateTimeField(null=True)

    def audit_clinic_id(self):
        """A clinic's own changes open and extend its chain."""
        return self.id
