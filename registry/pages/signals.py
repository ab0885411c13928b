"""Disproportionality signals across every clinic, by product, shade or lot, and one product's
reactions over time as a chart drawn on the server. For administrators and inspectors."""

from datetime import date
from typing import NamedTuple

from flask import Blueprint, Response, abort, render_template, url_for
from wtforms import BooleanField, DateField, SelectField
from wtforms.validators import Optional, ValidationError

from registry.auth.principal import Principal
from registry.auth.tenancy import visible_clinics
from registry.models import Clinic, PigmentLot, PigmentProduct
from registry.pages.forms import QueryForm, options
from registry.pages.guard import inspector
from registry.services import charts, signals
from registry.services.disproportionality import (
    CHI_SQUARED_THRESHOLD,
    MINIMUM_REACTIONS,
    PRR_THRESHOLD,
)

bp = Blueprint("signals", __name__, url_prefix="/signals")

LEVEL_LABELS = {"product": "Product", "shade": "Shade (brand and shade)", "lot": "Lot"}
# The chart is shown as an image: its own stylesheet inside it, and nothing else at all.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"


class WindowForm(QueryForm):
    aware_from = DateField("Reactions known from", validators=[Optional()],
                           description="Reactions the clinic learned of on or after this day.")
    aware_to = DateField("Reactions known until", validators=[Optional()],
                         description="Reactions the clinic learned of on or before this day.")
    haldane = BooleanField("Haldane correction for the ROR",
                           description="Adds 0.5 to every cell of a table with an empty cell.")

    def validate_aware_to(self, field):
        if field.data and self.aware_from.data and field.data < self.aware_from.data:
            raise ValidationError("Choose a day on or after the first day.")


class SignalsForm(WindowForm):
    level = SelectField("Compare by", choices=options(LEVEL_LABELS.items()), default="product")


def _accepted(field):
    """A filter's value, or None when it was refused (the page says why, next to it)."""
    return None if field.errors else field.data


def _window(form: WindowForm) -> dict:
    return {"aware_from": _accepted(form.aware_from), "aware_to": _accepted(form.aware_to),
            "haldane": bool(_accepted(form.haldane))}


def _signals(level: str, window: dict) -> list:
    """The signal rows in the window: procedures after its last day are not yet exposures."""
    return signals.signals(level, **window, performed_to=window["aware_to"])


def _query_args(window: dict, *, haldane: bool = True) -> dict:
    """The window again as query-string arguments, for links to the product and its chart."""
    args = {name: value.isoformat() for name, value in window.items()
            if isinstance(value, date)}
    if haldane and window["haldane"]:
        args["haldane"] = "y"
    return args


class LotPlace(NamedTuple):
    """Where a lot of a row is held, and whether the viewer may see which lot it is."""

    product_id: int
    product: str
    state: str
    shown: bool


def _lots(lot_ids, principal: Principal) -> dict[int, LotPlace]:
    """Each lot's product and holding state, in one query. A lot names one clinic's stock, so
    lots of clinics the viewer does not see are shown only by their product."""
    lot_ids = list(lot_ids)
    if not lot_ids:
        return {}
    seen = set(visible_clinics(principal).tuples())
    rows = (PigmentLot.select(PigmentLot.id, Clinic.id, Clinic.state, PigmentProduct)
            .join_from(PigmentLot, Clinic).join_from(PigmentLot, PigmentProduct)
            .where(PigmentLot.id.in_(lot_ids)))
    return {lot.id: LotPlace(lot.product.id, signals.product_label(lot.product),
                             lot.clinic.state, (lot.clinic.id,) in seen) for lot in rows}


def _product_or_404(product_id: int) -> PigmentProduct:
    product = PigmentProduct.get_or_none(PigmentProduct.id == product_id)
    if product is None:
        abort(404)
    return product


def _thresholds() -> dict:
    return {"prr": PRR_THRESHOLD, "chi_squared": CHI_SQUARED_THRESHOLD,
            "reactions": MINIMUM_REACTIONS}


@bp.get("")
def index():
    principal = inspector()
    form = SignalsForm()
    valid = form.checked()
    level = _accepted(form.level) if _accepted(form.level) in signals.LEVELS else "product"
    window = _window(form)
    rows = _signals(level, window)
    lots = _lots((row.key for row in rows), principal) if level == "lot" else {}
    return render_template(
        "signals/index.html", form=form, rows=rows, level=level, level_label=LEVEL_LABELS[level],
        lots=lots, args=_query_args(window), thresholds=_thresholds(),
        signalling=sum(row.signal for row in rows),
    ), (200 if valid else 422)


@bp.get("/products/<int:product_id>")
def product(product_id):
    principal = inspector()
    product = _product_or_404(product_id)
    form = WindowForm()
    valid = form.checked()
    window = _window(form)
    row = next((r for r in _signals("product", window) if r.key == product.id), None)
    own = {lot.id for lot in PigmentLot.select(PigmentLot.id)
           .where(PigmentLot.product == product.id)}
    lot_rows = [r for r in _signals("lot", window) if r.key in own]
    months = signals.monthly_reactions(product.id, aware_from=window["aware_from"],
                                       aware_to=window["aware_to"])
    return render_template(
        "signals/product.html", form=form, product=product,
        label=signals.product_label(product), row=row, lot_rows=lot_rows,
        lots=_lots((r.key for r in lot_rows), principal), months=months, thresholds=_thresholds(),
        chart_url=url_for(".chart", product_id=product.id,
                          **_query_args(window, haldane=False)),
        back_url=url_for(".index", **_query_args(window)),
        chart_size=(charts.WIDTH, charts.HEIGHT),
    ), (200 if valid else 422)


@bp.get("/products/<int:product_id>/chart.svg")
def chart(product_id):
    inspector()
    product = _product_or_404(product_id)
    form = WindowForm()
    if not form.checked():
        abort(422)
    window = _window(form)
    svg = charts.product_reactions_chart(
        product.id, f"Reactions per month: {signals.product_label(product)}",
        aware_from=window["aware_from"], aware_to=window["aware_to"])
    return Response(svg, mimetype="image/svg+xml", headers={
        "Cache-Control": "private, no-cache", "Content-Security-Policy": SVG_POLICY})
