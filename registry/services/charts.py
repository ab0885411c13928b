"""Charts drawn on the server as SVG by pygal: no script, nothing fetched from elsewhere, and
the same text for the same data, so a chart can be served as an image or set inline in a report.
"""

import re
import sys
from collections.abc import Sequence
from datetime import date
from functools import cache
from math import ceil

from registry.services.signals import MonthlyReactions, monthly_reactions

WIDTH, HEIGHT = 680, 300
# Past this many months the labels turn and only some are written.
MONTHS_LABELLED = 12
# Plain for print: white ground, dark text; dark blue and vermilion stay apart in greyscale
# and for colour-blind readers.
PLAIN = dict(  # pygal.style.Style's arguments
    background="white", plot_background="white", foreground="#222", foreground_strong="#111",
    foreground_subtle="#bbb", colors=("#1f4e79", "#d55e00"), opacity=".9",
    opacity_hover=".9", transition="0s",
    font_family="DejaVu Sans, Helvetica, Arial, sans-serif", title_font_size=15,
    legend_font_size=12, label_font_size=11, major_label_font_size=11, no_data_font_size=18,
)


@cache
def _pygal():
    """pygal, imported on first use. Its import appends a finder for its map plugins that has
    no find_spec(), so Python 3.11 warns on every later import reaching the end of
    sys.meta_path; no map is drawn here, so the finder is taken out again."""
    import pygal
    import pygal.style

    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, pygal.PluginImportFixer)]
    return pygal
# Layers that only pygal's script would show.
_DROPPED_CLASSES = {"tooltip-overlay"}


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _dropped(element) -> bool:
    if not isinstance(element.tag, str):  # comments (pygal's carry the day it ran) and PIs
        return True
    if _local(element.tag) == "script":
        return True
    return bool(_DROPPED_CLASSES & set((element.get("class") or "").split()))


def _cleaned(chart_id: str, description: str):
    """An XML filter: no script, no comments, no tooltip layer, no ids but the chart's own;
    a role, a description and labels for assistive technology."""

    def apply(root):
        for parent in list(root.iter()):
            for child in list(parent):
                if _dropped(child):
                    parent.remove(child)
        for element in root.iter():
            if element is not root and isinstance(element.tag, str) and "id" in element.attrib:
                del element.attrib["id"]
        for element in root:
            if _local(element.tag) == "title":
                element.set("id", f"{chart_id}-title")
                desc = element.makeelement(element.tag[:-len("title")] + "desc",
                                           {"id": f"{chart_id}-desc"})
                desc.text = description
                root.insert(list(root).index(element) + 1, desc)
                break
        root.set("role", "img")
        root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
        return root

    return apply


def _describe(months: Sequence[MonthlyReactions]) -> str:
    if not months:
        return "No adverse reactions on record."
    listed = "; ".join(f"{m.month}: {m.reactions}" + (f" ({m.serious} serious)" if m.serious
                                                      else "") for m in months)
    total = sum(m.reactions for m in months)
    serious = sum(m.serious for m in months)
    return (f"Adverse reactions per month, by the month the clinic became aware, "
            f"{months[0].month} to {months[-1].month}: {listed}. "
            f"In all {total}, {serious} serious.")


def _y_labels(months: Sequence[MonthlyReactions]) -> list[int]:
    """Whole numbers only: reactions are counted, never measured."""
    top = max([m.reactions for m in months] + [1])
    step = max(1, ceil(top / 8))
    return list(range(0, top + step, step))


def chart_id_for(text: str) -> str:
    """An id safe in CSS selectors and XML, from any text."""
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-") or "chart"


def reactions_chart_svg(months: Sequence[MonthlyReactions], title: str, *,
                        chart_id: str = "reactions") -> str:
    """A bar chart of reactions per month, all and serious side by side, as SVG text (no XML
    declaration, so it can also stand inline in HTML). The chart's CSS is scoped to its id:
    give each chart on one page its own."""
    chart_id = chart_id_for(chart_id)
    many = len(months) > MONTHS_LABELLED
    pygal = _pygal()
    chart = pygal.Bar(
        # No script (pygal would link one from a CDN) and only its own two stylesheets, inlined.
        js=[], css=["file://style.css", "file://graph.css"], style=pygal.style.Style(**PLAIN),
        title=title,
        width=WIDTH, height=HEIGHT, explicit_size=True, disable_xml_declaration=True,
        legend_at_bottom=True, legend_at_bottom_columns=2, show_legend=True,
        x_title="Month the clinic became aware", y_title="Reactions",
        y_labels=_y_labels(months) if months else None, include_x_axis=True,
        show_y_labels=bool(months), show_y_guides=bool(months),
        x_label_rotation=45 if many else 0, show_minor_x_labels=not many,
        x_labels_major_every=ceil(len(months) / MONTHS_LABELLED) if many else None,
        no_data_text="No reactions on record", tooltip_fancy_mode=False, print_values=False,
        margin=16,
    )
    # pygal names each chart with a random uuid; a fixed one keeps the same data's SVG the same.
    chart.uuid = chart_id
    chart.add_xml_filter(_cleaned(f"chart-{chart_id}", _describe(months)))
    if months:
        chart.x_labels = [m.month for m in months]
        chart.add("All reactions", [m.reactions for m in months])
        chart.add("Serious", [m.serious for m in months])
    return chart.render(is_unicode=True)


def product_reactions_chart(product_id: int, title: str, *, aware_from: date | None = None,
                            aware_to: date | None = None) -> str:
    """The chart of one product's reactions across all clinics, within the awareness window."""
    months = monthly_reactions(product_id, aware_from=aware_from, aware_to=aware_to)
    return reactions_chart_svg(months, title, chart_id=f"reactions-{product_id}")
