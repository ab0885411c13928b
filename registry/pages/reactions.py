"""Adverse-reaction reports of a clinic, with the seriousness questions and the reporting clock."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from registry.auth.tenancy import may_edit_clinic
from registry.clock import today
from registry.models import (
    AdverseReaction,
    Client,
    PigmentLot,
    PigmentProduct,
    Procedure,
    ProcedureLot,
    ReactionLot,
)
from registry.pages.forms import options, render_form
from registry.pages.guard import clinic_to_edit, clinic_to_read, record_id_arg, record_of_clinic
from registry.pages.procedures import client_choices, lot_choices, lot_label, paginate
from registry.pages.reaction_forms import (
    OUTCOME_LABELS,
    SECTIONS,
    UPDATE_SECTIONS,
    ReactionForm,
    ReactionUpdateForm,
)
from registry.reports import medwatch, render
from registry.services import compliance, reactions
from registry.services.reporting_clock import REPORTING_RULE, fda_clock

bp = Blueprint("reactions", __name__, url_prefix="/clinics")

RECENT_PROCEDURES = 200


def reporting_rule():
    return next((r for pack in compliance.loaded_packs() for r in pack.requirements
                 if r.id == REPORTING_RULE), None)


def procedure_choices(clinic, wanted) -> list:
    """The clinic's recent procedures, and the one asked for even if it is older."""
    recent = (Procedure.select(Procedure.id).where(Procedure.clinic == clinic.id)
              .order_by(Procedure.performed_on.desc(), Procedure.id.desc())
              .limit(RECENT_PROCEDURES))
    query = (Procedure.select(Procedure, Client).join(Client)
             .where((Procedure.clinic == clinic.id)
                    & (Procedure.id.in_(recent) | (Procedure.id == (wanted or 0))))
             .order_by(Procedure.performed_on.desc(), Procedure.id.desc()))
    return options([("", "None, or not done here")]
                   + [(p.id, f"{p.performed_on.isoformat()} · client {p.client.reference} · "
                             f"{p.body_area}") for p in query])


def _prefill(clinic) -> dict:
    """Report a reaction to a procedure: its client and its lots filled in."""
    wanted = record_id_arg("procedure_id")
    procedure = Procedure.get_or_none(Procedure.id == wanted) if wanted else None
    if procedure is None or procedure.clinic_id != clinic.id:
        return {}
    lot_ids = ProcedureLot.select(ProcedureLot.lot).where(ProcedureLot.procedure == procedure)
    return {"procedure_id": str(procedure.id), "client_id": str(procedure.client_id),
            "lot_ids": [str(use.lot_id) for use in lot_ids]}


@bp.get("/<int:clinic_id>/reactions")
def index(clinic_id):
    principal, clinic = clinic_to_read(clinic_id)
    query = (AdverseReaction.select(AdverseReaction, Client).join(Client)
             .where(AdverseReaction.clinic == clinic.id)
             .order_by(AdverseReaction.event_on.desc(), AdverseReaction.id.desc()))
    pager = paginate(query)
    day = today()
    return render_template("reactions/index.html", clinic=clinic, pager=pager,
                           clocks={r.id: fda_clock(r, day) for r in pager.rows},
                           editable=may_edit_clinic(principal, clinic.id))


@bp.route("/<int:clinic_id>/reactions/new", methods=["GET", "POST"])
def new(clinic_id):
    principal, clinic = clinic_to_edit(clinic_id)
    form = ReactionForm(data=None if request.method == "POST" else _prefill(clinic))
    form.client_id.choices = client_choices(clinic)
    form.procedure_id.choices = procedure_choices(clinic, record_id_arg("procedure_id"))
    form.lot_ids.choices = lot_choices(clinic, with_disposed=True)
    reaction = form.save(lambda: reactions.report_reaction(
        {**form.values(), "clinic_id": clinic.id}, principal.actor))
    if reaction:
        flash("The adverse reaction is recorded."
              + (" It is serious: see when it must be reported to FDA." if reaction.serious
                 else ""))
        return redirect(url_for("pages.reactions.show", clinic_id=clinic.id,
                                reaction_id=reaction.id))
    return render_form("reactions/new.html", form, clinic=clinic, sections=SECTIONS)


@bp.route("/<int:clinic_id>/reactions/<int:reaction_id>", methods=["GET", "POST"])
def show(clinic_id, reaction_id):
    principal, clinic = clinic_to_read(clinic_id)
    reaction = record_of_clinic(AdverseReaction, reaction_id, clinic)
    editable = may_edit_clinic(principal, clinic.id)
    if request.method == "POST" and not editable:
        abort(403)
    form = ReactionUpdateForm(obj=reaction)

    def update():
        values = form.values(skip=("reason",))
        for name in form.clearable():
            values.setdefault(name, None)
        return reactions.update_reaction(reaction, values, principal.actor,
                                         reason=form.reason.data) or True

    if form.save(update):
        flash("The report is updated.")
        return redirect(url_for("pages.reactions.show", clinic_id=clinic.id,
                                reaction_id=reaction.id))
    suspects = (PigmentLot.select(PigmentLot, PigmentProduct).join(PigmentProduct)
                .join_from(PigmentLot, ReactionLot).where(ReactionLot.reaction == reaction.id)
                .order_by(PigmentLot.lot_number))
    return render_form(
        "reactions/show.html", form, clinic=clinic, reaction=reaction, editable=editable,
        clock=fda_clock(reaction, today()), rule=reporting_rule(),
        suspects=[lot_label(lot) for lot in suspects], outcome_labels=OUTCOME_LABELS,
        update_sections=UPDATE_SECTIONS)


@bp.get("/<int:clinic_id>/reactions/<int:reaction_id>/medwatch.pdf")
def medwatch_pdf(clinic_id, reaction_id):
    """The report laid out like FDA MedWatch Form 3500, as a PDF with its JSON attached."""
    _principal, clinic = clinic_to_read(clinic_id)
    reaction = record_of_clinic(AdverseReaction, reaction_id, clinic)
    try:
        return medwatch.pdf_download(reaction)
    except render.RenderError:
        medwatch.log_render_failure(reaction)
        abort(503)


@bp.get("/<int:clinic_id>/reactions/<int:reaction_id>/medwatch.json")
def medwatch_json(clinic_id, reaction_id):
    """The report laid out like FDA MedWatch Form 3500, as JSON."""
    _principal, clinic = clinic_to_read(clinic_id)
    return medwatch.json_download(record_of_clinic(AdverseReaction, reaction_id, clinic))
