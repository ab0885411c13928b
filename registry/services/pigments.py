"""Manufacturers, pigment products with their colorants, and lots through their lifecycle."""

from registry.db import write_transaction
from registry.models import Colorant, LotStatusChange, Manufacturer, PigmentLot, PigmentProduct
from registry.schemas.pigments import (
    ColorantSchema,
    LotStatusSchema,
    ManufacturerSchema,
    PigmentLotSchema,
    PigmentProductSchema,
)
from registry.services import records
from registry.services.audit import Actor

# Which status a lot may move to from each status; disposed is final.
TRANSITIONS = {
    "received": {"in_use", "quarantined", "recalled", "expired", "disposed"},
    "in_use": {"quarantined", "recalled", "expired", "disposed"},
    "quarantined": {"in_use", "recalled", "expired", "disposed"},
    "recalled": {"disposed"},
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


def change_lot_status(lot: PigmentLot, data: dict, actor: Actor) -> LotStatusChange:
    """Move a lot to a new status from a date (open, quarantine, recall, expire, dispose)."""
    values = records.load(LotStatusSchema, data)
    status = values["status"]
    if status not in TRANSITIONS[lot.status]:
        raise records.InvalidInput({"status": [f"A {lot.status} lot cannot become {status}."]})
    if values["effective_on"] < lot.received_on:
        raise records.InvalidInput({"effective_on": ["Before the lot was received."]})
    with write_transaction():
        change = _add_status(lot, status, values["effective_on"], values["reason"],
                             values["recall_number"], actor)
        fields = {"status": status}
        if status == "in_use" and lot.opened_on is None:
            fields["opened_on"] = values["effective_on"]
        records.apply_changes(lot, fields, actor, reason=values["reason"] or f"lot {status}",
                              action="status")
    return change


def _add_status(lot, status, effective_on, reason, recall_number, actor) -> LotStatusChange:
    values = {"lot_id": lot.id, "status": status, "effective_on": effective_on,
              "reason": reason, "recall_number": recall_number}
    return records.add(LotStatusChange, values, actor, clinic_id=lot.clinic_id, reason=reason)
