"""FDA enforcement recalls of tattoo and permanent-makeup inks, from openFDA food/enforcement."""

from importers.parse import clean, parse_date
from importers.runs import Rejected, field_reason
from importers.sources.openfda import OpenFdaSource
from registry.models import Recall
from registry.schemas.recalls import RecallSchema
from registry.services import recalls, records
from registry.services.audit import Actor

ENDPOINT = "/food/enforcement.json"
# Cosmetic recalls sit in food/enforcement (there is no cosmetic endpoint); these words find
# the tattoo, permanent-makeup and micropigmentation inks among them.
SEARCH = ('product_description:(tattoo "permanent makeup" "permanent make-up" '
          'micropigmentation microblading "scalp pigmentation" "cosmetic pigment") '
          'reason_for_recall:tattoo')
PAGE = 1000
MAX_SKIP = 25_000
FIELDS = tuple(name for name, f in RecallSchema().fields.items()
               if not f.dump_only and name not in ("source", "raw"))
DATES = ("recall_initiation_date", "center_classification_date", "report_date",
         "termination_date")


class RecallSource(OpenFdaSource):
    """Pages through openFDA, upserts Recall rows by recall number, then matches them to lots."""

    name = "recalls"
    # Matching is idempotent and right for any recall saved, so a run cut short still matches.
    after_partial_runs = True

    def __init__(self, settings):
        super().__init__(settings)
        self.actor = Actor.system("importer:recalls")

    def read(self, context):
        if context.file is not None:
            yield from _records(_load_file(context.file))
            return
        url = context.url or self.base + ENDPOINT
        page = context.options.get("page_size", PAGE)
        params = {"search": SEARCH, "limit": page, "skip": 0, "sort": "report_date:asc"}
        seen = 0
        while True:
            body, response = context.fetcher.json(url, params, not_found_is_empty=True)
            if body is None:  # openFDA answers 404 NOT_FOUND when nothing matches
                return
            results = body.get("results")
            if not isinstance(results, list):
                raise Rejected(f"{url} answered without a results list")
            if not results:
                return
            total = ((body.get("meta") or {}).get("results") or {}).get("total")
            yield from enumerate(results, start=seen + 1)
            seen += len(results)
            context.progress(seen, total)
            next_link = response.links.get("next", {}).get("url")
            if next_link:  # search_after paging: follow the link as given
                url, params = next_link, None
                continue
            if total is not None and seen >= total:
                return
            # The server may send fewer rows than asked: skip past those received.
            skip = params["skip"] + len(results)
            if skip > MAX_SKIP:
                raise Rejected(f"more than {MAX_SKIP} recalls match; narrow the search")
            params = {**params, "skip": skip}

    def prepare(self, row_number: int, raw):
        if not isinstance(raw, dict):
            raise Rejected("not a recall record")
        record = clean(raw)
        values = {name: record.get(name) for name in FIELDS}
        for name in DATES:
            try:
                values[name] = parse_date(values[name]) if values[name] else None
            except ValueError:
                raise Rejected(f"{name}: not a date: {values[name]!r}") from None
        values = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
                  for k, v in values.items()}
        return row_number, record, values

    def upsert(self, prepared, record) -> None:
        numbers = [values.get("recall_number") for _, _, values in prepared]
        existing = {r.recall_number: r for r in
                    Recall.select().where(Recall.recall_number.in_([n for n in numbers if n]))}
        for row_number, raw, values in prepared:
            try:
                data = records.load(RecallSchema, {**values, "source": "openfda", "raw": raw})
            except records.InvalidInput as exc:
                record.reject(row_number, field_reason(exc.errors), raw)
                continue
            found = existing.get(data["recall_number"])
            if found is None:
                recall = records.add(Recall, data, self.actor)
                existing[recall.recall_number] = recall
                record.counts["created"] += 1
            elif records.apply_changes(found, data, self.actor,
                                       reason="openFDA record changed"):
                record.counts["updated"] += 1
            else:
                record.counts["unchanged"] += 1

    def after(self, record, context) -> str:
        matches = recalls.match_all(self.actor)
        if not matches:
            return "no lot matched"
        lots = len({m.lot_id for m in matches})
        return f"{len(matches)} new match(es), {lots} lot(s) held"


def _load_file(path):
    import json

    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _records(body):
    """Records from a saved openFDA response (or a bare list of records)."""
    results = body.get("results") if isinstance(body, dict) else body
    if not isinstance(results, list):
        raise Rejected("the file holds no openFDA results list")
    yield from enumerate(results, start=1)
