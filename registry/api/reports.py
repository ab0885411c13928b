"""A clinic's audit report as a PDF, for its officers and its state's inspectors."""

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from registry.api.access import readers_only, refuse, require_reader
from registry.auth.tenancy import get_or_404, may_download_report
from registry.clock import today
from registry.models import Clinic
from registry.reports.download import send_report
from registry.schemas.reports import ReportQuerySchema
from registry.services.records import InvalidInput

PREFIX = "/clinics"
blp = Blueprint("reports", __name__, description="Audit reports (PDF/A-3).")
blp.before_request(readers_only)


@blp.route("/<int:clinic_id>/audit-report")
class AuditReport(MethodView):
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.doc(responses={"200": {
        "description": "The report, PDF/A-3 with the checklist attached as checklist.json. "
                       "X-Verification-Code carries the code printed on every page.",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})
    def get(self, query, clinic_id):
        """The clinic's audit report as of a date (today by default), by what is on record now
        or (known_on) by what was on record at the end of that day; the same data gives the
        same file, and a new file supersedes the one it replaces."""
        principal = require_reader()
        clinic = get_or_404(Clinic, clinic_id, principal)
        if not may_download_report(principal, clinic):
            refuse("Audit reports go to the clinic's officers and its state's inspectors.")
        try:
            return send_report(clinic, query.get("as_of") or today(), principal.user,
                               known_on=query.get("known_on"))
        except InvalidInput as invalid:
            abort(422, message="Invalid input.", errors={"query": invalid.errors})
