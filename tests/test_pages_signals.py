"""The signals pages: counts across every clinic for administrators and inspectors, a chart of
one product's reactions drawn on the server, and the filters checked like any other."""

import re
from html import unescape
from xml.etree import ElementTree

import pytest

from registry.pages.signals import SVG_POLICY
from tests.api_world import build_world
from tests.factories import make_lot, make_shaded_product, treat
from tests.pages import error_for, page_client, sign_in, text_of

SIGNAL = "Velvet Ink A (Espresso)"
QUIET = "Velvet Ink B (Ash)"


@pytest.fixture
def world(app):
    """Ink A: 8 procedures in two clinics, 5 reactions (3 in Oregon on its first lot, 2 in
    Texas). Ink B (Oregon) and an unshaded ink (Texas): 20 procedures and 3 reactions each.
    With the world's own product (1 procedure, 1 reaction), 49 procedures and 12 reactions."""
    world = build_world()
    a, b = make_shaded_product("Ink A", "Espresso"), make_shaded_product("Ink B", "Ash")
    a_oregon, a_texas = make_lot(world.clinic_a, a), make_lot(world.clinic_b, a)
    treat(world.clinic_a, a_oregon, 4, ["2025-01-10", "2025-01-20", "2025-03-05"], serious=1)
    treat(world.clinic_b, a_texas, 4, ["2025-03-25", "2025-03-28"])
    treat(world.clinic_a, make_lot(world.clinic_a, b), 20, ["2025-06-02"] * 3)
    treat(world.clinic_b, make_lot(world.clinic_b), 20, ["2025-06-03"] * 3)
    world.products = {"a": a, "b": b}
    world.lots = {"a_oregon": a_oregon, "a_texas": a_texas}
    return world


def signed_in_as(app, world, name):
    client = page_client(app)
    sign_in(client, world.users[name].email)
    return client


def row_of(response, label) -> str:
    """The table row naming the label, as text."""
    html = response.get_data(as_text=True)
    row = next(r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.S) if label in r)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split())


