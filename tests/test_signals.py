"""Signals by product, shade and lot, counted from recorded procedures and reactions."""

from datetime import date

import pytest
from playhouse.test_utils import count_queries

from registry.services import procedures, reactions, signals
from tests.factories import (
    ACTOR,
    make_client,
    make_clinic,
    make_lot,
    make_practitioner,
    make_product,
    make_shaded_product,
    treat,
)


@pytest.fixture
def world(app):
    """Product A: 8 procedures, 5 reactions (all on its first lot). Products B (shade Ash) and
    C (no shade): 20 procedures and 3 reactions each. In all: 48 procedures, 11 reactions."""
    clinic = make_clinic(state="OR")
    person = make_practitioner(clinic)
    a = make_shaded_product("Ink A", "Espresso")
    b = make_shaded_product("Ink B", "Ash")
    c = make_product()
    a1, a2 = make_lot(clinic, a), make_lot(clinic, a)
    treat(clinic, a1, 6, ["2025-01-10", "2025-01-20", "2025-01-30", "2025-03-05", "2025-03-25"],
          practitioner=person)
    treat(clinic, a2, 2, practitioner=person)
    treat(clinic, make_lot(clinic, b), 20, ["2025-06-02"] * 3, practitioner=person)
    treat(clinic, make_lot(clinic, c), 20, ["2025-06-03"] * 3, practitioner=person)
    return {"clinic": clinic, "a": a, "b": b, "c": c, "a1": a1, "a2": a2}


def by_key(rows):
    return {row.key: row for row in rows}


def test_the_product_with_many_reactions_in_few_procedures_signals_and_the_others_do_not(world):
    rows = signals.product_signals()
    assert [row.signal for row in rows] == [True, False, False]
    first = rows[0]
    assert first.key == world["a"].id
    assert first.label == "Velvet Ink A (Espresso)"
    assert (first.procedures, first.reactions) == (8, 5)
    # a=5, b=8−5=3, c=11−5=6, d=(48−8)−6=34
    # PRR = (5/8)/(6/40) = 0.625/0.15 = 4.1667
    # chi-squared = 48·(|5·34 − 3·6| − 24)² / (8·40·11·37) = 48 · 128² / 130,240 = 6.038
    result = first.result
    assert (result.a, result.b, result.c, result.d) == (5, 3, 6, 34)
    assert result.prr == pytest.approx(0.625 / 0.15)
    assert result.chi_squared == pytest.approx(48 * 128**2 / 130_240)
    assert result.evans
    other = by_key(rows)[world["b"].id]
    # a=3, b=17, c=8, d=28−8=20: PRR = (3/20)/(8/28) = 0.525
    assert (other.result.a, other.result.b, other.result.c, other.result.d) == (3, 17, 8, 20)
    assert other.result.prr == pytest.approx(0.525)
    assert other.result.count_met and not other.signal


def test_shades_group_brand_and_shade_and_leave_out_unshaded_products(world):
    rows = by_key(signals.shade_signals())
    assert set(rows) == {("Velvet", "Espresso"), ("Velvet", "Ash")}
    assert rows[("Velvet", "Espresso")].signal
    assert rows[("Velvet", "Espresso")].label == "Velvet Espresso"
    assert not rows[("Velvet", "Ash")].signal
    # The unshaded product still counts among the others: c = 11 − 5 = 6.
    assert rows[("Velvet", "Espresso")].result.c == 6


def test_lots_are_compared_one_by_one(world):
    rows = by_key(signals.lot_signals())
    first, second = rows[world["a1"].id], rows[world["a2"].id]
    # Lot A1: a=5, b=1, c=6, d=(48−6)−6=36.
    assert (first.result.a, first.result.b, first.result.c, first.result.d) == (5, 1, 6, 36)
    assert first.signal
    assert first.label.startswith(f"{world['a1'].lot_number}: Velvet Ink A")
    assert (second.procedures, second.reactions) == (2, 0)
    assert not second.signal


def test_a_window_on_awareness_dates_counts_only_the_reactions_inside_it(world):
    later = by_key(signals.product_signals(aware_from=date(2025, 6, 1)))
    assert later[world["a"].id].reactions == 0
    assert not any(row.signal for row in later.values())
    assert later[world["b"].id].result.c == 3  # C's three reactions; none of A's
    early = by_key(signals.product_signals(aware_from=date(2025, 1, 1), aware_to=date(2025, 1, 31)))
    assert early[world["a"].id].reactions == 3
    assert early[world["b"].id].reactions == 0


def test_the_counts_take_the_same_few_queries_for_any_number_of_products(world):
    with count_queries() as counted:
        rows = signals.lot_signals()
    assert len(rows) == 4
    assert counted.count == 4


def test_signals_are_scoped_to_a_clinic_when_asked(world):
    elsewhere = make_clinic(state="OR")
    assert signals.product_signals(clinic_id=elsewhere.id) == []
    assert len(signals.product_signals(clinic_id=world["clinic"].id)) == 3


def test_an_unknown_level_is_refused(app):
    with pytest.raises(ValueError):
        signals.signals("brand")


def test_reactions_by_month_fill_the_months_between(world):
    assert signals.reactions_by_month(world["a"].id) == [
        ("2025-01", 3), ("2025-02", 0), ("2025-03", 2)]
    assert signals.reactions_by_month(world["b"].id) == [("2025-06", 3)]
    assert signals.reactions_by_month(world["a"].id, aware_from=date(2025, 2, 1)) == [
        ("2025-03", 2)]
    assert signals.reactions_by_month(world["a"].id, aware_from=date(2025, 4, 1)) == []


def test_monthly_reactions_count_the_serious_ones_apart(world):
    clinic = world["clinic"]
    reactions.report_reaction({
        "clinic_id": clinic.id, "client_id": make_client(clinic).id,
        "event_on": "2025-02-11", "aware_on": "2025-02-12",
        "description": "Pustules at the site; culture positive.", "outcome_infection": True,
        "lot_ids": [world["a1"].id]}, ACTOR)
    months = signals.monthly_reactions(world["a"].id)
    assert [(m.month, m.reactions, m.serious) for m in months] == [
        ("2025-01", 3, 0), ("2025-02", 1, 1), ("2025-03", 2, 0)]
    assert signals.reactions_by_month(world["a"].id) == [
        ("2025-01", 3), ("2025-02", 1), ("2025-03", 2)]


def test_procedures_after_a_day_are_left_out_when_asked(world):
    clinic, person = world["clinic"], make_practitioner(world["clinic"])
    later = make_lot(clinic, world["b"])
    for _ in range(4):
        procedures.record_procedure({
            "clinic_id": clinic.id, "practitioner_id": person.id,
            "client_id": make_client(clinic).id, "performed_on": "2025-09-01",
            "body_area": "scalp", "consent_on_file": True, "lot_ids": [later.id]}, ACTOR)
    assert by_key(signals.product_signals())[world["b"].id].procedures == 24
    before = by_key(signals.product_signals(performed_to=date(2025, 8, 31)))
    assert before[world["b"].id].procedures == 20
    assert before[world["a"].id].result.d == 34  # as before the later procedures
