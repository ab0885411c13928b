"""Practitioners and the clinics they work at, with dates so past rosters can be rebuilt."""

from peewee import CharField, DateField, DateTimeField, ForeignKeyField

from registry.clock import utcnow
from registry.db import BaseModel
from registry.models.clinics import Clinic


class Practitioner(BaseModel):
    first_name = CharField()
    last_name = CharField()
    email = CharField(null=True)
    phone = CharField(null=True)
    created_at = DateTimeField(default=utcnow)


class Affiliation(BaseModel):
    """A practitioner working at a clinic from one date until another (open-ended if null)."""

    # Editing a regulated record requires a reason in its audit event.
    regulated = True

    practitioner = ForeignKeyField(Practitioner, backref="affiliations")
    clinic = ForeignKeyField(Clinic, backref="affiliations")
    title = CharField(default="practitioner")
    starts_on = DateField()
    ends_on = DateField(null=True)

    class Meta:
        indexes = ((("clinic", "practitioner", "starts_on"), True),)
