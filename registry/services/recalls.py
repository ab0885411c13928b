"""Recall records, and matching them to the lots clinics hold.

A recall matches a product when the recalling firm is the product's manufacturer and the
recall's product description names the product (or its brand, when it names none of the brand's
products). It then matches a lot of that product when the code information says "all lots"
(or codes) or names the lot number as a whole word. Every match keeps the rule and the recall
text that made it, and the lot is held from the day the recall began (see services/holds.py).
"""

import re

from registry.clock import today
from registry.db import write_transaction
from registry.models import Manufacturer, PigmentLot, PigmentProduct, Recall, RecallMatch
from registry.schemas.recalls import RecallSchema
from registry.services import holds, records
from registry.services.audit import Actor
from registry.services.identity import business_matches, name_words

ALL_LOTS = re.compile(r"\ball\s+(?:lots|codes|batches|lot\s+numbers|products)\b", re.I)
CONTEXT = 60


def create_recall(data: dict, actor: Actor) -> Recall:
    return records.create(Recall, RecallSchema, data, actor)


def match_lot(recall: Recall, lot: PigmentLot, rule: str, matched_text: str,
              actor: Actor) -> RecallMatch:
    """Link a recall to a lot held by a clinic, keeping the text that made the match."""
    values = {"recall_id": recall.id, "lot_id": lot.id, "rule": rule,
              "matched_text": matched_text}
    return records.add(RecallMatch, values, actor, clinic_id=lot.clinic_id)


def match_all(actor: Actor, recall_ids=None) -> list[RecallMatch]:
    """Match recalls (all, or those given) to lots; returns the new matches only."""
    query = Recall.select()
    if recall_ids is not None:
        query = query.where(Recall.id.in_(list(recall_ids)))
    products = list(PigmentProduct.select(PigmentProduct, Manufacturer).join(Manufacturer))
    made = []
    for recall in query:
        for product in recalled_products(recall, products):
            for lot, rule, text in recalled_lots(recall, product):
                match = record_match(recall, lot, rule, text, actor)
                if match is not None:
                    made.append(match)
    return made


def recalled_products(recall: Recall, products: list[PigmentProduct]) -> list[PigmentProduct]:
    by_firm = [p for p in products if business_matches(p.manufacturer.name, recall.recalling_firm)]
    description = f" {' '.join(name_words(recall.product_description))} "
    named = [p for p in by_firm if _mentions(description, p.name)]
    brands = {p.brand for p in named}
    by_brand = [p for p in by_firm if p.brand not in brands and _mentions(description, p.brand)]
    return named + by_brand


def _mentions(description: str, words: str) -> bool:
    wanted = " ".join(name_words(words))
    return bool(wanted) and f" {wanted} " in description


def recalled_lots(recall: Recall, product: PigmentProduct):
    """(lot, rule, the recall text that made the match) for each lot of the product hit."""
    codes = " ".join(t for t in (recall.code_info, recall.more_code_info) if t)
    lots = PigmentLot.select().where(PigmentLot.product == product.id)
    every = ALL_LOTS.search(codes)
    for lot in lots:
        if every:
            yield lot, "all lots", _around(codes, every.start(), every.end())
            continue
        found = _lot_in(codes, lot.lot_number)
        if found is not None:
            yield lot, "lot code", _around(codes, *found)


def _lot_in(codes: str, lot_number: str):
    """Where the lot number appears in the codes as a whole word (punctuation-insensitive)."""
    parts = [re.escape(p) for p in re.split(r"[^0-9A-Za-z]+", lot_number) if p]
    if not parts:
        return None
    pattern = r"(?<![0-9A-Za-z])" + r"[^0-9A-Za-z]?".join(parts) + r"(?![0-9A-Za-z])"
    found = re.search(pattern, codes, re.I)
    return (found.start(), found.end()) if found else None


def _around(text: str, start: int, end: int) -> str:
    left, right = max(0, start - CONTEXT), min(len(text), end + CONTEXT)
    return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")


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
