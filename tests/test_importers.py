"""Importers against a real local HTTP server playing openFDA's and Socrata's answers."""

import copy
import json
import time
from datetime import date
from pathlib import Path

import pytest

from importers import pipeline, sources
from registry import create_app, demo
from registry.clock import today
from registry.db import db
from registry.models import (
    AuditEvent,
    ImportRun,
    LotHold,
    PigmentLot,
    ProductEventCount,
    Recall,
    RecallMatch,
    RejectedRow,
)
from registry.services import compliance, pigments
from tests.conftest import make_settings, running_app
from tests.factories import ACTOR, make_clinic, make_lot
from tests.http_source import Answer, not_found

PAYLOADS = Path(__file__).parent / "payloads"
ENFORCEMENT = "/food/enforcement.json"


def payload(name: str):
    return json.loads((PAYLOADS / name).read_text())


def recall(number: str, **fields) -> dict:
    """A record in openFDA's shape (every scalar a string), from the real F-0496-2015."""
    record = copy.deepcopy(payload("openfda-food-enforcement-F-0496-2015.json")["results"][0])
    record.update(recall_number=number, **fields)
    return record


def page_of(records, skip=0, limit=1000, total=None):
    return {"meta": {"last_updated": "2026-07-08",
                     "results": {"skip": skip, "limit": limit,
                                 "total": len(records) if total is None else total}},
            "results": records}


def paged(records):
    """openFDA's skip/limit paging over a list of records."""
    def answer(query, _headers):
        skip, limit = int(query.get("skip", 0)), int(query.get("limit", 1))
        chunk = records[skip:skip + limit]
        if not chunk:
            return not_found()
        return Answer(body=page_of(chunk, skip, limit, total=len(records)))
    return answer


def first_page_then(failure: Answer, records, page_size=2):
    """The first page of the records, then the failure for every later page."""
    def answer(query, _headers):
        if int(query["skip"]):
            return failure
        return Answer(body=page_of(records[:page_size], 0, page_size, total=len(records)))
    return answer


def at_most(rows: int, records, total=True):
    """A server that sends at most `rows` records a page, whatever the limit asked."""
    def answer(query, _headers):
        skip = int(query["skip"])
        chunk = records[skip:skip + rows]
        if not total:
            return Answer(body={"results": chunk})
        return Answer(body=page_of(chunk, skip, rows, total=len(records)))
    return answer


def recalled_lot():
    """A clinic's lot and the recall that names it beyond doubt: the recalling firm is its
    manufacturer, the description names the product, the codes name the lot number."""
    maker = pigments.create_manufacturer({"name": "Nocturne Pigments"}, ACTOR)
    product = pigments.create_product({"manufacturer_id": maker.id, "brand": "Nocturne",
                                       "name": "Midnight Black"}, ACTOR)
    lot = make_lot(make_clinic(), product, lot_number="24B17", received_on=date(2024, 3, 1))
    record = recall("F-0101-2024", recalling_firm="Nocturne Pigments", product_type="Cosmetics",
                    product_description="Nocturne Midnight Black tattoo ink, 1 oz bottle",
                    code_info="Lot 24B17", more_code_info="",
                    reason_for_recall="Tattoo ink contaminated with Pseudomonas aeruginosa",
                    recall_initiation_date="20240610", center_classification_date="20240701",
                    report_date="20240710", termination_date="", status="Ongoing")
    return lot, record


SERVER_ERROR = Answer(500, {"error": {"code": "SERVER_ERROR", "message": "x"}})
CUT_SHORT = Answer(body=page_of([recall("F-0103-2024"), recall("F-0104-2024")]), cut_at=40)


@pytest.fixture
def app(database_url, tmp_path, http):
    """The application with openFDA pointed at the local server and short waits."""
    settings = make_settings(tmp_path, database_url, openfda_url=http.url, http_retries=2,
                             http_backoff=0.01, http_read_timeout=1.0, import_chunk_size=50)
    with running_app(settings) as application:
        yield application


def run(app, name, **options):
    source = sources.available(app.config["REGISTRY_SETTINGS"])[name]
    return pipeline.run(source, **options)


