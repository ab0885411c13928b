"""Recalls that reached the viewer's clinics, and each one's impact: the clients to notify."""

from flask import Blueprint, abort, render_template

from registry.auth.tenancy import get_or_404, may_see_contacts
from registry.models import Recall
from registry.notices import send_notices
from registry.pages.guard import clinic_to_read, reader
from registry.pages.procedures import paginate
from registry.services import recall_reach

bp = Blueprint("recalls", __name__, url_prefix="/recalls")


@bp.get("")
def index():
    principal = reader()
    pager = paginate(recall_reach.recalls_reaching(principal))
    return render_template("recalls/index.html", pager=pager,
                           reach=recall_reach.reach([r.id for r in pager.rows], principal))


@bp.get("/<int:recall_id>")
def show(recall_id):
    """The recall, its lots at the viewer's clinics, and the clients of each clinic to notify;
    a recall that reached none of the viewer's clinics is a 404, like a missing one."""
    principal = reader()
    recall = get_or_404(Recall, recall_id, principal)
    seen = recall_reach.seen_impact(recall, principal)
    if seen is None:
        abort(404)
    page = render_template("recalls/show.html", recall=recall, matches=seen.matches,
                           impact=seen.impact)
    return page, 200, {"Cache-Control": "no-store"}


@bp.get("/<int:recall_id>/clinics/<int:clinic_id>/notify.csv")
def notify_csv(recall_id, clinic_id):
    """The clinic's clients to notify, with their contact details, for its officers only."""
    principal, clinic = clinic_to_read(clinic_id)
    if not may_see_contacts(principal, clinic.id):
        abort(403)
    recall = get_or_404(Recall, recall_id, principal)
    impact = recall_reach.clinic_impact(recall, clinic.id, principal)
    if impact is None:
        abort(404)
    return send_notices(recall.id, impact)
