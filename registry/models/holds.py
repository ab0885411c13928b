"""Holds on pigment lots (a recall, or a quarantine by hand) and their reasoned releases."""

from peewee import CharField, DateField, DateTimeField, ForeignKeyField, TextField

from registry.clock import utcnow
from registry.db import BaseModel
from registry.models.pigments import PigmentLot
from registry.models.recalls import Recall

HOLD_KINDS = ("recall", "quarantine")
# What a release rests on: the recall was ended, the lot was shown not to be affected, or
# (a quarantine) the doubt that set it aside was resolved.
RELEASE_GROUNDS = ("recall_terminated", "lot_not_affected", "quarantine_resolved")
GROUND_LABELS = {
    "recall_terminated": "the recall was terminated",
    "lot_not_affected": "the lot is documented as not affected",
    "quarantine_resolved": "the reason for the quarantine was resolved",
}


class LotHold(BaseModel):
    """A hold stands from its first day until a release; while it stands the lot is unusable."""

    lot = ForeignKeyField(PigmentLot, backref="holds")
    kind = CharField()
    recall = ForeignKeyField(Recall, null=True, backref="holds")
    recall_number = CharField(null=True)
    # When the hold took effect: a recall's initiation date, which can be long before the
    # registry learned of it (placed_at).
    starts_on = DateField()
    reason = TextField()
    placed_at = DateTimeField(default=utcnow)
    placed_by = CharField()

    class Meta:
        indexes = ((("lot", "recall"), False),)


class HoldRelease(BaseModel):
    """The one explicit act that lifts a hold: who, when, on what grounds and evidence."""

    hold = ForeignKeyField(LotHold, unique=True, backref="releases")
    released_on = DateField()
    grounds = CharField()
    evidence = TextField()
    reason = TextField()
    recorded_at = DateTimeField(default=utcnow)
    released_by = CharField()
