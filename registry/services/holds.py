"""Holds on lots: placed by a recall match or by hand, lifted only by a reasoned release."""

from datetime import date

from registry.clock import today
from registry.db import write_transaction
from registry.models import HoldRelease, LotHold, PigmentLot, Recall
from registry.models.holds import GROUND_LABELS
from registry.schemas.holds import QuarantineSchema, ReleaseSchema
from registry.services import pigments, records
from registry.services.audit import Actor


def open_holds(lot: PigmentLot) -> list[LotHold]:
    """The lot's holds that no release has lifted, oldest first."""
    return list(LotHold.select()
                .where((LotHold.lot == lot.id)
                       & LotHold.id.not_in(HoldRelease.select(HoldRelease.hold)))
                .order_by(LotHold.starts_on, LotHold.id))


def history(lot: PigmentLot) -> list[tuple[LotHold, HoldRelease | None]]:
    """Every hold placed on the lot, oldest first, with its release once there is one."""
    placed = list(LotHold.select().where(LotHold.lot == lot.id)
                  .order_by(LotHold.starts_on, LotHold.id))
    releases = {r.hold_id: r for r in HoldRelease.select().where(
        HoldRelease.hold.in_([h.id for h in placed] or [0]))}
    return [(hold, releases.get(hold.id)) for hold in placed]


def place(lot: PigmentLot, kind: str, starts_on: date, reason: str, actor: Actor, *,
          recall: Recall | None = None) -> LotHold:
    """Hold the lot from a day; its status shows the hold at once."""
    with write_transaction():
        hold = records.add(LotHold, {
            "lot_id": lot.id, "kind": kind, "recall_id": recall.id if recall else None,
            "recall_number": recall.recall_number if recall else None, "starts_on": starts_on,
            "reason": reason, "placed_by": actor.label,
        }, actor, clinic_id=lot.clinic_id, reason=reason, action="hold")
        pigments.refresh_standing(lot, actor, reason)
    return hold


def quarantine(lot: PigmentLot, data: dict, actor: Actor) -> LotHold:
    """Hold a lot by hand, with a reason, from today or an earlier day."""
    values = records.load(QuarantineSchema, data)
    day = values.get("effective_on") or today()
    if day > today():
        raise records.InvalidInput({"effective_on": ["A hold starts today or earlier."]})
    if day < lot.received_on:
        raise records.InvalidInput({"effective_on": ["Before the lot was received."]})
    with write_transaction():
        if "quarantine" not in pigments.steps(pigments.lot_facts(lot)):
            raise records.InvalidInput({"status": [
                f"Lot {lot.lot_number} is {lot.status.replace('_', ' ')}: it cannot be "
                "quarantined."]})
        return place(lot, "quarantine", day, values["reason"], actor)


def release(lot: PigmentLot, hold_id, data: dict, actor: Actor) -> HoldRelease:
    """Lift one hold, on stated grounds with evidence; other holds on the lot still stand."""
    values = records.load(ReleaseSchema, data)
    with write_transaction():
        hold = next((h for h in open_holds(lot) if h.id == hold_id), None)
        if hold is None:
            raise records.InvalidInput({"hold_id": [f"No standing hold {hold_id} on this lot."]})
        if hold.kind == "quarantine" and values["grounds"] == "recall_terminated":
            raise records.InvalidInput({"grounds": ["This hold is a quarantine, not a recall."]})
        if hold.kind == "recall" and values["grounds"] == "quarantine_resolved":
            raise records.InvalidInput({"grounds": [
                f"A recall hold is lifted only when recall {hold.recall_number} is terminated "
                "or the lot is shown not to be affected."]})
        reason = f"{values['reason']} ({GROUND_LABELS[values['grounds']]})"
        released = records.add(HoldRelease, {
            "hold_id": hold.id, "released_on": today(), "grounds": values["grounds"],
            "evidence": values["evidence"], "reason": values["reason"],
            "released_by": actor.label,
        }, actor, clinic_id=lot.clinic_id, reason=reason, action="release")
        pigments.refresh_standing(lot, actor, reason)
    return released
