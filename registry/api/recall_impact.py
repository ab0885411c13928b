"""The impact of a recall: the clinics and clients its lots reached, and each clinic's list of
clients to notify as CSV."""

from types import SimpleNamespace

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from registry.api.access import readers_only, refuse, require_reader
from registry.auth.tenancy import get_or_404, may_see_contacts
from registry.models import Clinic, Recall
from registry.notices import send_notices
from registry.schemas.impact import RecallImpactSchema
from registry.services import recall_reach
from registry.services.trace import CSV_HEADER

PREFIX = "/recalls"
blp = Blueprint("recall_impact", __name__,
                description="Who a recall reached: clinics, clients and procedures.")
blp.before_request(readers_only)


@blp.route("/<int:recall_id>/impact")
class RecallImpact(MethodView):
    @blp.response(200, RecallImpactSchema)
    @blp.alt_response(404, description="No such recall, or none of its lots is at a clinic "
                                       "the caller sees.")
    def get(self, recall_id):
        """The clinics the caller sees whose clients received a lot matched to the recall,
        with the clients and procedures; contact details only for the caller's own clinics."""
        principal = require_reader()
        recall = get_or_404(Recall, recall_id, principal)
        seen = recall_reach.seen_impact(recall, principal)
        if seen is None:
            abort(404, message="None of this recall's lots is at a clinic you see.")
        impact = seen.impact
        return SimpleNamespace(
            recall_id=recall.id, recall_number=recall.recall_number, lots=seen.matches,
            client_count=impact.client_count, procedure_count=impact.procedure_count,
            clinics=impact.clinics), {"Cache-Control": "no-store"}


@blp.route("/<int:recall_id>/impact/clinics/<int:clinic_id>.csv")
class ClinicNotices(MethodView):
    @blp.doc(responses={"200": {
        "description": "One line per client and procedure with a recalled lot: "
                       + ", ".join(CSV_HEADER)
                       + ". A cell that a spreadsheet would run as a formula starts with a "
                         "quote.",
        "content": {"text/csv": {"schema": {"type": "string"}}}}})
    @blp.alt_response(404, description="No such recall or clinic, or no client of the clinic "
                                       "received a lot of the recall.")
    def get(self, recall_id, clinic_id):
        """The clinic's clients to notify of the recall, with contact details, as CSV: for the
        clinic's own officers only."""
        principal = require_reader()
        clinic = get_or_404(Clinic, clinic_id, principal)
        if not may_see_contacts(principal, clinic.id):
            refuse("Clients' contact details go to the officers of their own clinic only.")
        recall = get_or_404(Recall, recall_id, principal)
        impact = recall_reach.clinic_impact(recall, clinic.id, principal)
        if impact is None:
            abort(404, message="No client of this clinic received a lot of this recall.")
        return send_notices(recall.id, impact)
