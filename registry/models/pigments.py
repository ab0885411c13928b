"""Manufacturers, pigment products with their colorants, and the lots clinics hold."""

from peewee import CharField, DateField, DateTimeField, ForeignKeyField, TextField

from registry.clock import utcnow
from registry.db import BaseModel
from registry.models.clinics import Clinic

LOT_STATUSES = ("received", "in_use", "quarantined", "recalled", "expired", "disposed")
# A lot in one of these states may not be used in a procedure.
UNUSABLE_LOT_STATUSES = ("quarantined", "recalled", "expired", "disposed")


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
    """The lot's status history: each status with the moment it took effect."""

    lot = ForeignKeyField(PigmentLot, backref="status_changes")
    status = CharField()
    effective_on = DateField()
    recorded_at = DateTimeField(default=utcnow)
    reason = TextField(null=True)
    recall_number = CharField(null=True)
