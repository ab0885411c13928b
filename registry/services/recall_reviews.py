"""The review queue of possible recall matches: the clinic's officer confirms one (the lot is
matched and held) or dismisses it with a reason; each decision is audited and final."""

from datetime import timedelta

from registry.clock import utcnow
from registry.db import write_transaction
from registry.models import PigmentLot, Recall, RecallReview, ReviewDecision
from registry.schemas.recalls import ReviewDecisionSchema
from registry.services import recalls, records
from registry.services.audit import Actor

DECIDED = ReviewDecision.select(ReviewDecision.review)


def reviews():
    """Every review with its recall and lot, open ones first, then the newest."""
    return (RecallReview.select(RecallReview, Recall, PigmentLot)
            .join(Recall).switch(RecallReview).join(PigmentLot)
            .order_by(RecallReview.id.in_(DECIDED), RecallReview.found_at.desc(),
                      RecallReview.id.desc()))


def open_reviews():
    """Reviews no one has decided yet, oldest first."""
    return (RecallReview.select(RecallReview, Recall, PigmentLot)
            .join(Recall).switch(RecallReview).join(PigmentLot)
            .where(RecallReview.id.not_in(DECIDED))
            .order_by(RecallReview.found_at, RecallReview.id))


def waiting_since(days: int):
    """Open reviews found more than `days` days ago."""
    return open_reviews().where(RecallReview.found_at < utcnow() - timedelta(days=days))


def decision_of(review: RecallReview) -> ReviewDecision | None:
    return ReviewDecision.get_or_none(ReviewDecision.review == review.id)


def confirm(review: RecallReview, data: dict, actor: Actor) -> ReviewDecision:
    """The lot is affected: it is matched to the recall and held from the recall's start."""
    return _decide(review, "confirmed", data, actor)


def dismiss(review: RecallReview, data: dict, actor: Actor) -> ReviewDecision:
    """The lot is not affected; the reason is required and kept."""
    return _decide(review, "dismissed", data, actor)


def _decide(review: RecallReview, decision: str, data: dict, actor: Actor) -> ReviewDecision:
    values = records.load(ReviewDecisionSchema, data)
    reason = values.get("reason")
    if decision == "dismissed" and not reason:
        raise records.InvalidInput({"reason": ["Say why this lot is not affected."]})
    with write_transaction():
        if decision_of(review) is not None:
            raise records.InvalidInput({"_schema": ["This match was already decided."]})
        lot = PigmentLot.get_by_id(review.lot_id)
        recall = Recall.get_by_id(review.recall_id)
        made = records.add(ReviewDecision, {
            "review_id": review.id, "decision": decision, "reason": reason,
            "decided_by": actor.label}, actor, clinic_id=lot.clinic_id,
            reason=reason or f"match {decision}", action=decision.removesuffix("ed"))
        if decision == "confirmed":
            recalls.record_match(recall, lot, f"confirmed ({review.rule})", review.span, actor)
    return made