def detail_url(world, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/signals/products/{world.products['a'].id}" + (f"?{query}" if query else "")


@pytest.mark.parametrize("who", ["admin", "inspector_a", "inspector_other"])
def test_administrators_and_every_inspector_see_the_signal_across_all_clinics(app, world, who):
    response = signed_in_as(app, world, who).get("/signals")
    assert response.status_code == 200
    signalling, quiet = row_of(response, SIGNAL), row_of(response, QUIET)
    # a=5 of 8 procedures; c=7, d=(49−8)−7=34: PRR = (5/8)/(7/41) = 3.66, χ² = 5.22.
    assert signalling.startswith(f"{SIGNAL} 8 5 3 7 34 3.66 5.22")
    assert "Signal" in signalling and "No signal" not in signalling
    assert "ROR CI > 1" in signalling
    assert quiet.endswith("No signal")
    html = response.get_data(as_text=True)
    assert html.index(SIGNAL) < html.index(QUIET)  # signals first
    assert f'href="/signals/products/{world.products["a"].id}"' in html
    page = text_of(response)
    assert "Evans SJW, Waller PC, Davis S" in page and "2001;10:483–486" in page
    assert "from every clinic in the registry" in page
    assert re.search(r'<a href="/signals"[^>]*>Signals</a>', html)


@pytest.mark.parametrize("who", ["officer_a", "importer"])
def test_others_are_refused(app, world, who):
    client = signed_in_as(app, world, who)
    for url in ("/signals", detail_url(world), detail_url(world) + "/chart.svg"):
        assert client.get(url).status_code == 403, url
    assert ">Signals</a>" not in client.get("/account/password").get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in(app, world):
    client = page_client(app)
    for url in ("/signals?level=lot", detail_url(world) + "/chart.svg"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/sign-in?next=" in response.headers["Location"]


def test_lots_are_listed_with_their_product_and_state(app, world):
    response = signed_in_as(app, world, "inspector_a").get("/signals?level=lot")
    assert response.status_code == 200
    oregon = world.lots["a_oregon"]
    first = row_of(response, f"{oregon.lot_number}: {SIGNAL}")
    assert "(held in OR)" in first and first.endswith("ROR CI > 1")
    # Oregon's inspector is not told which Texas clinic's lot it is.
    assert world.lots["a_texas"].lot_number not in text_of(response)
    assert f"A lot of {SIGNAL} (held at a clinic outside your jurisdictions)" in text_of(response)
    everything = signed_in_as(app, world, "admin").get("/signals?level=lot")
    second = row_of(everything, f"{world.lots['a_texas'].lot_number}: {SIGNAL}")
    assert "(held in TX)" in second
    assert f'href="/signals/products/{world.products["a"].id}"' in \
        response.get_data(as_text=True)
    shades = signed_in_as(app, world, "admin").get("/signals?level=shade")
    assert "Signal" in row_of(shades, "Velvet Espresso")


def test_a_window_and_the_haldane_correction_change_the_figures(app, world):
    client = signed_in_as(app, world, "admin")
    later = client.get("/signals?aware_from=2025-06-01")
    assert later.status_code == 200
    assert row_of(later, SIGNAL).endswith("No signal")
    # The world's own product: one procedure followed by one reaction, so b = 0.
    own = world.ids["pigment_id"]
    plain = client.get("/signals")
    label = next(r for r in re.findall(r'href="/signals/products/(\d+)">([^<]+)</a>',
                                       plain.get_data(as_text=True)) if int(r[0]) == own)[1]
    assert "—" in row_of(plain, label)
    corrected = client.get("/signals?haldane=y")
    assert re.search(r"\d+\.\d\d \(\d+\.\d\d–\d+\.\d\d\) H", row_of(corrected, label))
    assert f"/signals/products/{own}?haldane=y" in corrected.get_data(as_text=True)


@pytest.mark.parametrize("query, field_id", [
    ("aware_from=2025-13-45", "aware_from"),
    ("aware_to=yesterday", "aware_to"),
    ("aware_from=2025-06-01&aware_to=2025-01-01", "aware_to"),
    ("level=brand", "level"),
])
def test_filters_that_cannot_be_read_are_named(app, world, query, field_id):
    client = signed_in_as(app, world, "admin")
    response = client.get(f"/signals?{query}")
    assert response.status_code == 422
    assert error_for(response, field_id)
    assert SIGNAL in response.get_data(as_text=True)  # the rest of the page still shows
    detail = client.get(detail_url(world) + f"?{query}")
    assert detail.status_code == (422 if field_id != "level" else 200)
    assert client.get(detail_url(world) + f"/chart.svg?{query}").status_code == \
        (422 if field_id != "level" else 200)


def test_the_product_page_shows_its_figures_its_lots_and_its_chart(app, world):
    client = signed_in_as(app, world, "inspector_other")
    response = client.get(detail_url(world, aware_to="2025-12-31"))
    assert response.status_code == 200
    page = text_of(response)
    assert f"Signals: {SIGNAL}" in page and "Maker of Ink A" in page
    assert "PRR 3.66" in page and "Signal" in page
    chart = f"/signals/products/{world.products['a'].id}/chart.svg?aware_to=2025-12-31"
    html = response.get_data(as_text=True)
    assert f'<img src="{chart}" width="680" height="300"' in html
    assert "2025-01 2 0" not in page and "2025-01 2 1" in page  # the month table, serious apart
    # An inspector of another state sees the lots' figures, not which clinic's lots they are.
    assert world.lots["a_oregon"].lot_number not in page
    assert world.lots["a_texas"].lot_number not in page
    assert page.count("A lot (held at a clinic outside your jurisdictions)") == 2
    admin_page = text_of(signed_in_as(app, world, "admin").get(detail_url(world)))
    assert world.lots["a_oregon"].lot_number in admin_page
    assert world.lots["a_texas"].lot_number in admin_page
    assert client.get("/signals/products/999999").status_code == 404
    assert client.get("/signals/products/999999/chart.svg").status_code == 404


def test_the_chart_is_an_svg_image_with_no_script(app, world):
    client = signed_in_as(app, world, "admin")
    response = client.get(detail_url(world) + "/chart.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "private" in response.headers["Cache-Control"]
    assert response.headers["Content-Security-Policy"] == SVG_POLICY
    assert "script-src" not in SVG_POLICY and "'unsafe-inline'" in SVG_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    svg = response.get_data(as_text=True)
    assert "<script" not in svg
    root = ElementTree.fromstring(svg)  # noqa: S314 (our own output)
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title.text == f"Reactions per month: {SIGNAL}"
    # January to March 2025: three months, a bar for each in both series.
    assert svg.count('class="bar"') == 2 * 3
    assert client.get(detail_url(world) + "/chart.svg").get_data(as_text=True) == svg


def test_procedures_after_the_window_are_not_counted(app, world):
    client = signed_in_as(app, world, "admin")
    # Every procedure of the world is on 2025-01-06: a window ending the day before has none.
    before = text_of(client.get("/signals?aware_to=2025-01-05"))
    assert SIGNAL not in before and "reactions recorded in this window" in before
    assert SIGNAL in text_of(client.get("/signals?aware_to=2025-01-06"))