def recall_failures(clinic_id):
    return [item for item in compliance.checklist(clinic_id, today()).items
            if item.requirement.check_kind == "lot_not_recalled" and item.status == "fail"]


def nonzero(outcome) -> dict:
    return {name: n for name, n in outcome.counts.items() if n}


def writes() -> int:
    return AuditEvent.select().count()


# openFDA recalls ---------------------------------------------------------------------------

def test_recalls_are_read_across_pages(app, http):
    http.route(ENFORCEMENT, paged([recall(f"F-{n:04d}-2020") for n in range(1, 8)]))
    outcome = run(app, "recalls", options={"page_size": 3})
    assert outcome.status == "succeeded"
    assert outcome.counts["fetched"] == 7 and outcome.counts["created"] == 7
    assert [s.query["skip"] for s in http.requests_to(ENFORCEMENT)] == ["0", "3", "6"]
    assert Recall.select().count() == 7
    assert "tattoo" in http.requests_to(ENFORCEMENT)[0].query["search"]
    assert "PigmentRegistry/" in http.requests_to(ENFORCEMENT)[0].headers["User-Agent"]


def test_paging_skips_the_rows_received_when_fewer_come_than_asked(app, http):
    records = [recall(f"F-{n:04d}-2020") for n in range(1, 8)]
    http.route(ENFORCEMENT, at_most(2, records))
    outcome = run(app, "recalls", options={"page_size": 3})
    assert outcome.status == "succeeded"
    assert nonzero(outcome) == {"fetched": 7, "created": 7}
    asked = http.requests_to(ENFORCEMENT)
    assert [s.query["skip"] for s in asked] == ["0", "2", "4", "6"]
    assert {s.query["limit"] for s in asked} == {"3"}
    assert sorted(r.recall_number for r in Recall.select()) == \
        [r["recall_number"] for r in records]


def test_without_a_total_an_empty_page_ends_the_run(app, http):
    records = [recall(f"F-{n:04d}-2020") for n in range(1, 6)]
    http.route(ENFORCEMENT, at_most(2, records, total=False))
    outcome = run(app, "recalls", options={"page_size": 3})
    assert outcome.status == "succeeded" and outcome.counts["created"] == 5
    assert [s.query["skip"] for s in http.requests_to(ENFORCEMENT)] == ["0", "2", "4", "5"]


def test_paging_stops_at_openfdas_skip_limit_keeping_what_it_read(app, http, monkeypatch):
    from importers.sources import openfda_recalls

    monkeypatch.setattr(openfda_recalls, "MAX_SKIP", 4)
    http.route(ENFORCEMENT, at_most(2, [recall(f"F-{n:04d}-2020") for n in range(1, 8)]))
    outcome = run(app, "recalls", options={"page_size": 3})
    assert outcome.status == "failed"
    assert outcome.message.startswith("more than 4 recalls match; narrow the search")
    assert [s.query["skip"] for s in http.requests_to(ENFORCEMENT)] == ["0", "2", "4"]
    assert Recall.select().count() == 6


def test_openfda_not_found_means_no_recalls(app, http):
    http.route(ENFORCEMENT, not_found())
    outcome = run(app, "recalls")
    assert outcome.status == "succeeded" and outcome.counts["fetched"] == 0
    assert ImportRun.get_by_id(outcome.run.id).status == "succeeded"


def test_rate_limit_is_waited_out_as_retry_after_says(app, http):
    http.route(ENFORCEMENT,
               Answer(429, payload("openfda-error-over-rate-limit.json"), {"Retry-After": "1"}),
               Answer(body=page_of([recall("F-0001-2020")])))
    started = time.monotonic()
    outcome = run(app, "recalls")
    assert outcome.status == "succeeded" and outcome.counts["created"] == 1
    assert time.monotonic() - started >= 0.9
    assert len(http.requests_to(ENFORCEMENT)) == 2


def test_a_server_error_is_retried(app, http):
    http.route(ENFORCEMENT,
               Answer(500, {"error": {"code": "SERVER_ERROR",
                                      "message": "Check your request and try again"}}),
               Answer(body=page_of([recall("F-0001-2020")])))
    outcome = run(app, "recalls")
    assert outcome.status == "succeeded" and outcome.counts["created"] == 1


