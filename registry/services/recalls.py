"""Recall records and their matches to lots."""

from registry.db import write_transaction
from registry.models import PigmentLot, Recall, RecallMatch
from registry.schemas.recalls import RecallSchema
from registry.services import audit, records
from registry.services.audit import Actor


def create_recall(data: dict, actor: Actor) -> Recall:
    return records.create(Recall, RecallSchema, data, actor)


def match_lot(recall: Recall, lot: PigmentLot, rule: str, matched_text: str,
              actor: Actor) -> RecallMatch:
    """Link a recall to a lot held by a clinic, keeping the text that made the match."""
    with write_transaction():
        match = RecallMatch.create(recall=recall, lot=lot, rule=rule, matched_text=matched_text)
        audit.append(
            actor, "create", "recall_match", match.id,
            {"recall_number": [None, recall.recall_number], "lot_id": [None, lot.id],
             "rule": [None, rule], "matched_text": [None, matched_text]},
            clinic_id=lot.clinic_id,
        )
    return match
