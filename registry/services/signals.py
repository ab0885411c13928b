"""Disproportionality signals by pigment product, shade and lot, counted from the registry."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from peewee import fn

from registry.models import (
    AdverseReaction,
    PigmentLot,
    PigmentProduct,
    Procedure,
    ProcedureLot,
    ReactionLot,
)
from registry.services.disproportionality import Signal, is_signal

LEVELS = ("product", "shade", "lot")


@dataclass(frozen=True)
class SignalRow:
    """One product, shade or lot: its counts, its 2×2 table's figures and whether it signals."""

    level: str
    key: object  # product id, (brand, shade), or lot id
    label: str
    procedures: int
    reactions: int
    result: Signal

    @property
    def signal(self) -> bool:
        return self.result.signal


def _product_label(brand: str, name: str, shade: str | None) -> str:
    return f"{brand} {name} ({shade})" if shade else f"{brand} {name}"


def product_label(product: PigmentProduct) -> str:
    """A product named as its rows are: brand, name and shade."""
    return _product_label(product.brand, product.name, product.shade)


# Per level: the columns grouped on, how a row's columns make its key and label, and any filter.
_LEVELS = {
    "product": (
        (PigmentProduct.id, PigmentProduct.brand, PigmentProduct.name, PigmentProduct.shade),
        lambda row: (row[0], _product_label(*row[1:])),
        None,
    ),
    "shade": (
        (PigmentProduct.brand, PigmentProduct.shade),
        lambda row: ((row[0], row[1]), f"{row[0]} {row[1]}"),
        PigmentProduct.shade.is_null(False),
    ),
    "lot": (
        (PigmentLot.id, PigmentLot.lot_number, PigmentProduct.brand, PigmentProduct.name,
         PigmentProduct.shade),
        lambda row: (row[0], f"{row[1]}: {_product_label(*row[2:])}"),
        None,
    ),
}


def _procedure_filter(clinic_id: int | None, performed_to: date | None = None):
    condition = Procedure.status != "voided"
    if clinic_id is not None:
        condition &= Procedure.clinic == clinic_id
    if performed_to is not None:
        condition &= Procedure.performed_on <= performed_to
    return condition


def _reaction_filter(aware_from: date | None, aware_to: date | None, clinic_id: int | None):
    condition = AdverseReaction.id.is_null(False)
    if aware_from is not None:
        condition &= AdverseReaction.aware_on >= aware_from
    if aware_to is not None:
        condition &= AdverseReaction.aware_on <= aware_to
    if clinic_id is not None:
        condition &= AdverseReaction.clinic == clinic_id
    return condition


def _procedure_uses():
    return (ProcedureLot.select().join(Procedure).switch(ProcedureLot)
            .join(PigmentLot).join(PigmentProduct))


def _reaction_links():
    return (ReactionLot.select().join(AdverseReaction).switch(ReactionLot)
            .join(PigmentLot).join(PigmentProduct))


def _grouped(query, counted, columns, condition) -> dict[tuple, int]:
    """{group columns: distinct count}, in one grouped query."""
    rows = (query.select(*columns, fn.COUNT(fn.DISTINCT(counted)))
            .where(condition).group_by(*columns).tuples())
    return {tuple(row[:-1]): row[-1] for row in rows}


def _total(query, counted, condition) -> int:
    return query.select(fn.COUNT(fn.DISTINCT(counted))).where(condition).scalar() or 0


def signals(level: str = "product", *, aware_from: date | None = None,
            aware_to: date | None = None, clinic_id: int | None = None,
            haldane: bool = False, performed_to: date | None = None) -> list[SignalRow]:
    """Each product, shade (brand and shade) or lot against all the others, signals first.

    Exposures are the procedures (not voided) that used a lot of it, those performed on or
    before performed_to when given; reactions are the adverse reactions with one of its lots as
    a suspect lot, those the clinic became aware of within [aware_from, aware_to] when given.
    A reaction or procedure with lots of several products counts once for each; the totals
    count it once. Four queries whatever the number of products, and a row for each product
    with procedures or reactions.
    """
    if level not in _LEVELS:
        raise ValueError(f"Unknown level {level!r}; one of {', '.join(LEVELS)}.")
    columns, describe, level_filter = _LEVELS[level]
    used = _procedure_filter(clinic_id, performed_to)
    linked = _reaction_filter(aware_from, aware_to, clinic_id)
    all_procedures = _total(_procedure_uses(), ProcedureLot.procedure, used)
    all_reactions = _total(_reaction_links(), ReactionLot.reaction, linked)
    if level_filter is not None:
        used &= level_filter
        linked &= level_filter
    exposures = _grouped(_procedure_uses(), ProcedureLot.procedure, columns, used)
    reactions = _grouped(_reaction_links(), ReactionLot.reaction, columns, linked)
    rows = []
    for group in exposures.keys() | reactions.keys():
        n, a = exposures.get(group, 0), reactions.get(group, 0)
        c = all_reactions - a
        # A reaction need not name a recorded procedure, so a may exceed n: b and d stop at 0.
        b, d = max(n - a, 0), max(all_procedures - n - c, 0)
        key, label = describe(group)
        rows.append(SignalRow(level, key, label, n, a, is_signal(a, b, c, d, haldane=haldane)))
    rows.sort(key=lambda row: (not row.signal, -(row.result.prr or 0), row.label))
    return rows


def product_signals(**options) -> list[SignalRow]:
    return signals("product", **options)


def shade_signals(**options) -> list[SignalRow]:
    return signals("shade", **options)


def lot_signals(**options) -> list[SignalRow]:
    return signals("lot", **options)


@dataclass(frozen=True)
class MonthlyReactions:
    """One month of a product's reactions: all of them, and the serious ones among them."""

    month: str  # YYYY-MM
    reactions: int
    serious: int


def monthly_reactions(product_id: int, *, aware_from: date | None = None,
                      aware_to: date | None = None,
                      clinic_id: int | None = None) -> list[MonthlyReactions]:
    """A product's reactions by the month the clinic became aware, from the first month with a
    reaction to the last, months without one included as 0 (for a chart); one query."""
    rows = (AdverseReaction.select(AdverseReaction.id, AdverseReaction.aware_on,
                                   AdverseReaction.serious)
            .join(ReactionLot).join(PigmentLot)
            .where((PigmentLot.product == product_id)
                   & _reaction_filter(aware_from, aware_to, clinic_id))
            .distinct().tuples())
    counts, serious = Counter(), Counter()
    for _id, day, grave in rows:
        label = day.strftime("%Y-%m")
        counts[label] += 1
        serious[label] += bool(grave)
    if not counts:
        return []
    first, last = min(counts), max(counts)
    year, month = int(first[:4]), int(first[5:])
    months = []
    while (label := f"{year:04d}-{month:02d}") <= last:
        months.append(MonthlyReactions(label, counts[label], serious[label]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def reactions_by_month(product_id: int, *, aware_from: date | None = None,
                       aware_to: date | None = None,
                       clinic_id: int | None = None) -> list[tuple[str, int]]:
    """[(YYYY-MM, reactions)] for a product: monthly_reactions without the serious counts."""
    months = monthly_reactions(product_id, aware_from=aware_from, aware_to=aware_to,
                               clinic_id=clinic_id)
    return [(m.month, m.reactions) for m in months]
