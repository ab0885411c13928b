"""Adverse-reaction reports, classified as serious by MoCRA's definition."""

from registry.clock import today
from registry.db import write_transaction
from registry.models import AdverseReaction, Client, PigmentLot, Procedure, ReactionLot
from registry.models.reactions import SERIOUS_OUTCOMES
from registry.schemas.clients import AdverseReactionSchema
from registry.services import records, reminders
from registry.services.audit import Actor


def is_serious(values: dict) -> bool:
    """Serious under MoCRA if any listed outcome applies; MedWatch's "other serious" counts too."""
    return any(values.get(name) for name in SERIOUS_OUTCOMES + ("outcome_other_serious",))


def report_reaction(data: dict, actor: Actor) -> AdverseReaction:
    values = records.load(AdverseReactionSchema, data)
    lot_ids = values.pop("lot_ids")
    values["serious"] = is_serious(values)
    with write_transaction():
        clinic_id = values["clinic_id"]
        records.require_at_clinic(Client, values["client_id"], clinic_id, "client_id")
        if values["procedure_id"]:
            records.require_at_clinic(Procedure, values["procedure_id"], clinic_id,
                                      "procedure_id", client=values["client_id"])
        records.check_references(AdverseReaction, values)
        lots = list(PigmentLot.select().where(
            PigmentLot.id.in_(lot_ids) & (PigmentLot.clinic == clinic_id)
        )) if lot_ids else []
        if len(lots) != len(set(lot_ids)):
            raise records.InvalidInput({"lot_ids": ["Each lot must be held by this clinic."]})
        reaction = records.add(AdverseReaction, values, actor)
        for lot in lots:
            records.add(ReactionLot, {"reaction_id": reaction.id, "lot_id": lot.id}, actor,
                        clinic_id=clinic_id)
    return reaction


def update_reaction(reaction: AdverseReaction, data: dict, actor: Actor, *,
                    reason: str | None) -> dict:
    """Change a report (its outcome, when it was reported and to whom); seriousness follows."""
    if "lot_ids" in data:
        raise records.InvalidInput({"lot_ids": ["Suspect lots are set when the report is made."]})
    merged = records.merged_input(AdverseReactionSchema, reaction, data)
    values = records.load(AdverseReactionSchema, merged)
    values.pop("lot_ids")
    values["serious"] = is_serious(values)
    for name in ("clinic_id", "client_id", "procedure_id"):
        if values[name] != getattr(reaction, name):
            raise records.InvalidInput({name: ["Cannot be changed on a report."]})
    reported = values.get("reported_to_fda_on")
    with write_transaction():
        changes = records.apply_changes(reaction, values, actor, reason=reason)
        if not values["serious"] or (reported is not None and reported <= today()):
            reminders.settle_reaction_reminders(reaction.id)
        return changes
