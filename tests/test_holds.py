"""Holds: a recalled or quarantined lot stays out of use until its officer releases it with a
reason, and every view of the lot says the same before and after."""

from datetime import date, timedelta

from registry.clock import today
from registry.models import HoldRelease, LotHold, PigmentLot, Procedure
from registry.services import compliance, holds, procedures, recalls
from tests.api_world import build_world, client_for
from tests.factories import ACTOR, make_client, make_lot, make_practitioner, make_recall
from tests.pages import page_client, sign_in, text_of

USABLE = ("received", "in_use")


def lot_routes(app):
    """Every route that acts on one lot (pages and API), from the URL map."""
    for rule in app.url_map.iter_rules():
        if "<int:lot_id>" in rule.rule and "POST" in rule.methods:
            yield rule


def recalled_lot(world, number="F-0500-2026"):
    """A lot of clinic A matched to a recall that began 60 days ago, matched today."""
    lot = make_lot(world.clinic_a, received_on=today() - timedelta(days=200))
    recall = make_recall(number, today() - timedelta(days=60))
    recalls.record_match(recall, lot, "lot code", lot.lot_number, ACTOR)
    return PigmentLot.get_by_id(lot.id), recall


def usable_everywhere(world, lot) -> dict:
    """What each view says of the lot: list status, the facts' problem, the gate, checklist."""
    facts = {f.key: f for f in compliance.clinic_facts(world.clinic_a.id).lots}[lot.id]
    checklist = compliance.checklist(world.clinic_a.id, today())
    item = next(i for i in checklist.items
                if i.requirement.id == "us.fda.recalled-lot-on-hand" and i.subject_key == lot.id)
    try:
        procedures.record_procedure({
            "clinic_id": world.clinic_a.id, "practitioner_id": world.ids["practitioner_id"],
            "client_id": make_client(world.clinic_a).id, "performed_on": today(),
            "body_area": "scalp", "lot_ids": [lot.id]}, ACTOR)
        gate = True
    except procedures.records.InvalidInput:
        gate = False
    return {"status": PigmentLot.get_by_id(lot.id).status in USABLE,
            "facts": facts.problem_on(today()) is None, "gate": gate,
            "checklist": item.status == "pass"}


def test_no_lot_route_puts_a_recalled_lot_back_in_use(app):
    world = build_world()
    officer = client_for(app, world, "officer_a")
    pages = page_client(app)
    sign_in(pages, world.users["officer_a"].email)
    tried = []
    for rule in lot_routes(app):
        lot, recall = recalled_lot(world, f"F-{len(tried):04d}-2026")
        hold = LotHold.get(LotHold.lot == lot.id)
        ids = {"clinic_id": world.clinic_a.id, "lot_id": lot.id, "hold_id": hold.id}
        url = rule.build(ids, append_unknown=False)[1]
        # Everything a step could ask for, except a release's reason.
        body = {"effective_on": today().isoformat(), "status": "in_use", "grounds":
                "recall_terminated", "evidence": "Looks fine.",
                **({} if "release" in rule.rule else {"reason": "Try to use it."})}
        if rule.rule.startswith("/api/"):
            response = officer.post(url, json=body)
        else:
            token_page = url if "GET" in rule.methods else \
                f"/clinics/{world.clinic_a.id}/lots/{lot.id}"
            response = pages.submit(token_page, body, action=url)
        assert response.status_code < 500, (url, response.status_code)
        now = PigmentLot.get_by_id(lot.id)
        assert now.status in ("recalled", "disposed"), (url, now.status)
        assert HoldRelease.select().count() == 0, url
        if now.status == "recalled":
            assert usable_everywhere(world, now) == dict.fromkeys(
                ("status", "facts", "gate", "checklist"), False), url
        tried.append(rule.rule)
    assert {"open", "quarantine", "dispose", "release"} <= {
        r.rsplit("/", 1)[-1] for r in tried}
    assert len(tried) >= 7  # pages and API alike


