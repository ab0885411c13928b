"""Audit reports the registry has issued: which file, for which clinic, date and data."""

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
from registry.models.accounts import User
from registry.models.clinics import Clinic
from registry.models.fields import JSONField


class IssuedReport(BaseModel):
    clinic = ForeignKeyField(Clinic, backref="reports")
    as_of = DateField()
    # Null: by what was on record when issued; a day: by what was on record at its end.
    known_on = DateField(null=True)
    # SHA-256 of the report's content: the same clinic, date and data give the same state.
    data_state = CharField(max_length=64)
    # The newest audit event, rule packs and report format when it was last found current:
    # while none of them changes, no data can have changed, and the file is served at once.
    current_at = CharField(max_length=120, null=True)
    # The newest audit event the report's reads could see: the changes a later report
    # for the same clinic and dates lists are the events after it.
    events_seen = IntegerField(null=True)
    code = CharField(max_length=16, unique=True)
    sha256 = CharField(max_length=64, unique=True)
    file_name = CharField()
    size = IntegerField()
    signed = BooleanField(default=False)
    issued_at = DateTimeField(default=utcnow)
    issued_by = ForeignKeyField(User, null=True, backref="issued_reports")

    class Meta:
        # The data state covers known_on (the report prints it), so two reports of a clinic
        # and day that differ only in known_on never share one.
        indexes = ((("clinic", "as_of", "data_state"), True),)


class ReportSupersession(BaseModel):
    """An issued report replaced by a later one for the same clinic and dates, and why.

    Issued reports are never rewritten; this row is what makes the earlier one superseded."""

    earlier = ForeignKeyField(IssuedReport, unique=True, backref="superseded_by")
    later = ForeignKeyField(IssuedReport, backref="supersedes")
    recorded_at = DateTimeField(default=utcnow)
    # The recorded changes that made the difference, corrections first, at most a fixed
    # number of them; change_count counts them all.
    changes = JSONField()
    change_count = IntegerField()
    reason = TextField()
