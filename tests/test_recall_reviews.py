"""Doubtful recall matches go to a person: certain ones hold the lot, possible ones wait for the
clinic's officer to confirm (the lot is held) or dismiss them with a reason."""

from datetime import datetime, timedelta

from registry import clock
from registry.clock import today
from registry.models import (
    AuditEvent,
    LotHold,
    PigmentLot,
    RecallMatch,
    RecallReview,
    ReviewDecision,
)
from registry.services import compliance, pigments, recalls
from tests.api_world import build_world, client_for
from tests.factories import ACTOR, make_lot, make_recall
from tests.pages import page_client, sign_in, text_of


def catalogue(world):
    """A maker with two products of one brand, a lot of each at clinic A."""
    maker = pigments.create_manufacturer({"name": "Vivid Pigments LLC"}, ACTOR)
    onyx = pigments.create_product({"manufacturer_id": maker.id, "brand": "Vivid",
                                    "name": "Onyx Black"}, ACTOR)
    rose = pigments.create_product({"manufacturer_id": maker.id, "brand": "Vivid",
                                    "name": "Rose Pink"}, ACTOR)
    return (make_lot(world.clinic_a, onyx, lot_number="VB-2201"),
            make_lot(world.clinic_a, rose, lot_number="VR-3301"))


def test_certain_matches_hold_and_possible_ones_wait_for_a_person(app):
    world = build_world()
    onyx_lot, rose_lot = catalogue(world)
    make_recall("F-2000-2026", today() - timedelta(days=10), firm="Vivid Pigments, LLC",
                description="Vivid Onyx Black tattoo ink, 2 oz bottles", code_info="Lot VB-2201")
    make_recall("F-2001-2026", today() - timedelta(days=5), firm="Vivid Pigments LLC",
                description="Vivid brand tattoo inks, all colours", code_info="All lots")
    made = recalls.match_all(ACTOR)
    assert [(m.recall.recall_number, m.lot_id) for m in made] == [("F-2000-2026", onyx_lot.id)]
    assert PigmentLot.get_by_id(onyx_lot.id).status == "recalled"
    reviews = {r.lot_id: r for r in RecallReview.select().where(
        RecallReview.lot.in_([onyx_lot.id, rose_lot.id]))}
    # The brand-wide recall names no product: a person checks both lots.
    assert set(reviews) == {onyx_lot.id, rose_lot.id}
    assert {r.recall.recall_number for r in reviews.values()} == {"F-2001-2026"}
    assert reviews[rose_lot.id].rule == "brand only"
    assert "check" in reviews[rose_lot.id].reason
    assert PigmentLot.get_by_id(rose_lot.id).status == "received"
    # Matching again changes nothing.
    events = AuditEvent.select().count()
    assert recalls.match_all(ACTOR) == []
    assert AuditEvent.select().count() == events


