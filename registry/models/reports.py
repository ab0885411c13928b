"""Audit reports the registry has issued: which file, for which clinic, date and data."""

from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField

from registry.clock import utcnow
from registry.db import BaseModel
from registry.models.accounts import User
from registry.models.clinics import Clinic


class IssuedReport(BaseModel):
    clinic = ForeignKeyField(Clinic, backref="reports")
    as_of = DateField()
    # SHA-256 of the report's content: the same clinic, date and data give the same state.
    data_state = CharField(max_length=64)
    # The newest audit event, rule packs and report format when it was last found current:
    # while none of them changes, no data can have changed, and the file is served at once.
    current_at = CharField(max_length=120, null=True)
    code = CharField(max_length=16, unique=True)
    sha256 = CharField(max_length=64, unique=True)
    file_name = CharField()
    size = IntegerField()
    signed = BooleanField(default=False)
    issued_at = DateTimeField(default=utcnow)
    issued_by = ForeignKeyField(User, null=True, backref="issued_reports")

    class Meta:
        indexes = ((("clinic", "as_of", "data_state"), True),)
