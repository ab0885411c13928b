"""Recall records and their matches to lots."""

from registry.models import PigmentLot, Recall, RecallMatch
from registry.schemas.recalls import RecallSchema
from registry.services import records
from registry.services.audit import Actor


def create_recall(data: dict, actor: Actor) -> Recall:
    return records.create(Recall, RecallSchema, data, actor)


def match_lot(recall: Recall, lot: PigmentLot, rule: str, matched_text: str,
              actor: Actor) -> RecallMatch:
    """Link a recall to a lot held by a clinic, keeping the text that made the match."""
    values = {"recall_id": recall.id, "lot_id": lot.id, "rule": rule,
              "matched_text": matched_text}
    return records.add(RecallMatch, values, actor, clinic_id=lot.clinic_id)
