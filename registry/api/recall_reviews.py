"""Possible recall matches of the clinics' lots, and the officers' decisions on them."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from registry.api.access import readers_only, refuse, require_reader
from registry.api.results import page, saved
from registry.auth.tenancy import get_or_404, may_decide_on_lots, scoped
from registry.models import PigmentLot, RecallReview, ReviewDecision
from registry.schemas.common import BaseSchema, QuerySchema, RecordId, UtcDateTime, choice
from registry.schemas.recalls import ReviewDecisionSchema
from registry.services import recall_reviews

PREFIX = "/recall-reviews"
blp = Blueprint("recall_reviews", __name__,
                description="Possible recall matches that a clinic's officer confirms or "
                            "dismisses.")
blp.before_request(readers_only)


class ReviewQuerySchema(QuerySchema):
    clinic_id = RecordId()
    state = choice(("open", "decided"))


class DecisionOutSchema(BaseSchema):
    decision = fields.String(metadata={"description": "confirmed or dismissed"})
    reason = fields.String(allow_none=True)
    decided_by = fields.String()
    decided_at = UtcDateTime()


class ReviewSchema(BaseSchema):
    id = fields.Integer()
    recall_id = fields.Integer()
    recall_number = fields.Function(lambda r: r.recall.recall_number)
    lot_id = fields.Integer()
    clinic_id = fields.Function(lambda r: r.lot.clinic_id)
    lot_number = fields.Function(lambda r: r.lot.lot_number)
    rule = fields.String()
    span = fields.String(metadata={"description": "The recall text that made the match."})
    reason = fields.String(metadata={"description": "Why it is only possible."})
    found_at = UtcDateTime()
    decision = fields.Function(
        lambda r: DecisionOutSchema().dump(d) if (d := recall_reviews.decision_of(r)) else None,
        metadata={"description": "null while the review is open"})


@blp.route("")
class Reviews(MethodView):
    @blp.arguments(ReviewQuerySchema, location="query")
    @blp.response(200, ReviewSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Possible matches of the lots of the clinics the caller sees, open ones first."""
        query = scoped(RecallReview, require_reader()).switch(RecallReview).join(PigmentLot) \
            .order_by(RecallReview.found_at, RecallReview.id)
        if filters.get("clinic_id"):
            query = query.where(PigmentLot.clinic == filters["clinic_id"])
        decided = ReviewDecision.select(ReviewDecision.review)
        if filters.get("state") == "open":
            query = query.where(RecallReview.id.not_in(decided))
        elif filters.get("state") == "decided":
            query = query.where(RecallReview.id.in_(decided))
        return page(query, pagination_parameters)


@blp.route("/<int:review_id>")
class ReviewById(MethodView):
    @blp.response(200, ReviewSchema)
    def get(self, review_id):
        """One possible match, with its decision once made."""
        return get_or_404(RecallReview, review_id, require_reader())


def _decide(review_id: int, data: dict, write):
    principal = require_reader()
    review = get_or_404(RecallReview, review_id, principal)
    if not may_decide_on_lots(principal, review.lot.clinic_id):
        refuse()

    def decide():
        write(review, data, principal.actor)
        return review

    return saved(decide)


@blp.route("/<int:review_id>/confirm")
class ConfirmReview(MethodView):
    @blp.arguments(ReviewDecisionSchema)
    @blp.response(200, ReviewSchema)
    def post(self, data, review_id):
        """The lot is affected: it is matched to the recall and held from the recall's start
        (the clinic's officers only)."""
        return _decide(review_id, data, recall_reviews.confirm)


@blp.route("/<int:review_id>/dismiss")
class DismissReview(MethodView):
    @blp.arguments(ReviewDecisionSchema)
    @blp.response(200, ReviewSchema)
    def post(self, data, review_id):
        """The lot is not affected; `reason` is required (the clinic's officers only)."""
        return _decide(review_id, data, recall_reviews.dismiss)
