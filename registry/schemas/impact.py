"""The impact of a recall as one caller sees it: matched lots, clinics, clients to notify."""

from marshmallow import Schema, fields

from registry.schemas.common import UtcDateTime


class LotUseSchema(Schema):
    procedure_id = fields.Integer()
    performed_on = fields.Date()
    body_area = fields.String()
    lot_id = fields.Integer()
    lot_number = fields.String()
    product = fields.String(metadata={"description": "The product's name."})


class ClientNoticeSchema(Schema):
    client_id = fields.Integer()
    reference = fields.String(metadata={"description": "The clinic's own reference."})
    initials = fields.String(allow_none=True, metadata={
        "description": "Null unless the caller is an officer of the client's clinic."})
    email = fields.String(allow_none=True, metadata={
        "description": "Null unless the caller is an officer of the client's clinic."})
    phone = fields.String(allow_none=True, metadata={
        "description": "Null unless the caller is an officer of the client's clinic."})
    uses = fields.List(fields.Nested(LotUseSchema), metadata={
        "description": "The procedures with a recalled lot, earliest first."})


class ClinicImpactSchema(Schema):
    clinic_id = fields.Integer()
    name = fields.String()
    state = fields.String()
    contacts_shown = fields.Boolean(metadata={
        "description": "Whether the clients' initials, email and phone are given: to the "
                       "clinic's own officers only."})
    client_count = fields.Integer()
    procedure_count = fields.Integer()
    clients = fields.List(fields.Nested(ClientNoticeSchema))


class MatchedLotSchema(Schema):
    lot_id = fields.Integer(attribute="lot.id")
    clinic_id = fields.Integer(attribute="lot.clinic_id")
    lot_number = fields.String(attribute="lot.lot_number")
    product_id = fields.Integer(attribute="lot.product_id")
    status = fields.String(attribute="lot.status")
    rule = fields.String(metadata={"description": "What made the match, e.g. 'lot code'."})
    matched_text = fields.String()
    matched_at = UtcDateTime()


class RecallImpactSchema(Schema):
    recall_id = fields.Integer()
    recall_number = fields.String()
    lots = fields.List(fields.Nested(MatchedLotSchema), metadata={
        "description": "The recall's matches on lots of the clinics the caller sees."})
    client_count = fields.Integer()
    procedure_count = fields.Integer()
    clinics = fields.List(fields.Nested(ClinicImpactSchema), metadata={
        "description": "The clinics the caller sees whose clients received a matched lot."})
