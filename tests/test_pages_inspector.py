"""The inspector's worklist, a clinic as of a date, and inspections with findings and actions."""

import re
from datetime import date, timedelta

from registry.clock import today
from registry.models import AuditEvent, CorrectiveAction, Finding, Inspection
from registry.services import inspections, practitioners
from tests.api_world import build_world
from tests.factories import ACTOR, hold_lot, make_clinic, make_lot
from tests.pages import error_for, page_client, sign_in, text_of


def signed_in_as(app, world, name):
    client = page_client(app)
    sign_in(client, world.users[name].email)
    return client


def licensed(clinic, expires_on=date(2030, 12, 31)):
    """The clinic's establishment licence, so a clinic with nothing else passes."""
    practitioners.add_credential({
        "clinic_id": clinic.id, "kind": "establishment_license", "issuer": "OHLO",
        "state": clinic.state, "issued_on": "2020-01-01",
        "expires_on": expires_on.isoformat()}, ACTOR, clinic_id=clinic.id)
    return clinic


def listed(response) -> set[int]:
    """The clinics the worklist shows, by the ids in their links."""
    return {int(n) for n in re.findall(r'href="/inspect/clinics/(\d+)"',
                                       response.get_data(as_text=True))}


def cells(response, clinic) -> list[str]:
    """The worklist's cells for one clinic, as text."""
    html = response.get_data(as_text=True)
    row = next(r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.S)
               if f'href="/inspect/clinics/{clinic.id}"' in r)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td>(.*?)</td>", row, flags=re.S)]


def finding_url(world):
    return (f"/clinics/{world.clinic_a.id}/inspections/{world.ids['inspection_id']}"
            "/findings/new")


def test_the_worklist_shows_the_inspectors_jurisdiction_only(app):
    world = build_world()
    washington = make_clinic(state="WA")
    response = signed_in_as(app, world, "inspector_a").get("/inspect/")
    assert response.status_code == 200
    assert listed(response) == {world.clinic_a.id}
    page = text_of(response)
    assert "Clinics to inspect" in page and "fail" in page
    assert 'name="state"' not in response.get_data(as_text=True)  # one jurisdiction only
    assert f'href="/clinics/{world.clinic_a.id}/checklist"' in response.get_data(as_text=True)
    assert listed(signed_in_as(app, world, "inspector_other").get("/inspect/")) == \
        {washington.id}
    admin = signed_in_as(app, world, "admin")
    everything = admin.get("/inspect/")
    assert listed(everything) == {world.clinic_a.id, world.clinic_b.id, washington.id}
    assert 'name="state"' in everything.get_data(as_text=True)
    assert listed(admin.get("/inspect/?state=TX")) == {world.clinic_b.id}


def test_each_filter_narrows_the_worklist(app):
    world = build_world()
    day = today()
    passing = licensed(make_clinic(name="Passing Parlour", city="Bend"))
    failing = make_clinic(name="Failing Studio", city="Salem")
    recalled = licensed(make_clinic(name="Recall Rooms"))
    lot = make_lot(recalled)
    hold_lot(lot, day, recall_number="C-0202-2026")
    expiring = licensed(make_clinic(name="Expiring Ink"), expires_on=day + timedelta(days=30))
    client = signed_in_as(app, world, "inspector_a")
    every = {world.clinic_a.id, passing.id, failing.id, recalled.id, expiring.id}
    assert listed(client.get("/inspect/")) == every
    assert listed(client.get("/inspect/?failing=y")) == {world.clinic_a.id, failing.id,
                                                         recalled.id}
    assert listed(client.get("/inspect/?recalled=y")) == {recalled.id}
    assert listed(client.get("/inspect/?expiring=y")) == {expiring.id}
    assert listed(client.get("/inspect/?failing=y&recalled=y")) == {recalled.id}
    assert listed(client.get("/inspect/?search=parlour")) == {passing.id}
    assert listed(client.get("/inspect/?search=SALEM")) == {failing.id}
    assert listed(client.get("/inspect/?search=nowhere")) == set()
    response = client.get("/inspect/")
    assert cells(response, recalled)[2:] == ["OR", "fail Checklist", "1", "Yes", "No"]
    assert cells(response, expiring)[2:] == ["OR", "warning Checklist", "0", "No", "Yes"]
    assert cells(response, passing)[:3] == ["Passing Parlour", "Bend", "OR"]
    assert cells(response, passing)[3:] == ["pass Checklist", "0", "No", "No"]


def test_the_worklist_pages_by_fifty(app):
    world = build_world()
    for _ in range(55):
        make_clinic(state="OR")
    client = signed_in_as(app, world, "inspector_a")
    first, second = client.get("/inspect/"), client.get("/inspect/?page=2&search=Clinic")
    assert len(listed(first)) == 50 and "Page 1 of 2" in text_of(first)
    assert len(listed(second)) == 6
    assert "page=1" in second.get_data(as_text=True) and "search=Clinic" in \
        second.get_data(as_text=True)