def test_a_new_procedure_with_a_held_lot_is_refused_naming_the_recall(app):
    world = build_world()
    lot, _recall = recalled_lot(world, "F-0600-2026")
    before = Procedure.select().count()
    response = client_for(app, world, "officer_a").post("/api/v1/procedures", json={
        "clinic_id": world.clinic_a.id, "practitioner_id": world.ids["practitioner_id"],
        "client_id": world.ids["client_id"], "performed_on": today().isoformat(),
        "body_area": "scalp", "lot_ids": [lot.id]})
    assert response.status_code == 422
    (message,) = response.get_json()["errors"]["json"]["lot_ids"]
    assert "F-0600-2026" in message and lot.lot_number in message
    assert Procedure.select().count() == before


def test_a_release_needs_grounds_evidence_and_a_reason_and_is_kept_in_the_history(app):
    world = build_world()
    lot, recall = recalled_lot(world, "F-0700-2026")
    hold = LotHold.get(LotHold.lot == lot.id)
    officer = client_for(app, world, "officer_a")
    url = f"/api/v1/lots/{lot.id}/holds/{hold.id}/release"
    for missing in ("grounds", "evidence", "reason"):
        body = {"grounds": "recall_terminated", "evidence": "FDA terminated the recall.",
                "reason": "Recall over."}
        del body[missing]
        refused = officer.post(url, json=body)
        assert refused.status_code == 422
        assert missing in refused.get_json()["errors"]["json"]
    wrong = officer.post(url, json={"grounds": "quarantine_resolved", "evidence": "x",
                                    "reason": "y"})
    assert "grounds" in wrong.get_json()["errors"]["json"]
    assert HoldRelease.select().count() == 0
    # An administrator is not the clinic's officer.
    assert client_for(app, world, "admin").post(url, json={
        "grounds": "recall_terminated", "evidence": "e", "reason": "r"}).status_code == 403
    assert usable_everywhere(world, lot) == dict.fromkeys(
        ("status", "facts", "gate", "checklist"), False)

    released = officer.post(url, json={
        "grounds": "recall_terminated", "evidence": "FDA terminated F-0700-2026 on its site.",
        "reason": "The recall is over; the manufacturer confirmed the lot is safe."})
    assert released.status_code == 200
    assert released.get_json()["standing"] is False
    assert usable_everywhere(world, lot) == dict.fromkeys(
        ("status", "facts", "gate", "checklist"), True)
    listed = officer.get(f"/api/v1/lots/{lot.id}/holds").get_json()
    assert [(h["recall_number"], h["standing"]) for h in listed] == [("F-0700-2026", False)]
    assert listed[0]["release"]["released_by"] == "officer_a@example.test"
    assert listed[0]["release"]["evidence"].startswith("FDA terminated")
    trail = officer.get(f"/api/v1/clinics/{world.clinic_a.id}/audit-events"
                        f"?entity=hold_release&page_size=10").get_json()
    assert [e["action"] for e in trail] == ["release"]
    assert "recall was terminated" in trail[0]["reason"]

    pages = page_client(app)
    sign_in(pages, world.users["officer_a"].email)
    page = text_of(pages.get(f"/clinics/{world.clinic_a.id}/lots/{lot.id}"))
    holds_part = page.split("Holds")[1]
    assert "F-0700-2026" in holds_part and "by officer_a@example.test" in holds_part
    assert "the recall was terminated" in holds_part and "The recall is over" in holds_part