def test_errors_that_persist_fail_the_run_and_say_why(app, http):
    http.route(ENFORCEMENT, Answer(500, {"error": {"code": "SERVER_ERROR", "message": "x"}}))
    outcome = run(app, "recalls")
    assert outcome.status == "failed"
    assert "answered HTTP 500: SERVER_ERROR x after 2 retries" in outcome.message
    run_row = ImportRun.get_by_id(outcome.run.id)
    assert run_row.status == "failed" and run_row.finished_at is not None
    assert Recall.select().count() == 0


def test_a_source_that_does_not_answer_in_time_fails_the_run(app, http):
    http.route(ENFORCEMENT, Answer(body=page_of([recall("F-0001-2020")]), delay=2.5))
    outcome = run(app, "recalls")
    assert outcome.status == "failed"
    assert "did not answer within 1 s" in outcome.message
    assert Recall.select().count() == 0


def test_a_truncated_body_is_fetched_again(app, http):
    body = page_of([recall("F-0001-2020")])
    http.route(ENFORCEMENT, Answer(body=body, cut_at=40), Answer(body=body))
    outcome = run(app, "recalls")
    assert outcome.status == "succeeded" and outcome.counts["created"] == 1


def test_a_body_always_cut_short_fails_the_run(app, http):
    http.route(ENFORCEMENT, Answer(body=page_of([recall("F-0001-2020")]), cut_at=40))
    outcome = run(app, "recalls")
    assert outcome.status == "failed" and "incomplete body" in outcome.message
    assert Recall.select().count() == 0


def test_control_characters_are_stripped_and_missing_keys_tolerated(app, http):
    real = payload("openfda-food-enforcement-F-1238-2013.json")["results"][0]
    assert "more_code_info" not in real
    dirty = recall("F-2149-2019",
                   product_quantity="122 cases \u0013 (15 units per case -\u0013 1 lb)",
                   product_description="Ginseng. \u001cAmerican Ginseng\u001d, tattoo")
    http.route(ENFORCEMENT, Answer(body=page_of([real, dirty])))
    outcome = run(app, "recalls")
    assert outcome.counts["created"] == 2 and outcome.counts["rejected"] == 0
    stored = Recall.get(Recall.recall_number == "F-2149-2019")
    assert stored.product_quantity == "122 cases (15 units per case - 1 lb)"
    assert stored.product_description == "Ginseng. American Ginseng , tattoo"
    old = Recall.get(Recall.recall_number == real["recall_number"])
    assert old.more_code_info is None and old.address_2 is None  # "N/A" means none


def test_a_record_without_its_key_fields_is_rejected_with_the_reason(app, http):
    broken = recall("F-0002-2020")
    del broken["recall_number"], broken["recalling_firm"]
    bad_date = recall("F-0003-2020", report_date="2020-13-45")
    http.route(ENFORCEMENT, Answer(body=page_of([recall("F-0001-2020"), broken, bad_date])))
    outcome = run(app, "recalls")
    assert outcome.status == "succeeded"
    assert nonzero(outcome) == {"fetched": 3, "created": 1, "rejected": 2}
    reasons = {r.row_number: r.reason for r in RejectedRow.select()}
    assert "recall_number" in reasons[2] and "recalling_firm" in reasons[2]
    assert reasons[3].startswith("report_date: not a date")
    assert RejectedRow.get(RejectedRow.row_number == 2).raw["product_type"] == "Food"
    assert Recall.select().count() == 1


def test_a_changed_record_is_updated_and_an_unchanged_run_writes_nothing(app, http):
    records = [recall("F-0001-2020"), recall("F-0002-2020")]
    http.route(ENFORCEMENT, paged(records))
    first = run(app, "recalls")
    assert first.counts["created"] == 2

    before = writes()
    again = run(app, "recalls")
    assert nonzero(again) == {"fetched": 2, "unchanged": 2}
    assert writes() == before
    assert ImportRun.get_by_id(again.run.id).unchanged == 2

    records[1] = recall("F-0002-2020", status="Terminated", termination_date="20201231")
    changed = run(app, "recalls")
    assert nonzero(changed) == {"fetched": 2, "unchanged": 1, "updated": 1}
    assert Recall.get(Recall.recall_number == "F-0002-2020").termination_date.isoformat() \
        == "2020-12-31"
    assert Recall.select().count() == 2


