"""An issued audit report as a file download, for the API and the pages alike."""

from datetime import date

from flask import send_file

from registry.clock import today
from registry.models import Clinic, User
from registry.reports import issuing
from registry.services.records import InvalidInput


def check_dates(as_of: date, known_on: date | None) -> None:
    """A day still to come is refused: the report would be signed today for facts not yet
    known, or as the registry will know them later."""
    errors = {}
    if as_of > today():
        errors["as_of"] = ["A report cannot be issued for a day still to come."]
    if known_on is not None and known_on > today():
        errors["known_on"] = ["A report cannot be issued as known on a day still to come."]
    if errors:
        raise InvalidInput(errors)


def send_report(clinic: Clinic, as_of: date, user: User, known_on: date | None = None):
    """Issue (or find) the clinic's report as of the date, as known now or at the end of
    known_on, and send it as an attachment."""
    check_dates(as_of, known_on)
    issued = issuing.issue(clinic, as_of, user, known_on=known_on)
    known = f"-known-{known_on.isoformat()}" if known_on else ""
    response = send_file(issued.path, mimetype="application/pdf", as_attachment=True,
                         download_name=f"audit-report-{clinic.id}-{as_of.isoformat()}{known}.pdf",
                         etag=issued.report.sha256, conditional=True)
    response.headers["X-Verification-Code"] = issued.report.code
    return response
