"""Scheduled job runs, one row per job and time slot, so no slot runs twice."""

from peewee import CharField, DateTimeField, TextField

from registry.clock import utcnow
from registry.db import BaseModel

JOB_STATUSES = ("running", "succeeded", "failed")


class JobRun(BaseModel):
    job = CharField()
    slot = DateTimeField()
    runner = CharField()
    started_at = DateTimeField(default=utcnow)
    finished_at = DateTimeField(null=True)
    status = CharField(default="running")
    message = TextField(null=True)

    class Meta:
        indexes = ((("job", "slot"), True),)
