"""Import runs from external sources, with every rejected row and its reason."""

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from registry.clock import utcnow
from registry.db import BaseModel
from registry.models.fields import JSONField

RUN_STATUSES = ("running", "succeeded", "failed", "partial")


class ImportRun(BaseModel):
    source = CharField(index=True)
    started_at = DateTimeField(default=utcnow)
    finished_at = DateTimeField(null=True)
    status = CharField(default="running")
    fetched = IntegerField(default=0)
    created = IntegerField(default=0)
    updated = IntegerField(default=0)
    unchanged = IntegerField(default=0)
    rejected = IntegerField(default=0)
    message = TextField(null=True)
    triggered_by = CharField(default="schedule")


class RejectedRow(BaseModel):
    run = ForeignKeyField(ImportRun, backref="rejected_rows", on_delete="CASCADE")
    row_number = IntegerField()
    reason = TextField()
    raw = JSONField(null=True)


class SourceState(BaseModel):
    """What a source last told us about a document: validators for conditional requests."""

    source = CharField()
    url = TextField()
    etag = CharField(null=True)
    last_modified = CharField(null=True)
    checked_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("source", "url"), True),)
