"""A clinic's recall notification list as a CSV download, for the API and the pages alike."""

from flask import Response

from registry.services.trace import ClinicImpact, impact_csv


def send_notices(recall_id: int, impact: ClinicImpact) -> Response:
    """The CSV as an attachment that no cache keeps: it holds clients' contact details."""
    response = Response(impact_csv(impact), mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment",
                         filename=f"recall-{recall_id}-clinic-{impact.clinic_id}-notify.csv")
    response.headers["Cache-Control"] = "no-store"
    return response
