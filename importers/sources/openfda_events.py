"""FDA cosmetic adverse-event counts (openFDA cosmetic/event) for each product we hold."""

from importers.parse import parse_date
from importers.runs import Rejected
from importers.sources.openfda import OpenFdaSource
from registry.clock import utcnow
from registry.models import Manufacturer, PigmentProduct, ProductEventCount

ENDPOINT = "/cosmetic/event.json"
SOURCE = "openfda-cosmetic-event"
# Outcomes that make a report serious beyond MoCRA's own threshold (compared upper-case).
SERIOUS = ("DEATH", "LIFE THREATENING", "HOSPITALIZATION", "DISABILITY")


def product_query(product: PigmentProduct) -> str:
    name = product.name.replace('"', " ")
    return f'products.product_name:"{name}"'


class CosmeticEventSource(OpenFdaSource):
    """One row per product: how many cosmetic adverse-event reports name it, and how many of
    those had a death, a life-threatening event, a hospitalisation or a disability."""

    name = "cosmetic-events"

    def read(self, context):
        if context.file is not None:
            raise Rejected("cosmetic event counts are read from openFDA, not from a file")
        url = context.url or self.base + ENDPOINT
        products = list(PigmentProduct.select(PigmentProduct, Manufacturer).join(Manufacturer)
                        .order_by(PigmentProduct.id))
        for number, product in enumerate(products, start=1):
            search = product_query(product)
            total, updated = self._total(context, url, search)
            serious = 0
            if total:
                outcomes = " ".join(f'"{outcome}"' for outcome in SERIOUS)
                serious, _ = self._total(context, url, f"{search} AND outcomes:({outcomes})")
            context.progress(number, len(products))
            yield number, {"product_id": product.id, "product": product.name, "query": search,
                           "total": total, "serious": serious, "data_updated_on": updated}

    def _total(self, context, url, search):
        params = {"search": search, "limit": 1}
        body, _ = context.fetcher.json(url, params, not_found_is_empty=True)
        if body is None:
            return 0, None
        meta = body.get("meta") or {}
        total = (meta.get("results") or {}).get("total")
        if not isinstance(total, int):
            raise Rejected(f"{url} answered without meta.results.total")
        updated = meta.get("last_updated")
        return total, updated

    def prepare(self, row_number: int, raw):
        try:
            day = parse_date(raw["data_updated_on"]) if raw["data_updated_on"] else None
        except ValueError:
            day = None
        return row_number, raw, {**raw, "data_updated_on": day}

    def upsert(self, prepared, record) -> None:
        ids = [values["product_id"] for _, _, values in prepared]
        existing = {row.product_id: row for row in ProductEventCount.select().where(
            (ProductEventCount.product.in_(ids)) & (ProductEventCount.source == SOURCE))}
        for _number, _raw, values in prepared:
            found = existing.get(values["product_id"])
            fields = {"query": values["query"], "total": values["total"],
                      "serious": values["serious"]}
            if found is None:
                ProductEventCount.create(product=values["product_id"], source=SOURCE,
                                         data_updated_on=values["data_updated_on"], **fields)
                record.counts["created"] += 1
            elif any(getattr(found, k) != v for k, v in fields.items()):
                ProductEventCount.update(data_updated_on=values["data_updated_on"],
                                         counted_at=utcnow(), **fields).where(
                    ProductEventCount.id == found.id).execute()
                record.counts["updated"] += 1
            else:
                record.counts["unchanged"] += 1

    def after(self, record, context) -> str:
        return f"{record.counts['fetched']} product(s) counted"
