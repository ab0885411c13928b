"""Charts drawn on the server: plain SVG with no script, the same text for the same data."""

import re
from xml.etree import ElementTree

from registry.services.charts import chart_id_for, reactions_chart_svg
from registry.services.signals import MonthlyReactions

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = [MonthlyReactions("2025-01", 3, 1), MonthlyReactions("2025-02", 0, 0),
          MonthlyReactions("2025-03", 2, 0)]


def parsed(svg: str):
    return ElementTree.fromstring(svg)  # noqa: S314 (our own output)


def test_the_chart_has_no_script_and_links_nothing():
    svg = reactions_chart_svg(MONTHS, "Reactions to Velvet Ink A")
    assert "<script" not in svg.lower()
    assert "<!--" not in svg and "<?xml" not in svg
    # The only addresses are the SVG and XLink namespace names, which are never fetched.
    without_namespaces = re.sub(r'xmlns(:\w+)?="[^"]*"', "", svg)
    assert "http" not in without_namespaces
    assert "href" not in without_namespaces
    assert " style=" not in svg  # no inline style attributes; the stylesheet is in <defs>


def test_the_chart_has_a_size_a_title_and_a_description():
    root = parsed(reactions_chart_svg(MONTHS, "Reactions to Velvet Ink A & <B>",
                                      chart_id="reactions-7"))
    assert (root.get("width"), root.get("height")) == ("680", "300")
    assert root.get("id") == "chart-reactions-7" and root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title.text == "Reactions to Velvet Ink A & <B>"
    desc = root.find(f"{SVG}desc")
    assert desc.text.startswith("Adverse reactions per month")
    assert "2025-01: 3 (1 serious)" in desc.text and "In all 5, 1 serious." in desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    ids = [element.get("id") for element in root.iter() if element.get("id")]
    assert all(i.startswith("chart-reactions-7") for i in ids) and len(ids) == len(set(ids))


def test_each_series_has_one_bar_per_month():
    root = parsed(reactions_chart_svg(MONTHS, "Reactions"))
    series = [g for g in root.iter(f"{SVG}g") if "series" in (g.get("class") or "").split()
              and g.find(f"{SVG}g[@class='bars']") is not None]
    assert len(series) == 2
    for one in series:
        assert len(one.findall(f"{SVG}g/{SVG}g[@class='bar']")) == len(MONTHS)
    values = [[d.text for d in one.iter(f"{SVG}desc") if d.get("class") == "value"]
              for one in series]
    assert values == [["3", "0", "2"], ["1", "0", "0"]]
    legend = [t.text for t in root.iter(f"{SVG}text") if t.text in ("All reactions", "Serious")]
    assert legend == ["All reactions", "Serious"]


def test_the_same_data_draws_the_same_text():
    first = reactions_chart_svg(MONTHS, "Reactions", chart_id="reactions-3")
    assert reactions_chart_svg(list(MONTHS), "Reactions", chart_id="reactions-3") == first
    other = reactions_chart_svg(MONTHS, "Reactions", chart_id="reactions-4")
    assert other != first and "#chart-reactions-4" in other and "#chart-reactions-3" not in other


def test_counts_are_labelled_in_whole_numbers():
    root = parsed(reactions_chart_svg(MONTHS, "Reactions"))
    axis = next(g for g in root.iter(f"{SVG}g") if "y" in (g.get("class") or "").split())
    labels = [t.text for t in axis.iter(f"{SVG}text")]
    assert labels == ["0", "1", "2", "3"]


def test_many_months_still_draw_a_bar_for_each():
    months = [MonthlyReactions(f"{2024 + i // 12}-{i % 12 + 1:02d}", i % 3, 0) for i in range(30)]
    svg = reactions_chart_svg(months, "Thirty months")
    assert svg.count('class="bar"') == 2 * 30
    parsed(svg)


def test_no_reactions_draw_an_empty_chart_that_says_so():
    svg = reactions_chart_svg([], "Nothing yet")
    assert "No reactions on record" in svg and 'class="bar"' not in svg
    assert parsed(svg).find(f"{SVG}desc").text == "No adverse reactions on record."


def test_chart_ids_are_safe_in_css_and_xml():
    assert chart_id_for("Reactions 12: Ink <A>") == "reactions-12-ink-a"
    assert chart_id_for("§§") == "chart"
