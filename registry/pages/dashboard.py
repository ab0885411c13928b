"""A clinic's dashboard and profile: where its compliance officer starts the day."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from registry.auth.tenancy import may_download_report, may_edit_clinic, scoped
from registry.clock import today
from registry.db import read_snapshot
from registry.models import Clinic, Reminder
from registry.models.clinics import DISCIPLINES
from registry.pages.forms import Form, options, render_form
from registry.pages.guard import clinic_to_read, reader
from registry.services import clinics, compliance, overview, reporting_clock

bp = Blueprint("dashboard", __name__, url_prefix="/clinics")

DISCIPLINE_LABELS = {"smp": "Scalp micropigmentation", "pmu": "Permanent makeup",
                     "tattoo": "Tattooing", "piercing": "Body piercing"}


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes in a fieldset."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ClinicForm(Form):
    name = StringField("Clinic name", validators=[InputRequired("Enter the clinic's name.")])
    address = StringField("Street address")
    city = StringField("City")
    county = StringField("County")
    timezone = StringField("Time zone", description="For example America/New_York.")
    disciplines = MultiCheckboxField(
        "Services offered",
        choices=options((d, DISCIPLINE_LABELS.get(d, d)) for d in DISCIPLINES))
    reason = TextAreaField("Reason for the change",
                           validators=[InputRequired("Say why the profile changes.")],
                           description="Kept in the clinic's audit trail.")


@bp.get("/")
def mine():
    """The clinics the viewer may open."""
    principal = reader()
    rows = scoped(Clinic, principal).order_by(Clinic.state, Clinic.name)
    return render_template("dashboard/clinics.html", clinics=rows)


@bp.get("/<int:clinic_id>/")
def show(clinic_id):
    # One snapshot for the whole page, so a lot received or a procedure recorded meanwhile
    # cannot make the checklist and the lists beside it disagree.
    with read_snapshot():
        principal, clinic = clinic_to_read(clinic_id)
        day = today()
        checklist = compliance.checklist(clinic.id, day)
        reminders = (scoped(Reminder, principal)
                     .where((Reminder.clinic == clinic.id) & Reminder.dismissed_at.is_null())
                     .order_by(Reminder.due_on))
        return render_template(
            "dashboard/show.html", clinic=clinic, day=day, counts=checklist.counts(),
            overall=checklist.overall,
            credentials=overview.by_horizon(overview.expiring_credentials(clinic.id, day)),
            lots=overview.by_horizon(overview.expiring_lots(clinic.id, day)),
            horizons=overview.HORIZONS, set_aside=list(overview.lots_set_aside(clinic.id)),
            actions=list(overview.open_actions(clinic.id)),
            matches=list(overview.recent_recall_matches(clinic.id)), reminders=list(reminders),
            reviews=list(overview.open_recall_reviews(clinic.id)),
            awaiting_report=reporting_clock.awaiting_report([clinic.id], day),
            may_download=may_download_report(principal, clinic))


@bp.route("/<int:clinic_id>/profile", methods=["GET", "POST"])
def profile(clinic_id):
    principal, clinic = clinic_to_read(clinic_id)
    editable = may_edit_clinic(principal, clinic.id)
    if request.method == "POST" and not editable:
        abort(403)
    form = ClinicForm(obj=clinic)
    if not form.is_submitted():
        form.disciplines.data = [d.strip() for d in (clinic.disciplines or "").split(",")]

    def change():
        values = form.values(skip=("reason", "disciplines"))
        values["disciplines"] = ",".join(form.disciplines.data or [])
        for blank in ("address", "city", "county"):
            values.setdefault(blank, None)
        return clinics.update_clinic(clinic, values, principal.actor,
                                     reason=form.reason.data) or True

    if form.save(change):
        flash("The clinic profile is saved.")
        return redirect(url_for("pages.dashboard.profile", clinic_id=clinic.id))
    return render_form("dashboard/profile.html", form, clinic=clinic, editable=editable)
