"""A clinic's pigment lots through their life: received, opened, set aside, disposed."""

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from registry.auth.tenancy import may_edit_catalogue, may_edit_clinic
from registry.clock import today
from registry.models import (
    LotStatusChange,
    PigmentLot,
    PigmentProduct,
    Procedure,
    ProcedureLot,
    Recall,
    RecallMatch,
)
from registry.pages import lot_forms
from registry.pages.forms import render_form
from registry.pages.guard import clinic_to_edit, clinic_to_read, record_of_clinic
from registry.services import pigments
from registry.services.overview import SET_ASIDE
from registry.services.records import InvalidInput

bp = Blueprint("lots", __name__, url_prefix="/clinics")


@dataclass(frozen=True)
class Row:
    """A lot as a page shows it: whether it is past its date, and where it may go next."""

    lot: PigmentLot
    expired: bool
    steps: frozenset

    @property
    def stands_out(self) -> bool:
        return self.expired or self.lot.status in (*SET_ASIDE, "expired")


def row(lot: PigmentLot, day) -> Row:
    past_date = bool(lot.expires_on and lot.expires_on < day and lot.status != "disposed")
    return Row(lot, past_date, frozenset(pigments.TRANSITIONS[lot.status]))


@bp.get("/<int:clinic_id>/lots")
def index(clinic_id):
    principal, clinic = clinic_to_read(clinic_id)
    form = lot_forms.LotFilterForm()
    valid = form.checked()
    status = form.status.data if valid else None
    lots = (PigmentLot.select(PigmentLot, PigmentProduct).join(PigmentProduct)
            .where(PigmentLot.clinic == clinic.id)
            .order_by(PigmentLot.received_on.desc(), PigmentLot.id.desc()))
    if status:
        lots = lots.where(PigmentLot.status == status)
    elif not (valid and form.show_disposed.data):
        lots = lots.where(PigmentLot.status != "disposed")
    day = today()
    return render_template(
        "lots/index.html", clinic=clinic, form=form, day=day, rows=[row(lot, day) for lot in lots],
        editable=may_edit_clinic(principal, clinic.id),
    ), (200 if valid else 422)


@bp.route("/<int:clinic_id>/lots/receive", methods=["GET", "POST"])
def receive(clinic_id):
    principal, clinic = clinic_to_edit(clinic_id)
    form = lot_forms.ReceiveForm()
    form.product_id.choices = lot_forms.product_choices(principal)
    if not form.is_submitted() and request.args.get("product_id"):
        form.product_id.data = request.args["product_id"]
    lot = form.save(lambda: lot_forms.receive_lot(form.values(), clinic, principal.actor))
    if lot:
        flash(f"Lot {lot.lot_number} is received.")
        return redirect(url_for("pages.lots.index", clinic_id=clinic.id))
    return render_form("lots/receive.html", form, clinic=clinic,
                       may_add_product=may_edit_catalogue(principal))


@bp.get("/<int:clinic_id>/lots/<int:lot_id>")
def show(clinic_id, lot_id):
    principal, clinic = clinic_to_read(clinic_id)
    lot = record_of_clinic(PigmentLot, lot_id, clinic)
    history = (LotStatusChange.select().where(LotStatusChange.lot == lot.id)
               .order_by(LotStatusChange.effective_on, LotStatusChange.id))
    matches = (RecallMatch.select(RecallMatch, Recall).join(Recall)
               .where(RecallMatch.lot == lot.id).order_by(RecallMatch.matched_at.desc()))
    used = (Procedure.select().join(ProcedureLot).where(ProcedureLot.lot == lot.id)
            .order_by(Procedure.performed_on.desc(), Procedure.id.desc()))
    return render_template(
        "lots/show.html", clinic=clinic, lot=lot, row=row(lot, today()), history=list(history),
        matches=list(matches), procedures=list(used),
        editable=may_edit_clinic(principal, clinic.id))


def _lot_to_edit(clinic_id: int, lot_id: int):
    principal, clinic = clinic_to_edit(clinic_id)
    return principal, clinic, record_of_clinic(PigmentLot, lot_id, clinic)


@bp.post("/<int:clinic_id>/lots/<int:lot_id>/open", endpoint="open")
def open_lot(clinic_id, lot_id):
    """Mark a lot opened (in use) from today; a refusal is flashed on the lot's page."""
    principal, clinic, lot = _lot_to_edit(clinic_id, lot_id)
    try:
        pigments.change_lot_status(
            lot, {"status": "in_use", "effective_on": today().isoformat()}, principal.actor)
    except InvalidInput as refused:
        reasons = " ".join(str(m) for messages in refused.errors.values() for m in messages)
        flash(f"Lot {lot.lot_number} was not marked opened. {reasons}")
    else:
        flash(f"Lot {lot.lot_number} is marked opened.")
    return redirect(url_for("pages.lots.show", clinic_id=clinic.id, lot_id=lot.id))


STEPS = {
    "quarantined": (lot_forms.QuarantineForm, "Quarantine lot {}", "Lot {} is quarantined."),
    "disposed": (lot_forms.DisposeForm, "Dispose of lot {}", "Lot {} is disposed of."),
}


def _step(clinic_id: int, lot_id: int, status: str):
    """A form that moves a lot to a status, with a reason and the day it takes effect."""
    principal, clinic, lot = _lot_to_edit(clinic_id, lot_id)
    form_class, title, done = STEPS[status]
    form = form_class()
    changed = form.save(lambda: pigments.change_lot_status(
        lot, {"status": status, **form.values()}, principal.actor))
    if changed:
        flash(done.format(lot.lot_number))
        return redirect(url_for("pages.lots.show", clinic_id=clinic.id, lot_id=lot.id))
    return render_form("lots/step.html", form, clinic=clinic, lot=lot,
                       title=title.format(lot.lot_number),
                       allowed=status in pigments.TRANSITIONS[lot.status])


@bp.route("/<int:clinic_id>/lots/<int:lot_id>/quarantine", methods=["GET", "POST"])
def quarantine(clinic_id, lot_id):
    return _step(clinic_id, lot_id, "quarantined")


@bp.route("/<int:clinic_id>/lots/<int:lot_id>/dispose", methods=["GET", "POST"])
def dispose(clinic_id, lot_id):
    return _step(clinic_id, lot_id, "disposed")


@bp.route("/<int:clinic_id>/products/new", methods=["GET", "POST"])
def new_product(clinic_id):
    """Add a product to the shared catalogue, then receive a lot of it."""
    principal, clinic = clinic_to_edit(clinic_id)
    if not may_edit_catalogue(principal):
        abort(403)
    form = lot_forms.ProductForm()
    form.manufacturer_id.choices = lot_forms.manufacturer_choices(principal)
    product = form.save(lambda: lot_forms.add_product(form.values(), principal.actor))
    if product:
        flash(f"{product.brand} {product.name} is added to the catalogue.")
        return redirect(url_for("pages.lots.receive", clinic_id=clinic.id, product_id=product.id))
    return render_form("lots/new_product.html", form, clinic=clinic)
