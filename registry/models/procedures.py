"""Procedures performed at a clinic and the pigment lots each one used."""

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from registry.clock import utcnow
from registry.db import BaseModel
from registry.models.clients import Client
from registry.models.clinics import Clinic
from registry.models.pigments import PigmentLot
from registry.models.practitioners import Practitioner

PROCEDURE_STATUSES = ("completed", "voided")


class Procedure(BaseModel):
    # Editing a regulated record requires a reason in its audit event.
    regulated = True

    clinic = ForeignKeyField(Clinic, backref="procedures")
    practitioner = ForeignKeyField(Practitioner, backref="procedures")
    client = ForeignKeyField(Client, backref="procedures")
    performed_on = DateField(index=True)
    discipline = CharField(default="smp")
    body_area = CharField()
    session_number = IntegerField(default=1)
    consent_on_file = BooleanField(default=False)
    parental_consent_on_file = BooleanField(default=False)
    aftercare_given = BooleanField(default=False)
    # Covering an existing tattoo: some states allow it for minors with a parent's consent.
    is_cover_up = BooleanField(default=False)
    status = CharField(default="completed")
    notes = TextField(null=True)
    created_at = DateTimeField(default=utcnow)


class ProcedureLot(BaseModel):
    procedure = ForeignKeyField(Procedure, backref="lot_uses", on_delete="CASCADE")
    lot = ForeignKeyField(PigmentLot, backref="uses")

    class Meta:
        indexes = ((("procedure", "lot"), True),)