def test_a_clinic_as_of_a_past_date(app):
    world = build_world()
    clinic = world.clinic_a
    make_lot(clinic, received_on=date(2025, 10, 1), lot_number="LATE-1")
    early = make_lot(clinic, received_on=date(2024, 3, 1), lot_number="EARLY-1")
    hold_lot(early, date(2025, 12, 1), recall_number="C-0303-2025")
    client = signed_in_as(app, world, "inspector_a")
    url = f"/inspect/clinics/{clinic.id}"

    then = client.get(f"{url}?as_of=2025-06-30")
    assert then.status_code == 200
    page = text_of(then)
    assert f"{clinic.name} as of 2025-06-30" in page
    lots = page.split("Pigment lots on hand")[1].split("Inspections so far")[0]
    assert "LATE-1" not in lots
    assert "EARLY-1" in lots and "received" in lots.split("EARLY-1")[1].split("LOT-")[0]
    assert "recalled" not in lots
    assert "No inspection on record by then." in page
    assert "us-or.facility.license" in page.split("Failing items")[1]
    html = then.get_data(as_text=True)
    assert f'href="/clinics/{clinic.id}/audit-report?as_of=2025-06-30"' in html
    assert f'href="/clinics/{clinic.id}/checklist?as_of=2025-06-30"' in html
    assert f'href="/clinics/{clinic.id}/inspections/new"' in html
    assert "Download the audit report" in page and "Record an inspection" in page

    now = text_of(client.get(url))
    lots = now.split("Pigment lots on hand")[1].split("Inspections so far")[0]
    assert "LATE-1" in lots and "recalled (recall C-0303-2025)" in lots
    assert "2025-09-01" in now.split("Inspections so far")[1]


def test_the_report_link_is_for_inspectors_of_the_state_only(app):
    world = build_world()
    page = text_of(signed_in_as(app, world, "admin").get(
        f"/inspect/clinics/{world.clinic_a.id}"))
    assert "Record an inspection" in page and "Download the audit report" not in page


def test_an_inspection_is_recorded(app):
    world = build_world()
    client = signed_in_as(app, world, "inspector_a")
    url = f"/clinics/{world.clinic_a.id}/inspections/new"
    form = client.get(url).get_data(as_text=True)
    for label in ("Inspected on", "Kind of inspection", "Result", "Notes"):
        assert f">{label}</label>" in form
    response = client.submit(url, {"inspected_on": "2026-01-05", "kind": "follow_up",
                                   "result": "Satisfactory", "notes": "Sharps bin replaced."})
    assert response.status_code == 302
    inspection = Inspection.select().order_by(Inspection.id.desc()).get()
    assert response.headers["Location"] == \
        f"/clinics/{world.clinic_a.id}/inspections/{inspection.id}"
    assert (inspection.clinic_id, inspection.inspector_id, inspection.inspected_on,
            inspection.kind, inspection.result) == (
        world.clinic_a.id, world.users["inspector_a"].id, date(2026, 1, 5), "follow_up",
        "Satisfactory")
    page = text_of(client.get(response.headers["Location"]))
    assert "The inspection is recorded." in page and "Sharps bin replaced." in page


def test_an_inspection_without_a_date_is_refused(app):
    world = build_world()
    client = signed_in_as(app, world, "inspector_a")
    count = Inspection.select().count()
    response = client.submit(f"/clinics/{world.clinic_a.id}/inspections/new",
                             {"inspected_on": "", "kind": "routine"})
    assert response.status_code == 422
    assert error_for(response, "inspected_on") == "Enter the day of the inspection."
    assert Inspection.select().count() == count


def test_a_finding_with_its_corrective_action(app):
    world = build_world()
    client = signed_in_as(app, world, "inspector_a")
    url = finding_url(world)
    html = client.get(url).get_data(as_text=True)
    choices = re.findall(r'<option[^>]*value="([^"]*)"', html.split('id="requirement_id"')[1]
                         .split("</select>")[0])
    assert choices[0] == "" and "us-or.facility.license" in choices[1:5]
    assert "No specific requirement" in html and "us-or.facility.license — " in html
    for label in ("Requirement", "Severity", "What was found", "Corrective action", "Due by"):
        assert f">{label}</label>" in html
    response = client.submit(url, {
        "requirement_id": "us-or.facility.license", "severity": "major",
        "description": "No establishment licence displayed.",
        "action_description": "Display the licence at the entrance.", "due_on": "2025-10-01"})
    assert response.status_code == 302
    finding = Finding.select().order_by(Finding.id.desc()).get()
    assert (finding.inspection_id, finding.requirement_id, finding.severity) == (
        world.ids["inspection_id"], "us-or.facility.license", "major")
    (action,) = finding.actions
    assert (action.description, action.due_on, action.status) == (
        "Display the licence at the entrance.", date(2025, 10, 1), "open")
    page = text_of(client.get(response.headers["Location"]))
    assert "The finding and its corrective action are added." in page
    assert "No establishment licence displayed." in page