def test_the_scalpaink_recall_quarantines_the_demo_lot_and_fails_the_checklist(app, http):
    demo.load()
    lot = PigmentLot.get(PigmentLot.lot_number == "SA-SC-1904")
    assert not recall_failures(lot.clinic_id)
    http.route(ENFORCEMENT, Answer(body=payload("openfda-scalpaink-2019.json")))
    outcome = run(app, "recalls")
    assert outcome.status == "succeeded"
    assert "1 new match" in outcome.message

    lot = PigmentLot.get_by_id(lot.id)
    assert lot.status == "recalled"
    match = RecallMatch.get(RecallMatch.lot == lot.id)
    assert match.rule == "every lot" and "All lots" in match.matched_text
    assert "Scalp Aesthetics" in match.matched_text
    # Lots of other products are left alone.
    assert RecallMatch.select().count() == 1

    failing = recall_failures(lot.clinic_id)
    assert len(failing) == 1 and "SA-SC-1904" in failing[0].outcome.explanation
    assert "F-0000-2019" in failing[0].outcome.explanation

    again = run(app, "recalls")
    assert again.message == "no lot matched" and RecallMatch.select().count() == 1


def test_lot_codes_in_the_code_info_match_only_those_lots(app, http):
    clinic = make_clinic()
    from tests.factories import make_product
    product = make_product(name="Bright Red")
    product.manufacturer.name = "Intenze Products"
    product.manufacturer.save()
    hit = make_lot(clinic, product, lot_number="SS264")
    miss = make_lot(clinic, product, lot_number="SS2640")
    http.route(ENFORCEMENT, Answer(body=page_of([recall(
        "F-1000-2018", recalling_firm="Intenze Products, Inc.",
        product_description="Intenze tattoo ink, Bright Red, 1 oz",
        code_info="Lot SS264, SS258 EXP 2020")])))
    run(app, "recalls")
    assert [m.lot_id for m in RecallMatch.select()] == [hit.id]
    assert PigmentLot.get_by_id(hit.id).status == "recalled"
    assert PigmentLot.get_by_id(miss.id).status == "received"
    assert "lot number: Lot SS264" in RecallMatch.get().matched_text


def test_dry_run_saves_nothing(app, http):
    http.route(ENFORCEMENT, Answer(body=page_of([recall("F-0001-2020")])))
    outcome = run(app, "recalls", dry_run=True)
    assert outcome.dry_run and outcome.counts["created"] == 1 and outcome.run is None
    assert Recall.select().count() == 0 and ImportRun.select().count() == 0


@pytest.mark.parametrize("failure", [SERVER_ERROR, CUT_SHORT], ids=["http-500", "cut-short"])
def test_a_run_failing_on_a_later_page_keeps_and_matches_the_recalls_read(app, http, failure):
    lot, named = recalled_lot()
    records = [named, recall("F-0102-2024"), recall("F-0103-2024"), recall("F-0104-2024")]
    http.route(ENFORCEMENT, first_page_then(failure, records))
    outcome = run(app, "recalls", options={"page_size": 2})
    assert outcome.status == "failed"
    assert nonzero(outcome) == {"fetched": 2, "created": 2}
    assert outcome.message.endswith("; 1 new match(es), 1 lot(s) held")
    recorded = ImportRun.get_by_id(outcome.run.id)
    assert recorded.status == "failed" and recorded.message == outcome.message
    assert sorted(r.recall_number for r in Recall.select()) == ["F-0101-2024", "F-0102-2024"]

    assert PigmentLot.get_by_id(lot.id).status == "recalled"
    assert LotHold.get(LotHold.lot == lot.id).recall_number == "F-0101-2024"
    assert [m.lot_id for m in RecallMatch.select()] == [lot.id]

    # Once the source answers again the run completes, and matching again adds nothing.
    http.route(ENFORCEMENT, paged(records))
    again = run(app, "recalls", options={"page_size": 2})
    assert again.status == "succeeded" and again.message == "no lot matched"
    assert nonzero(again) == {"fetched": 4, "created": 2, "unchanged": 2}
    assert RecallMatch.select().count() == 1 and LotHold.select().count() == 1