def test_a_quarantine_by_hand_is_released_the_same_way(app):
    world = build_world()
    lot = make_lot(world.clinic_a)
    hold = holds.quarantine(lot, {"reason": "Cloudy bottle."}, ACTOR)
    assert PigmentLot.get_by_id(lot.id).status == "quarantined"
    pages = page_client(app)
    sign_in(pages, world.users["officer_a"].email)
    url = f"/clinics/{world.clinic_a.id}/lots/{lot.id}/holds/{hold.id}/release"
    refused = pages.submit(url, {"grounds": "quarantine_resolved", "evidence": "Clear now."})
    assert refused.status_code == 422 and PigmentLot.get_by_id(lot.id).status == "quarantined"
    done = pages.submit(url, {"grounds": "quarantine_resolved", "evidence": "Clear now.",
                              "reason": "It was condensation."}, follow_redirects=True)
    assert "The hold on lot" in text_of(done)
    assert PigmentLot.get_by_id(lot.id).status == "received"


def test_every_view_agrees_on_a_held_lot(app):
    world = build_world()
    lot, _recall = recalled_lot(world, "F-0800-2026")
    pages = page_client(app)
    sign_in(pages, world.users["officer_a"].email)
    lots_page = pages.get(f"/clinics/{world.clinic_a.id}/lots").get_data(as_text=True)
    row = next(r for r in lots_page.split("<tr") if lot.lot_number in r)
    assert ">recalled<" in row and "Mark opened" not in row
    dashboard = text_of(pages.get(f"/clinics/{world.clinic_a.id}/"))
    assert lot.lot_number in dashboard.split("Recalled or quarantined lots on hand")[1]
    inspector = page_client(app)
    sign_in(inspector, world.users["inspector_a"].email)
    worklist = text_of(inspector.get("/inspect/?recalled=y"))
    assert world.clinic_a.name in worklist


def test_a_procedure_between_the_recall_and_the_match_is_an_exposure(app):
    world = build_world()
    clinic = world.clinic_a
    lot = make_lot(clinic, received_on=today() - timedelta(days=100))
    person = make_practitioner(clinic)
    exposed_on, before_on = today() - timedelta(days=20), today() - timedelta(days=50)
    for day in (before_on, exposed_on):
        procedures.record_procedure({
            "clinic_id": clinic.id, "practitioner_id": person.id,
            "client_id": make_client(clinic).id, "performed_on": day, "body_area": "lips",
            "lot_ids": [lot.id]}, ACTOR)
    recall = make_recall("F-0900-2026", today() - timedelta(days=30))
    recalls.record_match(recall, lot, "lot code", lot.lot_number, ACTOR)
    hold = LotHold.get(LotHold.lot == lot.id)
    assert hold.starts_on == today() - timedelta(days=30)

    checklist = compliance.checklist(clinic.id, today())
    items = {i.subject.performed_on: i for i in checklist.items
             if i.requirement.id == "us.fda.procedure-lots-usable" and i.subject is not None
             and lot.id in i.subject.lot_keys}
    assert items[before_on].status == "pass"
    exposure = items[exposed_on]
    assert exposure.status == "warning"
    assert "Exposure" in exposure.outcome.explanation and "Notify the client" in \
        exposure.outcome.explanation
    assert exposure.to_dict()["link"] == {"type": "recall", "id": recall.id}
    # The lot itself was under the recall before the registry knew: a warning then, not a
    # failure of the clinic; from the match on it fails while on hand.
    then = compliance.checklist(clinic.id, exposed_on)
    lot_item = next(i for i in then.items if i.requirement.id == "us.fda.recalled-lot-on-hand"
                    and i.subject_key == lot.id)
    assert lot_item.status == "warning"

    pages = page_client(app)
    sign_in(pages, world.users["officer_a"].email)
    html = pages.get(f"/clinics/{clinic.id}/checklist").get_data(as_text=True)
    assert f'href="/recalls/{recall.id}"' in html and "Exposure" in html


def test_a_recall_hold_starts_when_the_recall_began_but_not_before_today():
    class Recall:
        recall_initiation_date = date(2026, 3, 1)

    assert recalls.hold_start(Recall()) == date(2026, 3, 1)
    Recall.recall_initiation_date = today() + timedelta(days=3)
    assert recalls.hold_start(Recall()) == today()
    Recall.recall_initiation_date = None
    assert recalls.hold_start(Recall()) == today()
