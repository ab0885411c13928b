"""Manufacturers, pigment products with their colorants, and lots through their lifecycle."""

from registry.clock import today
from registry.db import write_transaction
from registry.models import Colorant, LotStatusChange, Manufacturer, PigmentLot, PigmentProduct
from registry.rules.facts import LotFact, load_lot, load_lots
from registry.schemas.pigments import (
    ColorantSchema,
    LotStatusSchema,
    ManufacturerSchema,
    PigmentLotSchema,
    PigmentProductSchema,
)
from registry.services import records
from registry.services.audit import Actor

# Where a lot's life may go next from each step; a hold is not a step of its life but stands
# over it (see services/holds.py), and disposed is final.
TRANSITIONS = {
    "received": {"in_use", "expired", "disposed"},
    "in_use": {"expired", "disposed"},
    "expired": {"disposed"},
    "disposed": set(),
}


def create_manufacturer(data: dict, actor: Actor) -> Manufacturer:
    return records.create(Manufacturer, ManufacturerSchema, data, actor)


def create_product(data: dict, actor: Actor) -> PigmentProduct:
    """A product with its colorants (a list under "colorants"), all or nothing."""
    data = dict(data)
    colorants = data.pop("colorants", [])
    if not isinstance(colorants, list):
        raise records.InvalidInput({"colorants": ["A list of colorants."]})
    with write_transaction():
        product = records.create(PigmentProduct, PigmentProductSchema, data, actor)
        for index, colorant in enumerate(colorants):
            try:
                records.create(Colorant, ColorantSchema, {**colorant, "product_id": product.id},
                               actor)
            except records.InvalidInput as exc:
                raise records.InvalidInput({"colorants": {index: exc.errors}}) from exc
    return product


def receive_lot(data: dict, actor: Actor) -> PigmentLot:
    """Record a lot arriving at a clinic; its history starts with "received"."""
    with write_transaction():
        lot = records.create(PigmentLot, PigmentLotSchema, data, actor)
        _add_status(lot, "received", lot.received_on, None, None, actor)
    return lot


def lot_facts(lot: PigmentLot) -> LotFact:
    """The lot's status history and holds, as the compliance engine reads them."""
    return load_lot(lot.id)


def clinic_lot_facts(clinic_id: int) -> dict[int, LotFact]:
    """{lot id: facts} for every lot the clinic holds, for lists that show each lot's steps."""
    return load_lots(clinic_id)


def steps(fact: LotFact) -> set[str]:
    """What may be done with the lot today: the next steps of its life, "quarantine" and
    "release" (while a hold stands). Opening is refused while any hold stands."""
    lifecycle = fact.history[-1][1] if fact.history else "received"
    allowed = set(TRANSITIONS[lifecycle])
    if any(hold.released_on is None for hold in fact.holds):
        allowed.discard("in_use")
        allowed.add("release")
    elif lifecycle != "disposed":
        allowed.add("quarantine")
    return allowed


def change_lot_status(lot: PigmentLot, data: dict, actor: Actor) -> LotStatusChange:
    """Move a lot to the next step of its life from a date: open, expire, dispose."""
    values = records.load(LotStatusSchema, data)
    status = values["status"]
    if status in ("quarantined", "recalled"):
        raise records.InvalidInput({"status": [
            "A lot is set aside by a hold: quarantine it, or let a recall match hold it."]})
    day = values["effective_on"]
    with write_transaction():
        fact = lot_facts(lot)
        lifecycle = fact.history[-1][1] if fact.history else "received"
        if status not in TRANSITIONS[lifecycle]:
            raise records.InvalidInput({"status": [
                f"A lot that is {lifecycle.replace('_', ' ')} cannot become "
                f"{status.replace('_', ' ')}."]})
        if day < lot.received_on:
            raise records.InvalidInput({"effective_on": ["Before the lot was received."]})
        if day > today():
            raise records.InvalidInput({"effective_on": ["A step is recorded once it happens."]})
        if status == "in_use":
            held = [h for h in fact.holds if h.released_on is None or h.stands_on(day)]
            if held:
                raise records.InvalidInput({"status": [
                    f"Lot {lot.lot_number} is {held[0].label()} (held since "
                    f"{held[0].starts_on.isoformat()}): it cannot be used until the hold is "
                    "released with a reason."]})
        change = _add_status(lot, status, day, values["reason"], None, actor)
        opened = {"opened_on": day} if status == "in_use" and lot.opened_on is None else {}
        refresh_standing(lot, actor, values["reason"] or f"lot {status.replace('_', ' ')}",
                         **opened)
    return change


def refresh_standing(lot: PigmentLot, actor: Actor, reason: str, **fields) -> None:
    """Keep the lot's listed status the one its history and holds give for today (with any
    other fields the same step changes)."""
    fact = lot_facts(lot)
    status = fact.status_on(max(today(), lot.received_on))[0] or "received"
    records.apply_changes(lot, {**fields, "status": status}, actor, reason=reason,
                          action="status")


def _add_status(lot, status, effective_on, reason, recall_number, actor) -> LotStatusChange:
    values = {"lot_id": lot.id, "status": status, "effective_on": effective_on,
              "reason": reason, "recall_number": recall_number}
    return records.add(LotStatusChange, values, actor, clinic_id=lot.clinic_id, reason=reason)
