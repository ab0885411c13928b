"""Recall records, and matching them to the lots clinics hold.

The matcher (services/recall_matching.py, with its vocabulary) reads each recall's firm,
product description and code information as a careful compliance officer would. A *certain*
match is recorded at once and holds the lot from the day the recall began (services/holds.py);
a *possible* one goes to the clinic's review queue (services/recall_reviews.py), where the
officer confirms or dismisses it. Matching is idempotent: a recall and lot are matched, or
proposed, once.
"""

from registry.clock import today
from registry.db import db, read_snapshot, write_transaction
from registry.models import (
    Manufacturer,
    PigmentLot,
    PigmentProduct,
    Recall,
    RecallMatch,
    RecallReview,
)
from registry.schemas.recalls import RecallSchema
from registry.services import holds, records
from registry.services.audit import Actor
from registry.services.recall_matching import LotText, Matcher, ProductText, RecallText


def create_recall(data: dict, actor: Actor) -> Recall:
    return records.create(Recall, RecallSchema, data, actor)


def match_lot(recall: Recall, lot: PigmentLot, rule: str, matched_text: str,
              actor: Actor) -> RecallMatch:
    """Link a recall to a lot held by a clinic, keeping the text that made the match."""
    values = {"recall_id": recall.id, "lot_id": lot.id, "rule": rule,
              "matched_text": matched_text}
    return records.add(RecallMatch, values, actor, clinic_id=lot.clinic_id)


def candidates(recall_ids=None) -> list:
    """What the matcher finds for the recalls (all, or those given) across every lot held,
    read in one snapshot: [(recall, candidate)]."""
    with read_snapshot():
        query = Recall.select()
        if recall_ids is not None:
            query = query.where(Recall.id.in_(list(recall_ids)))
        recalls = {r.recall_number: r for r in query}
        if not recalls:
            return []
        # Rows straight from the driver (DATE columns arrive as dates): a registry's every
        # lot is read, and peewee's per-value conversion cost more than the matching.
        products = [ProductText(key, maker, brand, name, shade) for key, brand, name, shade, maker
                    in db.execute(PigmentProduct.select(
                        PigmentProduct.id, PigmentProduct.brand, PigmentProduct.name,
                        PigmentProduct.shade, Manufacturer.name).join(Manufacturer))]
        lots = [LotText(*row) for row in db.execute(PigmentLot.select(
            PigmentLot.id, PigmentLot.product, PigmentLot.lot_number, PigmentLot.manufactured_on,
            PigmentLot.expires_on, PigmentLot.received_on))]
    matcher = Matcher(RecallText(r.recall_number, r.recalling_firm, r.product_description,
                                 r.code_info or "", r.more_code_info, r.recall_initiation_date)
                      for r in recalls.values())
    return [(recalls[c.recall_number], c) for c in matcher.candidates(products, lots)]


def match_all(actor: Actor, recall_ids=None) -> list[RecallMatch]:
    """Match recalls (all, or those given) to lots: certain matches are recorded and hold
    their lots, possible ones are put to the clinics' officers. Returns the new matches."""
    found = candidates(recall_ids)
    matched = set(RecallMatch.select(RecallMatch.recall, RecallMatch.lot).tuples())
    proposed = set(RecallReview.select(RecallReview.recall, RecallReview.lot).tuples())
    lots = {lot.id: lot for lot in PigmentLot.select().where(
        PigmentLot.id.in_(sorted({c.lot_key for _r, c in found}) or [0]))}
    made = []
    for recall, candidate in found:
        pair = (recall.id, candidate.lot_key)
        lot = lots.get(candidate.lot_key)
        if lot is None or pair in matched:
            continue
        if candidate.confidence == "certain":
            match = record_match(recall, lot, candidate.rule, candidate.span, actor)
            if match is not None:
                made.append(match)
        elif pair not in proposed:
            propose(recall, lot, candidate.rule, candidate.span, candidate.reason, actor)
    return made


def propose(recall: Recall, lot: PigmentLot, rule: str, span: str, reason: str,
            actor: Actor) -> RecallReview:
    """Put a possible match in the clinic's review queue (services/recall_reviews.py)."""
    return records.add(RecallReview, {
        "recall_id": recall.id, "lot_id": lot.id, "rule": rule, "span": span,
        "reason": reason}, actor, clinic_id=lot.clinic_id, reason=reason, action="propose")


def record_match(recall: Recall, lot: PigmentLot, rule: str, text: str, actor: Actor):
    """Match and hold the lot, whatever its state: a lot used up or disposed of still has
    clients treated with it while the recall stood."""
    if RecallMatch.select().where((RecallMatch.recall == recall.id)
                                  & (RecallMatch.lot == lot.id)).exists():
        return None
    evidence = (f"{recall.recalling_firm} / {lot.product.name} — {rule}: {text}")
    with write_transaction():
        match = match_lot(recall, lot, rule, evidence, actor)
        holds.place(lot, "recall", hold_start(recall),
                    f"FDA recall {recall.recall_number} ({rule})", actor, recall=recall)
    return match


def hold_start(recall: Recall):
    """A recall holds a lot from the day the firm began it, not the day the registry heard."""
    began = recall.recall_initiation_date
    return min(began, today()) if began else today()
