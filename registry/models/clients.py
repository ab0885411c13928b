"""Clients of a clinic, with the least personal data the rules need."""

from peewee import CharField, DateField, DateTimeField, ForeignKeyField

from registry.clock import utcnow
from registry.db import BaseModel
from registry.models.clinics import Clinic

# What identifies or reaches a client: the clinic's officers alone receive these, anyone else
# knows a client by its reference (see may_see_contacts).
CONTACT_FIELDS = ("initials", "email", "phone")


class Client(BaseModel):
    # Editing a regulated record requires a reason in its audit event.
    regulated = True

    clinic = ForeignKeyField(Clinic, backref="clients")
    # Pseudonymous reference shown outside the clinic instead of a name.
    reference = CharField()
    initials = CharField(max_length=8, null=True)
    birth_date = DateField(null=True)
    sex = CharField(null=True)
    email = CharField(null=True)
    phone = CharField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("clinic", "reference"), True),)