def test_a_failed_run_that_saved_nothing_matches_nothing(app, http):
    _lot, named = recalled_lot()
    http.route(ENFORCEMENT, paged([named]))
    run(app, "recalls")
    http.route(ENFORCEMENT, first_page_then(SERVER_ERROR, [named, recall("F-0102-2024")],
                                            page_size=1))
    outcome = run(app, "recalls", options={"page_size": 1})
    assert outcome.status == "failed" and nonzero(outcome) == {"fetched": 1, "unchanged": 1}
    assert outcome.message.endswith("after 2 retries")


def test_a_dry_run_failing_on_a_later_page_saves_nothing(app, http):
    lot, named = recalled_lot()
    http.route(ENFORCEMENT, first_page_then(SERVER_ERROR, [named, recall("F-0102-2024"),
                                                           recall("F-0103-2024")]))
    outcome = run(app, "recalls", dry_run=True, options={"page_size": 2})
    assert outcome.dry_run and outcome.status == "failed" and outcome.run is None
    assert outcome.message.endswith("; 1 new match(es), 1 lot(s) held")
    assert Recall.select().count() == 0 and ImportRun.select().count() == 0
    assert RecallMatch.select().count() == 0 and LotHold.select().count() == 0
    assert PigmentLot.get_by_id(lot.id).status == "received"


# openFDA cosmetic events -------------------------------------------------------------------

def test_cosmetic_event_counts_are_kept_per_product(app, http):
    from tests.factories import make_product

    counted, silent = make_product(name="Scalpaink SC"), make_product(name="Quiet Ink")

    def answer(query, _headers):
        if "Scalpaink" not in query["search"]:
            return not_found()
        total = 1 if "outcomes" in query["search"] else 4
        return Answer(body={"meta": {"last_updated": "2026-06-01",
                                     "results": {"skip": 0, "limit": 1, "total": total}},
                            "results": [{}]})
    http.route("/cosmetic/event.json", answer)
    outcome = run(app, "cosmetic-events")
    assert outcome.status == "succeeded" and outcome.counts["created"] == 2
    counts = {c.product_id: (c.total, c.serious) for c in ProductEventCount.select()}
    assert counts == {counted.id: (4, 1), silent.id: (0, 0)}
    assert run(app, "cosmetic-events").counts["unchanged"] == 2


def test_the_scheduled_recall_job_imports_and_raises_when_the_import_fails(app, http):
    from importers import jobs

    http.route(ENFORCEMENT, Answer(body=page_of([recall("F-0001-2020")])),
               Answer(500, {"error": {"code": "SERVER_ERROR", "message": "down"}}))
    assert jobs.recalls() == "recalls: succeeded"
    assert ImportRun.get().triggered_by == "schedule"
    with pytest.raises(RuntimeError, match="recalls: .*HTTP 500"):
        jobs.recalls()


def test_the_api_key_travels_in_a_header_never_in_the_url(database_url, tmp_path, http, caplog):
    settings = make_settings(tmp_path, database_url, openfda_url=http.url, http_retries=1,
                             http_backoff=0.01, openfda_api_key="secret-key-123")
    application = create_app(settings)
    http.route(ENFORCEMENT, Answer(500, {"error": {"code": "SERVER_ERROR", "message": "x"}}),
               Answer(body=page_of([recall("F-0001-2020")])))
    with application.app_context(), db.connection_context(), caplog.at_level("DEBUG"):
        assert run(application, "recalls").status == "succeeded"
    seen = http.requests_to(ENFORCEMENT)[-1]
    assert "api_key" not in seen.query and seen.headers["Authorization"].startswith("Basic ")
    assert "secret-key-123" not in caplog.text
