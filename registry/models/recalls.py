"""FDA enforcement (recall) records and the lots each one was matched to."""

from peewee import CharField, DateField, DateTimeField, ForeignKeyField, TextField

from registry.clock import utcnow
from registry.db import BaseModel
from registry.models.fields import JSONField
from registry.models.pigments import PigmentLot


class Recall(BaseModel):
    recall_number = CharField(unique=True)
    event_id = CharField(null=True)
    status = CharField(null=True)
    classification = CharField(null=True)
    product_type = CharField(null=True)
    recalling_firm = CharField(index=True)
    address_1 = CharField(null=True)
    address_2 = CharField(null=True)
    city = CharField(null=True)
    state = CharField(null=True)
    postal_code = CharField(null=True)
    country = CharField(null=True)
    product_description = TextField()
    product_quantity = TextField(null=True)
    code_info = TextField(null=True)
    more_code_info = TextField(null=True)
    reason_for_recall = TextField(null=True)
    voluntary_mandated = CharField(null=True)
    initial_firm_notification = CharField(null=True)
    distribution_pattern = TextField(null=True)
    recall_initiation_date = DateField(null=True)
    center_classification_date = DateField(null=True)
    report_date = DateField(null=True)
    termination_date = DateField(null=True)
    source = CharField(default="openfda")
    raw = JSONField(null=True)
    created_at = DateTimeField(default=utcnow)


class RecallMatch(BaseModel):
    """A recall matched to a lot, with the rule and the recall text that made the match."""

    recall = ForeignKeyField(Recall, backref="matches")
    lot = ForeignKeyField(PigmentLot, backref="recall_matches")
    rule = CharField()
    matched_text = TextField()
    matched_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("recall", "lot"), True),)


class RecallReview(BaseModel):
    """A possible match a person must decide: the rule, the recall text and why it is only
    possible (a brand named but not the product, a similar firm name, a date scope...)."""

    recall = ForeignKeyField(Recall, backref="reviews")
    lot = ForeignKeyField(PigmentLot, backref="recall_reviews")
    rule = CharField()
    span = TextField()
    reason = TextField()
    found_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("recall", "lot"), True),)


REVIEW_DECISIONS = ("confirmed", "dismissed")


class ReviewDecision(BaseModel):
    """The officer's one decision on a possible match: confirmed (the lot is matched and held)
    or dismissed (with the reason the lot is not affected)."""

    review = ForeignKeyField(RecallReview, unique=True, backref="decisions")
    decision = CharField()
    reason = TextField(null=True)
    decided_by = CharField()
    decided_at = DateTimeField(default=utcnow)