def test_a_finding_without_an_action(app):
    world = build_world()
    client = signed_in_as(app, world, "inspector_a")
    actions = CorrectiveAction.select().count()
    response = client.submit(finding_url(world), {"requirement_id": "", "severity": "minor",
                                                  "description": "Floor mat worn."})
    assert response.status_code == 302
    finding = Finding.select().order_by(Finding.id.desc()).get()
    assert (finding.description, finding.requirement_id) == ("Floor mat worn.", None)
    assert CorrectiveAction.select().count() == actions


def test_a_half_filled_action_saves_neither_row(app):
    world = build_world()
    client = signed_in_as(app, world, "inspector_a")
    counts = Finding.select().count(), CorrectiveAction.select().count()
    response = client.submit(finding_url(world), {
        "severity": "major", "description": "Gloves reused.",
        "action_description": "Train the staff.", "due_on": ""})
    assert response.status_code == 422
    assert error_for(response, "due_on") == "Give the day the corrective action is due by."
    assert error_for(response, "action_description") is None
    response = client.submit(finding_url(world), {
        "severity": "major", "description": "Gloves reused.", "due_on": "2025-10-01"})
    assert response.status_code == 422
    assert error_for(response, "action_description") == "Describe the corrective action."
    assert "Gloves reused." in response.get_data(as_text=True)  # the input is kept
    assert (Finding.select().count(), CorrectiveAction.select().count()) == counts


def test_a_finding_without_a_description_is_refused(app):
    world = build_world()
    client = signed_in_as(app, world, "inspector_a")
    count = Finding.select().count()
    response = client.submit(finding_url(world), {"severity": "minor", "description": ""})
    assert response.status_code == 422
    assert error_for(response, "description") == "Describe what was found."
    assert "Nothing was saved" in text_of(response)
    assert Finding.select().count() == count


def test_the_inspection_page_offers_the_finding_form_to_inspectors_only(app):
    world = build_world()
    url = f"/clinics/{world.clinic_a.id}/inspections/{world.ids['inspection_id']}"
    inspector_page = signed_in_as(app, world, "inspector_a").get(url)
    assert inspector_page.status_code == 200
    assert "Add a finding" in text_of(inspector_page)
    assert f'action="{finding_url(world)}"' in inspector_page.get_data(as_text=True)
    officer_page = signed_in_as(app, world, "officer_a").get(url)
    assert officer_page.status_code == 200
    assert "Add a finding" not in text_of(officer_page)
    assert "Sharps container over-full." in text_of(officer_page)


def test_the_inspections_list_makes_overdue_actions_stand_out(app):
    world = build_world()
    done = inspections.add_corrective_action({
        "finding_id": world.ids["finding_id"], "description": "Log the sharps pickups.",
        "due_on": "2025-09-10", "status": "done", "completed_on": "2025-09-09"}, ACTOR)
    response = signed_in_as(app, world, "officer_a").get(
        f"/clinics/{world.clinic_a.id}/inspections")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = re.findall(r"<tr( class=\"stands-out\")?>(.*?)</tr>", html, flags=re.S)
    by_text = {("Replace the container." in body, "Log the sharps pickups." in body): cls
               for cls, body in rows}
    assert by_text[(True, False)] and not by_text[(False, True)]
    page = text_of(response)
    assert "Sharps container over-full." in page and "overdue" in page
    assert "Record an inspection" not in page  # officers do not record inspections
    assert f'href="/clinics/{world.clinic_a.id}/actions/{done.id}"' in html


def test_the_officer_marks_an_action_done_with_a_reason(app):
    world = build_world()
    client = signed_in_as(app, world, "officer_a")
    url = f"/clinics/{world.clinic_a.id}/actions/{world.ids['action_id']}"
    html = client.get(url).get_data(as_text=True)
    for label in ("Status", "Completed on", "Reason for the change"):
        assert f">{label}</label>" in html
    response = client.submit(url, {"status": "done", "completed_on": "2025-09-12",
                                   "reason": "The container was replaced."})
    assert response.status_code == 302
    assert response.headers["Location"] == \
        f"/clinics/{world.clinic_a.id}/inspections/{world.ids['inspection_id']}"
    action = CorrectiveAction.get_by_id(world.ids["action_id"])
    assert (action.status, action.completed_on) == ("done", date(2025, 9, 12))
    event = AuditEvent.select().where((AuditEvent.entity == "corrective_action")
                                      & (AuditEvent.action == "update")).get()
    assert event.reason == "The container was replaced."
    assert "The corrective action is updated." in text_of(client.get(response.headers["Location"]))


