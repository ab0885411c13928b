"""Input for recall records as the registry stores them."""

from marshmallow import fields

from registry.schemas.common import BaseSchema, text


class RecallSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    recall_number = text(max_length=50, required=True)
    event_id = text(max_length=50, load_default=None)
    status = text(load_default=None)
    classification = text(load_default=None)
    product_type = text(load_default=None)
    recalling_firm = text(required=True)
    address_1 = text(load_default=None)
    address_2 = text(load_default=None)
    city = text(load_default=None)
    state = text(load_default=None)
    postal_code = text(load_default=None)
    country = text(load_default=None)
    product_description = text(max_length=20000, required=True)
    product_quantity = text(max_length=4000, load_default=None)
    code_info = text(max_length=20000, load_default=None)
    more_code_info = text(max_length=20000, load_default=None)
    reason_for_recall = text(max_length=20000, load_default=None)
    voluntary_mandated = text(load_default=None)
    initial_firm_notification = text(load_default=None)
    distribution_pattern = text(max_length=20000, load_default=None)
    recall_initiation_date = fields.Date(load_default=None)
    center_classification_date = fields.Date(load_default=None)
    report_date = fields.Date(load_default=None)
    termination_date = fields.Date(load_default=None)
    source = text(load_default="openfda")
    raw = fields.Dict(load_default=None)


class ReviewDecisionSchema(BaseSchema):
    """An officer's decision on a possible match: a reason, required to dismiss."""

    reason = text(max_length=2000, load_default=None)
