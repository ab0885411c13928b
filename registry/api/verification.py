"""Verifying an audit report over the API: open to anyone holding the file, like /verify."""

from dataclasses import asdict

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from registry.reports import issuing
from registry.schemas.reports import ReportUploadSchema, VerdictSchema

PREFIX = "/reports"
blp = Blueprint("report_verification", __name__,
                description="Whether a PDF is an audit report this registry issued, and current.")


@blp.route("/verify")
class ReportVerification(MethodView):
    @blp.arguments(ReportUploadSchema, location="files")
    @blp.response(200, VerdictSchema)
    @blp.doc(security=[])
    def post(self, files):
        """Verify a report's PDF: genuine and current, genuine but superseded (by which
        report, when and why), or not issued here. Needs no sign-in."""
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        data = files["file"].read(limit + 1)
        if not data:
            abort(422, message="Invalid input.",
                  errors={"files": {"file": ["Send the PDF file to check."]}})
        return answer(issuing.verify(data))


def answer(verdict: issuing.Verdict) -> dict:
    report = verdict.report
    return {
        "status": verdict.status, "headline": verdict.headline, "summary": verdict.summary,
        "message": verdict.message, "signature": verdict.signature,
        "code": report.code if report else None,
        "clinic_id": report.clinic_id if report else None,
        "as_of": report.as_of if report else None,
        "known_on": report.known_on if report else None,
        "issued_at": report.issued_at if report else None,
        "superseded_by": asdict(verdict.superseded_by) if verdict.superseded_by else None,
    }