def test_an_action_update_needs_a_reason_and_a_completion_date(app):
    world = build_world()
    client = signed_in_as(app, world, "inspector_a")
    url = f"/clinics/{world.clinic_a.id}/actions/{world.ids['action_id']}"
    response = client.submit(url, {"status": "done", "completed_on": "2025-09-12",
                                   "reason": ""})
    assert response.status_code == 422
    assert error_for(response, "reason") == "Say why the action changes."
    response = client.submit(url, {"status": "done", "completed_on": "", "reason": "Done."})
    assert response.status_code == 422
    assert error_for(response, "completed_on") == "A done action has a completion date."
    assert CorrectiveAction.get_by_id(world.ids["action_id"]).status == "open"


def test_a_form_without_its_csrf_token_changes_nothing(app):
    world = build_world()
    client = signed_in_as(app, world, "inspector_a")
    counts = Inspection.select().count(), Finding.select().count()
    response = client.post(f"/clinics/{world.clinic_a.id}/inspections/new",
                           data={"inspected_on": "2026-01-05", "kind": "routine"})
    assert response.status_code == 400
    response = client.post(finding_url(world), data={"description": "Dust."})
    assert response.status_code == 400
    response = client.post(f"/clinics/{world.clinic_a.id}/actions/{world.ids['action_id']}",
                           data={"status": "overdue_waived", "reason": "Waived."})
    assert response.status_code == 400
    assert (Inspection.select().count(), Finding.select().count()) == counts
    assert CorrectiveAction.get_by_id(world.ids["action_id"]).status == "open"


def test_an_officer_may_not_record_an_inspection(app):
    world = build_world()
    client = signed_in_as(app, world, "officer_a")
    url = f"/clinics/{world.clinic_a.id}/inspections/new"
    count = Inspection.select().count()
    assert client.get(url).status_code == 403
    token = client.csrf_token("/account/password")
    response = client.post(url, data={"csrf_token": token, "inspected_on": "2026-01-05"})
    assert response.status_code == 403
    assert client.get(f"/inspect/clinics/{world.clinic_a.id}").status_code == 403
    assert client.get("/inspect/").status_code == 403
    assert Inspection.select().count() == count


def test_an_inspector_of_another_state_finds_nothing(app):
    world = build_world()
    client = signed_in_as(app, world, "inspector_other")
    clinic = world.clinic_a.id
    for url in (f"/inspect/clinics/{clinic}", f"/clinics/{clinic}/inspections",
                f"/clinics/{clinic}/inspections/new",
                f"/clinics/{clinic}/inspections/{world.ids['inspection_id']}",
                finding_url(world), f"/clinics/{clinic}/actions/{world.ids['action_id']}"):
        assert client.get(url).status_code == 404, url
    token = client.csrf_token("/account/password")
    response = client.post(f"/clinics/{clinic}/actions/{world.ids['action_id']}",
                           data={"csrf_token": token, "status": "overdue_waived",
                                 "reason": "Waived."})
    assert response.status_code == 404
    assert CorrectiveAction.get_by_id(world.ids["action_id"]).status == "open"


def test_records_of_another_clinic_are_not_found_through_this_one(app):
    world = build_world()
    other = make_clinic(state="OR")
    visit = inspections.record_inspection({"clinic_id": other.id,
                                           "inspected_on": "2026-01-02"}, ACTOR)
    client = signed_in_as(app, world, "inspector_a")
    assert client.get(f"/clinics/{world.clinic_a.id}/inspections/{visit.id}").status_code == 404
    assert client.get(f"/clinics/{other.id}/actions/{world.ids['action_id']}").status_code \
        == 404


def test_only_an_inspector_waives_a_corrective_action(app):
    world = build_world()
    url = f"/clinics/{world.clinic_a.id}/actions/{world.ids['action_id']}"
    officer = signed_in_as(app, world, "officer_a")
    assert 'value="overdue_waived"' not in officer.get(url).get_data(as_text=True)
    response = officer.submit(url, {"status": "overdue_waived", "reason": "We say so."})
    assert response.status_code == 422
    assert CorrectiveAction.get_by_id(world.ids["action_id"]).status == "open"
    inspector = signed_in_as(app, world, "inspector_a")
    response = inspector.submit(url, {"status": "overdue_waived", "reason": "Fixed on site."})
    assert response.status_code == 302
    assert CorrectiveAction.get_by_id(world.ids["action_id"]).status == "overdue_waived"
