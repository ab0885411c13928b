"""A clinic's checklist as of a date, and its audit report as a PDF download."""

from flask import Blueprint, abort, render_template
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from registry.auth.tenancy import may_download_report
from registry.clock import today
from registry.pages.forms import QueryForm, options
from registry.pages.guard import clinic_to_read
from registry.reports.download import send_report
from registry.rules.checks import STATUSES
from registry.services import compliance
from registry.services.records import InvalidInput

bp = Blueprint("checklist", __name__, url_prefix="/clinics")


class AsOfForm(QueryForm):
    as_of = DateField("As of", description="The checklist as it stood at the end of this day.")
    status = SelectField("Show", choices=options([("", "Every item")]
                                        + [(s, s.replace("_", " ").capitalize())
                                           for s in STATUSES]),
                         default="")
    known_on = DateField("As known on", validators=[Optional()],
                         description="Only what the registry had on record by the end of this "
                                     "day; leave it empty for everything on record now.")


@bp.get("/<int:clinic_id>/checklist")
def show(clinic_id):
    principal, clinic = clinic_to_read(clinic_id)
    form = AsOfForm()
    valid = form.checked()
    day = (form.as_of.data if valid else None) or today()
    if valid:
        form.as_of.data = day
    known_on = form.known_on.data if valid else None
    if known_on and known_on > today():
        form.known_on.errors = [*form.known_on.errors, "Not a day to come."]
        known_on, valid = None, False
    checklist = compliance.checklist(clinic.id, day, known_on)
    items = [item.to_dict() for item in checklist.items]
    shown = [i for i in items if not form.status.data or i["status"] == form.status.data]
    order = {"fail": 0, "warning": 1, "needs_evidence": 2, "pass": 3, "not_applicable": 4}
    shown.sort(key=lambda i: order.get(i["status"], 5))
    return render_template(
        "checklist/show.html", clinic=clinic, form=form, day=day, checklist=checklist.to_dict(),
        items=shown, may_download=may_download_report(principal, clinic),
    ), (200 if valid else 422)


@bp.get("/<int:clinic_id>/audit-report")
def report(clinic_id):
    """The audit report PDF, for the clinic's officers and its state's inspectors."""
    principal, clinic = clinic_to_read(clinic_id)
    if not may_download_report(principal, clinic):
        abort(403)
    form = AsOfForm()
    if not form.checked():
        abort(400)
    try:
        return send_report(clinic, form.as_of.data or today(), principal.user,
                           known_on=form.known_on.data)
    except InvalidInput:
        abort(400)
