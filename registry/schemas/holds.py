"""Input for holding a lot by hand and for releasing a hold."""

from marshmallow import fields

from registry.models.holds import RELEASE_GROUNDS
from registry.schemas.common import BaseSchema, choice, text


class QuarantineSchema(BaseSchema):
    reason = text(max_length=2000, required=True)
    effective_on = fields.Date(metadata={"description": "Today when left out; not a later day."})


class ReleaseSchema(BaseSchema):
    grounds = choice(RELEASE_GROUNDS, required=True)
    evidence = text(max_length=4000, required=True,
                    metadata={"description": "What shows the hold may be lifted: the recall's "
                                             "termination notice, the manufacturer's letter."})
    reason = text(max_length=2000, required=True)