def test_the_officer_confirms_or_dismisses_with_a_reason(app):
    world = build_world()
    onyx_lot, rose_lot = catalogue(world)
    recall = make_recall("F-2002-2026", today() - timedelta(days=20), firm="Vivid Pigments LLC",
                         description="Vivid tattoo inks", code_info="All lots")
    confirm_me = recalls.propose(recall, onyx_lot, "brand only", "Vivid tattoo inks",
                                 "Brand only: check the product.", ACTOR)
    dismiss_me = recalls.propose(recall, rose_lot, "brand only", "Vivid tattoo inks",
                                 "Brand only: check the product.", ACTOR)
    officer = client_for(app, world, "officer_a")
    inspector = client_for(app, world, "inspector_a")
    other = client_for(app, world, "inspector_other")

    listed = inspector.get(f"/api/v1/recall-reviews?clinic_id={world.clinic_a.id}&state=open")
    assert {r["id"] for r in listed.get_json()} >= {confirm_me.id, dismiss_me.id}
    assert confirm_me.id not in {r["id"] for r in other.get("/api/v1/recall-reviews").get_json()}
    assert inspector.post(f"/api/v1/recall-reviews/{confirm_me.id}/confirm",
                          json={}).status_code == 403

    refused = officer.post(f"/api/v1/recall-reviews/{dismiss_me.id}/dismiss", json={})
    assert refused.status_code == 422
    assert "reason" in refused.get_json()["errors"]["json"]
    assert ReviewDecision.select().count() == 0

    confirmed = officer.post(f"/api/v1/recall-reviews/{confirm_me.id}/confirm",
                             json={"reason": "The bottle says Onyx Black."})
    assert confirmed.status_code == 200
    assert confirmed.get_json()["decision"]["decision"] == "confirmed"
    assert PigmentLot.get_by_id(onyx_lot.id).status == "recalled"
    hold = LotHold.get(LotHold.lot == onyx_lot.id)
    assert hold.starts_on == today() - timedelta(days=20)
    assert RecallMatch.get(RecallMatch.lot == onyx_lot.id).rule == "confirmed (brand only)"

    dismissed = officer.post(f"/api/v1/recall-reviews/{dismiss_me.id}/dismiss",
                             json={"reason": "Rose Pink was not in the recalled shipment."})
    assert dismissed.status_code == 200
    assert PigmentLot.get_by_id(rose_lot.id).status == "received"
    again = officer.post(f"/api/v1/recall-reviews/{dismiss_me.id}/confirm", json={})
    assert again.status_code == 422
    trail = AuditEvent.select().where(AuditEvent.entity == "review_decision") \
        .order_by(AuditEvent.id)
    assert [(e.action, e.reason) for e in trail] == [
        ("confirm", "The bottle says Onyx Black."),
        ("dismiss", "Rose Pink was not in the recalled shipment.")]


def test_an_unreviewed_match_past_its_window_needs_attention_on_the_checklist(app):
    world = build_world()
    onyx_lot, rose_lot = catalogue(world)
    recall = make_recall("F-2003-2026", today() - timedelta(days=30))
    with clock.frozen(datetime.now() - timedelta(days=10)):
        old = recalls.propose(recall, onyx_lot, "brand only", "x", "Brand only.", ACTOR)
    recalls.propose(recall, rose_lot, "brand only", "x", "Brand only.", ACTOR)
    items = {i.subject_key: i for i in compliance.checklist(world.clinic_a.id, today()).items
             if i.requirement.id == "us.fda.recall-matches-reviewed"}
    assert items[onyx_lot.id].status == "warning"
    assert "waited 10 days" in items[onyx_lot.id].outcome.explanation
    assert items[onyx_lot.id].to_dict()["link"] == {"type": "recall_review", "id": old.id}
    assert items[rose_lot.id].status == "pass"

    pages = page_client(app)
    sign_in(pages, world.users["officer_a"].email)
    dashboard = text_of(pages.get(f"/clinics/{world.clinic_a.id}/"))
    assert "Possible recall matches to review" in dashboard and "F-2003-2026" in dashboard
    checklist = pages.get(f"/clinics/{world.clinic_a.id}/checklist").get_data(as_text=True)
    assert f'href="/clinics/{world.clinic_a.id}/recall-reviews"' in checklist
    inspector = page_client(app)
    sign_in(inspector, world.users["inspector_a"].email)
    page = text_of(inspector.get(f"/inspect/clinics/{world.clinic_a.id}"))
    assert "Possible recall matches awaiting the clinic" in page and "open" in page


def test_dismissing_on_the_page_needs_a_reason(app):
    world = build_world()
    _onyx, rose_lot = catalogue(world)
    review = recalls.propose(make_recall("F-2004-2026"), rose_lot, "similar firm name",
                             "Vivid Pigment Co", "A firm of a similar name.", ACTOR)
    pages = page_client(app)
    sign_in(pages, world.users["officer_a"].email)
    url = f"/clinics/{world.clinic_a.id}/recall-reviews/{review.id}/dismiss"
    refused = pages.submit(url, {"reason": " "})
    assert refused.status_code == 422
    assert "Say why this lot is not affected." in text_of(refused)
    assert ReviewDecision.select().count() == 0
    done = pages.submit(url, {"reason": "Different firm."}, follow_redirects=True)
    assert "is dismissed" in text_of(done) and "Different firm." in text_of(done)
