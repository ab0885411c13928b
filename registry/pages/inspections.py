"""A clinic's inspections, their findings and corrective actions."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from peewee import prefetch
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from registry.auth.tenancy import may_edit_clinic, may_inspect, may_waive_action
from registry.clock import today
from registry.db import write_transaction
from registry.models import Clinic, CorrectiveAction, Finding, Inspection
from registry.models.inspections import ACTION_STATUSES, INSPECTION_KINDS, SEVERITIES
from registry.pages.forms import Form, options, render_form
from registry.pages.guard import clinic_to_inspect, clinic_to_read, record_of_clinic
from registry.services import compliance, inspections
from registry.services.records import InvalidInput

bp = Blueprint("inspections", __name__, url_prefix="/clinics")

ACTION_LABELS = {"open": "Open", "done": "Done", "overdue_waived": "Overdue, waived"}


def _words(value: str) -> str:
    return value.replace("_", " ").capitalize()


class InspectionForm(Form):
    inspected_on = DateField("Inspected on", default=today,
                             validators=[InputRequired("Enter the day of the inspection.")])
    kind = SelectField("Kind of inspection", default="routine",
                       choices=options((k, _words(k)) for k in INSPECTION_KINDS))
    result = StringField("Result", description="For example: satisfactory, or follow-up due.")
    notes = TextAreaField("Notes")


class FindingForm(Form):
    requirement_id = SelectField("Requirement", default="")
    severity = SelectField("Severity", default="minor",
                           choices=options((s, _words(s)) for s in SEVERITIES))
    description = TextAreaField("What was found",
                                validators=[InputRequired("Describe what was found.")])
    action_description = TextAreaField("Corrective action",
                                       description="What the clinic must do, if anything.")
    due_on = DateField("Due by", validators=[Optional()])


class ActionForm(Form):
    status = SelectField("Status", choices=options(
        (s, ACTION_LABELS.get(s, _words(s))) for s in ACTION_STATUSES))
    completed_on = DateField("Completed on", validators=[Optional()],
                             description="Required when the action is done.")
    reason = TextAreaField("Reason for the change",
                           validators=[InputRequired("Say why the action changes.")],
                           description="Kept in the clinic's audit trail.")


def requirement_choices(clinic: Clinic, day):
    """The requirements the clinic's checklist applied that day, failing ones first."""
    titles, failing = {}, set()
    for result in compliance.checklist(clinic.id, day).results:
        titles.setdefault(result.requirement.id, result.requirement.title)
        if any(outcome.status == "fail" for outcome in result.outcomes):
            failing.add(result.requirement.id)
    ordered = sorted(titles, key=lambda rid: rid not in failing)
    return options([("", "No specific requirement")]
                   + [(rid, f"{rid} — {titles[rid]}") for rid in ordered])


def finding_form(clinic: Clinic, inspection: Inspection) -> FindingForm:
    form = FindingForm()
    form.requirement_id.choices = requirement_choices(clinic, inspection.inspected_on)
    return form


def with_findings(query):
    """Inspections with their findings and each finding's corrective actions."""
    findings = Finding.select().order_by(Finding.id)
    actions = CorrectiveAction.select().order_by(CorrectiveAction.due_on, CorrectiveAction.id)
    return prefetch(query, findings, actions)


def is_party(principal, clinic: Clinic) -> bool:
    """Corrective actions concern both sides: the inspectors and the clinic's officers."""
    return may_inspect(principal, clinic) or may_edit_clinic(principal, clinic.id)


@bp.get("/<int:clinic_id>/inspections")
def index(clinic_id):
    principal, clinic = clinic_to_read(clinic_id)
    query = (Inspection.select().where(Inspection.clinic == clinic.id)
             .order_by(Inspection.inspected_on.desc(), Inspection.id.desc()))
    return render_template("inspections/index.html", clinic=clinic, day=today(),
                           inspections=with_findings(query),
                           may_record=may_inspect(principal, clinic),
                           may_update=is_party(principal, clinic))


