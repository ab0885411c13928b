"""A clinic's pigment lots through their life: received, opened, set aside, disposed."""

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from registry.auth.tenancy import may_decide_on_lots, may_edit_catalogue, may_edit_clinic
from registry.clock import today
from registry.db import read_snapshot
from registry.models import (
    HoldRelease,
    LotHold,
    LotStatusChange,
    PigmentLot,
    PigmentProduct,
    Procedure,
    ProcedureLot,
    Recall,
    RecallMatch,
)
from registry.models.holds import GROUND_LABELS
from registry.pages import lot_forms
from registry.pages.forms import render_form
from registry.pages.guard import clinic_to_edit, clinic_to_read, record_of_clinic
from registry.services import holds, pigments
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


def row(lot: PigmentLot, day, fact=None) -> Row:
    """The steps come from the lot's history and holds, the rules every route enforces."""
    past_date = bool(lot.expires_on and lot.expires_on < day and lot.status != "disposed")
    return Row(lot, past_date, frozenset(pigments.steps(fact or pigments.lot_facts(lot))))


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
    with read_snapshot():
        facts = pigments.clinic_lot_facts(clinic.id)
        rows = [row(lot, day, facts.get(lot.id)) for lot in lots]
    return render_template(
        "lots/index.html", clinic=clinic, form=form, day=day, rows=rows,
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
    with read_snapshot():
        lot = record_of_clinic(PigmentLot, lot_id, clinic)
        history = (LotStatusChange.select().where(LotStatusChange.lot == lot.id)
                   .order_by(LotStatusChange.effective_on, LotStatusChange.id))
        matches = (RecallMatch.select(RecallMatch, Recall).join(Recall)
                   .where(RecallMatch.lot == lot.id).order_by(RecallMatch.matched_at.desc()))
        used = (Procedure.select().join(ProcedureLot).where(ProcedureLot.lot == lot.id)
                .order_by(Procedure.performed_on.desc(), Procedure.id.desc()))
        return render_template(
            "lots/show.html", clinic=clinic, lot=lot, row=row(lot, today()),
            history=list(history), matches=list(matches), procedures=list(used),
            holds=holds.history(lot),
            grounds=GROUND_LABELS, editable=may_edit_clinic(principal, clinic.id),
            may_release=may_decide_on_lots(principal, clinic.id))


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


def _step(clinic_id: int, lot_id: int, step: str, form_class, title: str, done: str, write):
    """A form for one step of a lot (a reason and a day), offered only when the lot's state
    allows it; the service refuses it otherwise all the same."""
    principal, clinic, lot = _lot_to_edit(clinic_id, lot_id)
    form = form_class()
    changed = form.save(lambda: write(lot, form.values(), principal.actor))
    if changed:
        flash(done.format(lot.lot_number))
        return redirect(url_for("pages.lots.show", clinic_id=clinic.id, lot_id=lot.id))
    return render_form("lots/step.html", form, clinic=clinic, lot=lot,
                       title=title.format(lot.lot_number), allowed=step in row(lot, today()).steps)


@bp.route("/<int:clinic_id>/lots/<int:lot_id>/quarantine", methods=["GET", "POST"])
def quarantine(clinic_id, lot_id):
    return _step(clinic_id, lot_id, "quarantine", lot_forms.QuarantineForm, "Quarantine lot {}",
                 "Lot {} is quarantined: it cannot be used until the hold is released.",
                 holds.quarantine)


@bp.route("/<int:clinic_id>/lots/<int:lot_id>/dispose", methods=["GET", "POST"])
def dispose(clinic_id, lot_id):
    return _step(clinic_id, lot_id, "disposed", lot_forms.DisposeForm, "Dispose of lot {}",
                 "Lot {} is disposed of.",
                 lambda lot, values, actor: pigments.change_lot_status(
                     lot, {"status": "disposed", **values}, actor))


@bp.route("/<int:clinic_id>/lots/<int:lot_id>/holds/<int:hold_id>/release",
          methods=["GET", "POST"])
def release(clinic_id, lot_id, hold_id):
    """Lift a hold: only the clinic's officers, with the grounds, evidence and a reason."""
    principal, clinic, lot = _lot_to_edit(clinic_id, lot_id)
    if not may_decide_on_lots(principal, clinic.id):
        abort(403)
    hold = LotHold.get_or_none((LotHold.id == hold_id) & (LotHold.lot == lot.id))
    if hold is None:
        abort(404)
    form = lot_forms.ReleaseForm()
    form.grounds.choices = lot_forms.ground_choices(hold)
    released = form.save(lambda: holds.release(lot, hold.id, form.values(), principal.actor))
    if released:
        flash(f"The hold on lot {lot.lot_number} is released. The reason is kept in its "
              "history.")
        return redirect(url_for("pages.lots.show", clinic_id=clinic.id, lot_id=lot.id))
    standing = HoldRelease.get_or_none(HoldRelease.hold == hold.id) is None
    return render_form("lots/release.html", form, clinic=clinic, lot=lot, hold=hold,
                       standing=standing)


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
