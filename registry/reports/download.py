"""An issued audit report as a file download, for the API and the pages alike."""

from datetime import date

from flask import send_file

from registry.clock import today
from registry.models import Clinic, User
from registry.reports import issuing
from registry.services.records import InvalidInput


def send_report(clinic: Clinic, as_of: date, user: User):
    """Issue (or find) the clinic's report as of the date and send it as an attachment.

    A day still to come is refused: the report would be signed today for facts not yet known."""
    if as_of > today():
        raise InvalidInput({"as_of": ["A report cannot be issued for a day still to come."]})
    issued = issuing.issue(clinic, as_of, user)
    response = send_file(issued.path, mimetype="application/pdf", as_attachment=True,
                         download_name=f"audit-report-{clinic.id}-{as_of.isoformat()}.pdf",
                         etag=issued.report.sha256, conditional=True)
    response.headers["X-Verification-Code"] = issued.report.code
    return response