@bp.route("/<int:clinic_id>/inspections/new", methods=["GET", "POST"])
def new(clinic_id):
    principal, clinic = clinic_to_inspect(clinic_id)
    form = InspectionForm()

    def record():
        values = {**form.values(), "clinic_id": clinic.id, "inspector_id": principal.user.id}
        return inspections.record_inspection(values, principal.actor)

    inspection = form.save(record)
    if inspection:
        flash("The inspection is recorded.")
        return redirect(url_for("pages.inspections.show", clinic_id=clinic.id,
                                inspection_id=inspection.id))
    return render_form("inspections/new.html", form, clinic=clinic)


@bp.get("/<int:clinic_id>/inspections/<int:inspection_id>")
def show(clinic_id, inspection_id):
    principal, clinic = clinic_to_read(clinic_id)
    inspection = record_of_clinic(Inspection, inspection_id, clinic)
    query = Inspection.select().where(Inspection.id == inspection.id)
    may_add = may_inspect(principal, clinic)
    return render_template(
        "inspections/show.html", clinic=clinic, inspection=with_findings(query)[0],
        day=today(), form=finding_form(clinic, inspection) if may_add else None,
        may_update=is_party(principal, clinic))


def _action_input(form: FindingForm) -> dict | None:
    """The corrective action given with a finding: both its fields, or neither."""
    text, due = (form.action_description.data or "").strip(), form.due_on.data
    if not text and not due:
        return None
    if not due:
        raise InvalidInput({"due_on": ["Give the day the corrective action is due by."]})
    if not text:
        raise InvalidInput({"action_description": ["Describe the corrective action."]})
    return {"description": text, "due_on": due.isoformat()}


@bp.route("/<int:clinic_id>/inspections/<int:inspection_id>/findings/new",
          methods=["GET", "POST"])
def new_finding(clinic_id, inspection_id):
    principal, clinic = clinic_to_inspect(clinic_id)
    inspection = record_of_clinic(Inspection, inspection_id, clinic)
    form = finding_form(clinic, inspection)

    def add():
        action = _action_input(form)
        values = {**form.values(skip=("action_description", "due_on")),
                  "inspection_id": inspection.id}
        with write_transaction():
            finding = inspections.add_finding(values, principal.actor)
            if action:
                try:
                    inspections.add_corrective_action({**action, "finding_id": finding.id},
                                                      principal.actor)
                except InvalidInput as invalid:
                    renamed = {"description": "action_description"}
                    raise InvalidInput({renamed.get(k, k): v
                                        for k, v in invalid.errors.items()}) from invalid
        return finding, action

    saved = form.save(add)
    if saved:
        flash("The finding and its corrective action are added." if saved[1]
              else "The finding is added.")
        return redirect(url_for("pages.inspections.show", clinic_id=clinic.id,
                                inspection_id=inspection.id))
    return render_form("inspections/new_finding.html", form, clinic=clinic,
                       inspection=inspection)


@bp.route("/<int:clinic_id>/actions/<int:action_id>", methods=["GET", "POST"])
def action(clinic_id, action_id):
    principal, clinic = clinic_to_read(clinic_id)
    row = (CorrectiveAction.select(CorrectiveAction, Finding, Inspection)
           .join(Finding).join(Inspection)
           .where((CorrectiveAction.id == action_id) & (Inspection.clinic == clinic.id))
           .first())
    if row is None:
        abort(404)
    if not is_party(principal, clinic):
        abort(403)
    form = ActionForm(obj=row)
    if not may_waive_action(principal, clinic) and row.status != "overdue_waived":
        form.status.choices = [c for c in form.status.choices if c.value != "overdue_waived"]

    def update():
        if form.status.data == "overdue_waived" and not may_waive_action(principal, clinic):
            raise InvalidInput({"status": ["Only an inspector waives a corrective action."]})
        done_on = form.completed_on.data
        changes = inspections.update_corrective_action(
            row, {"status": form.status.data,
                  "completed_on": done_on.isoformat() if done_on else None},
            principal.actor, reason=form.reason.data.strip())
        return {"changes": changes}

    saved = form.save(update)
    if saved:
        flash("The corrective action is updated." if saved["changes"] else "Nothing changed.")
        return redirect(url_for("pages.inspections.show", clinic_id=clinic.id,
                                inspection_id=row.finding.inspection_id))
    return render_form("inspections/action.html", form, clinic=clinic, action=row,
                       finding=row.finding, inspection=row.finding.inspection,
                       overdue=row.status == "open" and row.due_on < today())
