"""Possible recall matches of a clinic's lots, for its officer to confirm or dismiss."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Optional

from registry.auth.tenancy import may_decide_on_lots
from registry.db import read_snapshot
from registry.models import PigmentLot, RecallReview, ReviewDecision
from registry.pages.forms import Form, render_form
from registry.pages.guard import clinic_to_edit, clinic_to_read
from registry.services import recall_reviews

bp = Blueprint("recall_reviews", __name__, url_prefix="/clinics")


class ConfirmForm(Form):
    reason = TextAreaField("Note", validators=[Optional()],
                           description="Optional: what you checked, e.g. the bottle's label.")
    submit = SubmitField("Confirm: this lot is recalled")


class DismissForm(Form):
    reason = TextAreaField("Why this lot is not affected",
                           validators=[DataRequired("Say why this lot is not affected.")],
                           description="Kept with the decision and in the audit trail.")
    submit = SubmitField("Dismiss: not this lot")


def _of_clinic(query, clinic):
    return query.where(RecallReview.lot.in_(
        PigmentLot.select(PigmentLot.id).where(PigmentLot.clinic == clinic.id)))


@bp.get("/<int:clinic_id>/recall-reviews")
def index(clinic_id):
    principal, clinic = clinic_to_read(clinic_id)
    with read_snapshot():
        rows = list(_of_clinic(recall_reviews.reviews(), clinic).limit(200))
        decisions = {d.review_id: d for d in ReviewDecision.select().where(
            ReviewDecision.review.in_([r.id for r in rows] or [0]))}
        return render_template(
            "recall_reviews/index.html", clinic=clinic, rows=rows, decisions=decisions,
            may_decide=may_decide_on_lots(principal, clinic.id))


def _review(clinic_id: int, review_id: int):
    principal, clinic = clinic_to_edit(clinic_id)
    if not may_decide_on_lots(principal, clinic.id):
        abort(403)
    review = _of_clinic(recall_reviews.reviews(), clinic).where(
        RecallReview.id == review_id).first()
    if review is None:
        abort(404)
    return principal, clinic, review


def _decide(clinic_id: int, review_id: int, form_class, write, done: str):
    principal, clinic, review = _review(clinic_id, review_id)
    form = form_class()
    decided = form.save(lambda: write(review, form.values(), principal.actor))
    if decided:
        flash(done.format(lot=review.lot.lot_number, recall=review.recall.recall_number))
        return redirect(url_for("pages.recall_reviews.index", clinic_id=clinic.id))
    return render_form("recall_reviews/decide.html", form, clinic=clinic, review=review,
                       decision=recall_reviews.decision_of(review),
                       confirming=form_class is ConfirmForm)


@bp.route("/<int:clinic_id>/recall-reviews/<int:review_id>/confirm", methods=["GET", "POST"])
def confirm(clinic_id, review_id):
    return _decide(clinic_id, review_id, ConfirmForm, recall_reviews.confirm,
                   "Lot {lot} is matched to recall {recall} and held.")


@bp.route("/<int:clinic_id>/recall-reviews/<int:review_id>/dismiss", methods=["GET", "POST"])
def dismiss(clinic_id, review_id):
    return _decide(clinic_id, review_id, DismissForm, recall_reviews.dismiss,
                   "The possible match of lot {lot} with recall {recall} is dismissed.")
