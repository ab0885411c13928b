"""Input for manufacturers, pigment products, colorants and lots."""

from marshmallow import fields, validates_schema

from registry.models.pigments import LOT_STATUSES
from registry.schemas.common import (
    BaseSchema,
    CASNumber,
    ColourIndexNumber,
    RecordId,
    choice,
    require_order,
    text,
)


class ManufacturerSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    name = text(required=True)
    country = text(load_default=None)
    address = text(max_length=1000, load_default=None)
    fda_registration_number = text(max_length=50, load_default=None)


class PigmentProductSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    manufacturer_id = RecordId(required=True)
    brand = text(required=True)
    name = text(required=True)
    shade = text(load_default=None)
    sku = text(max_length=100, load_default=None)
    description = text(max_length=4000, load_default=None)


class ColorantSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    product_id = RecordId(required=True)
    name = text(required=True)
    ci_number = ColourIndexNumber(load_default=None)
    cas_number = CASNumber(load_default=None)


class PigmentLotSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    product_id = RecordId(required=True)
    clinic_id = RecordId(required=True)
    lot_number = text(max_length=100, required=True)
    manufactured_on = fields.Date(load_default=None)
    expires_on = fields.Date(load_default=None)
    received_on = fields.Date(required=True)
    opened_on = fields.Date(load_default=None)
    sds_reference = text(load_default=None)
    status = choice(LOT_STATUSES, dump_only=True)

    @validates_schema
    def _dates_in_order(self, data, **_kwargs):
        require_order(data, "manufactured_on", "expires_on", "Expires before it was made.")
        require_order(data, "received_on", "opened_on", "Opened before it was received.")


class LotStatusSchema(BaseSchema):
    status = choice(LOT_STATUSES, required=True)
    effective_on = fields.Date(required=True)
    reason = text(max_length=2000, load_default=None)
    recall_number = text(max_length=50, load_default=None)
