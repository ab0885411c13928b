"""The audit trail: append-only events, chained per clinic with a keyed MAC."""

from peewee import CharField, DateTimeField, IntegerField, TextField

from registry.db import BaseModel
from registry.models.fields import JSONField

GLOBAL_CHAIN = "global"


class AuditEvent(BaseModel):
    # "clinic:<id>" for a clinic's records, GLOBAL_CHAIN for shared ones (products, recalls, users).
    chain = CharField()
    seq = IntegerField()
    occurred_at = DateTimeField()
    actor_id = IntegerField(null=True)
    actor = CharField()
    action = CharField()
    entity = CharField()
    entity_id = CharField()
    changes = JSONField()
    reason = TextField(null=True)
    key_id = CharField()
    prev_mac = CharField(max_length=64)
    mac = CharField(max_length=64)

    class Meta:
        indexes = (
            (("chain", "seq"), True),
            (("entity", "entity_id"), False),
            (("chain", "action"), False),
        )


class AuditChainHead(BaseModel):
    """The last link of each chain, so a truncated chain is noticed."""

    chain = CharField(primary_key=True)
    seq = IntegerField()
    mac = CharField(max_length=64)
    updated_at = DateTimeField()
