"""Manufacturers, pigment products with their colorants, and the lots clinics hold."""

from peewee import CharField, DateField, DateTimeField, ForeignKeyField, TextField

from registry.clock import utcnow
from registry.db import BaseModel
from registry.models.clinics import Clinic

# A lot's listed status: the step of its life, or the hold standing over it (see holds.py);
# kept by services/pigments.refresh_standing from the lot's history and holds.
LOT_STATUSES = ("received", "in_use", "quarantined", "recalled", "expired", "disposed")


class Manufacturer(BaseModel):
    name = CharField(unique=True)
    country = CharField(null=True)
    address = TextField(null=True)
    fda_registration_number = CharField(null=True)
    created_at = DateTimeField(default=utcnow)


class PigmentProduct(BaseModel):
    manufacturer = ForeignKeyField(Manufacturer, backref="products")
    brand = CharField()
    name = CharField()
    shade = CharField(null=True)
    sku = CharField(null=True)
    description = TextField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("manufacturer", "brand", "name", "shade"), True),)


class Colorant(BaseModel):
    """One colouring ingredient of a product, by Colour Index number and/or CAS number."""

    product = ForeignKeyField(PigmentProduct, backref="colorants", on_delete="CASCADE")
    name = CharField()
    ci_number = CharField(null=True, index=True)
    cas_number = CharField(null=True)


class PigmentLot(BaseModel):
    # Editing a regulated record requires a reason in its audit event.
    regulated = True

    product = ForeignKeyField(PigmentProduct, backref="lots")
    clinic = ForeignKeyField(Clinic, backref="lots")
    lot_number = CharField()
    manufactured_on = DateField(null=True)
    expires_on = DateField(null=True, index=True)
    received_on = DateField()
    opened_on = DateField(null=True)
    sds_reference = CharField(null=True)
    status = CharField(default="received")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("clinic", "product", "lot_number"), True),)


class LotStatusChange(BaseModel):
    """The steps of the lot's life (received, in use, expired, disposed), each with the day it
    took effect and when it was recorded. Rows from before holds were kept apart may also say
    quarantined or recalled; the holds table has those now."""

    lot = ForeignKeyField(PigmentLot, backref="status_changes")
    status = CharField()
    effective_on = DateField()
    recorded_at = DateTimeField(default=utcnow)
    reason = TextField(null=True)
    recall_number = CharField(null=True)
