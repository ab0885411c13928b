"""FDA cosmetic adverse-event counts for each product the registry holds."""

from peewee import CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from registry.clock import utcnow
from registry.db import BaseModel
from registry.models.pigments import PigmentProduct


class ProductEventCount(BaseModel):
    product = ForeignKeyField(PigmentProduct, backref="event_counts", on_delete="CASCADE")
    source = CharField(default="openfda-cosmetic-event")
    query = TextField()
    total = IntegerField()
    serious = IntegerField(default=0)
    data_updated_on = DateField(null=True)
    counted_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("product", "source"), True),)
