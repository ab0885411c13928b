"""The audit report's pigment safety signals: the clinic's products with reactions anywhere in
the registry, their figures across all clinics, and a chart that is the same for the same data."""

import io
from datetime import date

import pypdf
import pytest

from registry.models import PigmentProduct
from registry.reports import content, issuing
from registry.services import signals
from tests.api_world import build_world, client_for
from tests.factories import make_lot, make_shaded_product, treat

AS_OF = date(2026, 6, 1)


@pytest.fixture
def world(app):
    """Clinic A holds a lot of Lip A, whose reactions are at clinic B (4 of 6 procedures) and
    one of its own; Lip B is used a lot with few reactions; Lip C is held only by clinic B."""
    world = build_world()
    lip_a = make_shaded_product("Lip A", "Rosewood")
    lip_b, lip_c = make_shaded_product("Lip B", "Ash"), make_shaded_product("Lip C", "Coral")
    held_a = make_lot(world.clinic_a, lip_a)
    treat(world.clinic_a, held_a, 2, ["2025-01-20"])
    treat(world.clinic_b, make_lot(world.clinic_b, lip_a), 6,
          ["2025-01-10", "2025-02-14", "2025-03-03", "2026-07-01"])  # the last after AS_OF
    treat(world.clinic_a, make_lot(world.clinic_a, lip_b), 30, ["2025-04-01"])
    treat(world.clinic_b, make_lot(world.clinic_b, lip_c), 10, ["2025-05-01"] * 2)
    world.products = {"a": lip_a, "b": lip_b, "c": lip_c}
    return world


def test_the_clinics_products_with_reactions_anywhere_are_shown_with_their_figures(world):
    shown = content.gather(world.clinic_a, AS_OF)["signals"]
    names = [entry["product"] for entry in shown]
    # Lip A: 4 reactions by AS_OF (3 at clinic B); Lip B and the world's own product: 1 each.
    own = signals.product_label(PigmentProduct.get_by_id(world.ids["pigment_id"]))
    assert names == ["Velvet Lip A (Rosewood)", own, "Velvet Lip B (Ash)"]
    assert "Velvet Lip C (Coral)" not in names  # not held by clinic A
    lip_a = shown[0]
    assert (lip_a["procedures"], lip_a["reactions"], lip_a["serious"]) == (8, 4, 0)
    assert lip_a["signal"] and lip_a["evans"]
    assert not any(entry["signal"] for entry in shown[1:])
    assert lip_a["chart"].startswith("<svg") and "<script" not in lip_a["chart"]
    assert "Reactions per month: Velvet Lip A (Rosewood)" in lip_a["chart"]
    assert lip_a["chart"].count('class="bar"') == 2 * 3  # January to March 2025
    assert all(entry["reactions"] > 0 for entry in shown)


def test_at_most_five_products_most_reactions_first(world):
    clinic = world.clinic_a
    for n in range(6):
        brow = make_shaded_product(f"Brow {n}", "Taupe")
        treat(clinic, make_lot(clinic, brow), 3, ["2025-02-01"] * 2)
    shown = content.gather(clinic, AS_OF)["signals"]
    assert len(shown) == content.SIGNAL_PRODUCTS == 5
    counts = [entry["reactions"] for entry in shown]
    assert counts == sorted(counts, reverse=True) and counts[0] == 4


def test_the_same_data_gathers_the_same_state_charts_included(world):
    first = content.gather(world.clinic_a, AS_OF)
    again = content.gather(world.clinic_a, AS_OF)
    assert first["signals"] == again["signals"]
    assert issuing.data_state(first) == issuing.data_state(again)
    assert first["format"] == content.REPORT_FORMAT >= 2


def test_a_report_as_of_an_earlier_day_counts_only_what_was_known(world):
    shown = {e["product"]: e for e in content.gather(world.clinic_a, date(2025, 1, 31))["signals"]}
    assert shown["Velvet Lip A (Rosewood)"]["reactions"] == 2
    assert "Velvet Lip B (Ash)" not in shown  # its reaction came later
    none_yet = content.gather(world.clinic_a, date(2024, 12, 31))["signals"]
    assert none_yet == []


def test_the_pdf_has_the_section_and_the_chart(app, world):
    officer = client_for(app, world, "officer_a")
    response = officer.get(f"/api/v1/clinics/{world.clinic_a.id}/audit-report?as_of={AS_OF}")
    assert response.status_code == 200
    data = response.get_data()
    response.close()
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]
    whole = " ".join(pages).replace("\n", " ")
    assert "Pigment safety signals" in whole
    assert "Velvet Lip A" in whole and "SIGNAL" in whole
    assert "Reactions per month: Velvet Lip A (Rosewood)" in whole  # the chart's own title
    assert "Evans SJW" in whole
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
