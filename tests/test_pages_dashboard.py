"""The officer's dashboard, the clinic profile, the checklist page and the report download."""

from datetime import timedelta

from registry.clock import today
from registry.models import AuditEvent, Clinic, IssuedReport
from registry.services import inspections, practitioners, reactions, recalls
from tests.api_world import build_world
from tests.factories import ACTOR, hold_lot, make_client, make_clinic, make_lot
from tests.pages import error_for, page_client, sign_in, text_of


def officer(app, world):
    client = page_client(app)
    sign_in(client, world.users["officer_a"].email)
    return client


def test_the_dashboard_shows_what_needs_attention(app):
    world = build_world()
    clinic, day = world.clinic_a, today()
    practitioners.add_credential({
        "practitioner_id": world.ids["practitioner_id"], "kind": "first_aid_cpr",
        "issuer": "Red Cross", "issued_on": "2020-01-01",
        "expires_on": (day + timedelta(days=20)).isoformat()}, ACTOR)
    make_lot(clinic, received_on=day - timedelta(days=400), expires_in_days=445,
             lot_number="SOON-45")
    held = make_lot(clinic, lot_number="HELD-1")
    hold_lot(held, day, kind="quarantine", reason="Cloudy")
    recall = recalls.create_recall({"recall_number": "C-0999-2026", "recalling_firm": "Maker",
                                    "product_description": "Ink"}, ACTOR)
    recalls.match_lot(recall, held, "lot_number", "HELD-1", ACTOR)
    inspections.add_corrective_action({"finding_id": world.ids["finding_id"],
                                       "description": "Label the sharps bin.",
                                       "due_on": "2026-01-10"}, ACTOR)

    response = officer(app, world).get(f"/clinics/{clinic.id}/")
    assert response.status_code == 200
    page = text_of(response)
    within_30 = page.split("Within 30 days")[1].split("Within 60 days")[0]
    assert "first aid and cpr" in within_30.lower() or "first aid cpr" in within_30.lower()
    within_60 = page.split("Within 60 days")[1].split("Within 90 days")[0]
    assert "Lot SOON-45" in within_60
    set_aside = page.split("Recalled or quarantined lots on hand")[1].split("Recent recall")[0]
    assert "HELD-1" in set_aside and "quarantined" in set_aside
    assert "C-0999-2026" in page.split("Recent recall matches")[1]
    assert "Label the sharps bin." in page.split("Open corrective actions")[1]
    assert "Replace the container." in page  # the world's own open action
    for status in ("pass", "fail", "warning", "needs evidence", "not applicable"):
        assert status in page.split("Checklist items by status")[1]


def test_the_dashboard_shows_the_viewers_own_reminders_only(app):
    world = build_world()
    page = text_of(officer(app, world).get(f"/clinics/{world.clinic_a.id}/"))
    assert "Practitioner licence expires in 30 days" in page
    inspector = page_client(app)
    sign_in(inspector, world.users["inspector_a"].email)
    assert "Practitioner licence expires in 30 days" not in text_of(
        inspector.get(f"/clinics/{world.clinic_a.id}/"))


def test_the_profile_is_changed_with_a_reason(app):
    world = build_world()
    client = officer(app, world)
    url = f"/clinics/{world.clinic_a.id}/profile"
    response = client.submit(url, {"name": "Cascade Ink", "city": "Bend",
                                   "disciplines": ["smp", "pmu"], "reason": "Moved"})
    assert response.status_code == 302
    clinic = Clinic.get_by_id(world.clinic_a.id)
    assert (clinic.name, clinic.city, clinic.disciplines) == ("Cascade Ink", "Bend", "smp,pmu")
    assert "The clinic profile is saved." in text_of(client.get(url))


def test_a_refused_profile_change_says_why_and_changes_nothing(app):
    world = build_world()
    client = officer(app, world)
    url = f"/clinics/{world.clinic_a.id}/profile"
    events = AuditEvent.select().count()
    response = client.submit(url, {"name": "", "disciplines": [], "reason": ""})
    assert response.status_code == 422
    assert error_for(response, "name") == "Enter the clinic's name."
    assert error_for(response, "reason") == "Say why the profile changes."
    response = client.submit(url, {"name": "X", "disciplines": [], "reason": "no services"})
    assert response.status_code == 422
    assert "Each discipline is one of" in error_for(response, "disciplines")
    assert Clinic.get_by_id(world.clinic_a.id).name == world.clinic_a.name
    assert AuditEvent.select().count() == events


def test_an_inspector_reads_the_profile_but_cannot_change_it(app):
    world = build_world()
    client = page_client(app)
    sign_in(client, world.users["inspector_a"].email)
    url = f"/clinics/{world.clinic_a.id}/profile"
    assert 'name="reason"' not in client.get(url).get_data(as_text=True)
    assert client.submit(url, {"name": "Taken", "reason": "x"}).status_code == 403
    assert Clinic.get_by_id(world.clinic_a.id).name == world.clinic_a.name


def test_the_checklist_shows_each_item_with_its_citation_and_fix(app):
    world = build_world()
    response = officer(app, world).get(f"/clinics/{world.clinic_a.id}/checklist?status=fail")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = text_of(response)
    assert "checklist as of" in page
    assert "How to fix:" in page
    assert 'href="https://' in html
    assert "status-pass" not in html


def test_the_checklist_as_of_a_past_date(app):
    world = build_world()
    client = officer(app, world)
    response = client.get(f"/clinics/{world.clinic_a.id}/checklist?as_of=2019-06-30")
    assert response.status_code == 200
    assert "checklist as of 2019-06-30" in text_of(response)
    report = f'href="/clinics/{world.clinic_a.id}/audit-report?as_of=2019-06-30"'
    assert report in response.get_data(as_text=True)


def test_a_bad_date_on_the_checklist_is_shown_next_to_the_field(app):
    world = build_world()
    response = officer(app, world).get(f"/clinics/{world.clinic_a.id}/checklist?as_of=31/12/2025")
    assert response.status_code == 422
    assert error_for(response, "as_of") == "Not a valid date value."


def test_the_audit_report_downloads_from_the_pages(app):
    world = build_world()
    client = officer(app, world)
    response = client.get(f"/clinics/{world.clinic_a.id}/audit-report?as_of=2025-12-31")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["X-Verification-Code"]
    response.close()
    assert IssuedReport.select().count() == 1


def test_the_audit_report_goes_to_officers_and_inspectors_only(app):
    world = build_world()
    other = make_clinic(state="OR")
    admin = page_client(app)
    sign_in(admin, world.users["admin"].email)
    assert admin.get(f"/clinics/{world.clinic_a.id}/audit-report").status_code == 403
    client = officer(app, world)
    assert client.get(f"/clinics/{other.id}/audit-report").status_code == 404
    assert client.get(f"/clinics/{world.clinic_b.id}/audit-report").status_code == 404
    assert IssuedReport.select().count() == 0


def test_no_audit_report_is_issued_for_a_day_still_to_come(app):
    world = build_world()
    client = officer(app, world)
    later = (today() + timedelta(days=1)).isoformat()
    assert client.get(f"/clinics/{world.clinic_a.id}/audit-report?as_of={later}") \
        .status_code == 400
    assert IssuedReport.select().count() == 0


def test_the_dashboard_offers_the_report_only_to_those_who_may_download_it(app):
    world = build_world()
    admin = page_client(app)
    sign_in(admin, world.users["admin"].email)
    assert "Download the audit report" not in text_of(admin.get(f"/clinics/{world.clinic_a.id}/"))
    assert "Download the audit report" in text_of(
        officer(app, world).get(f"/clinics/{world.clinic_a.id}/"))


def test_the_dashboard_lists_serious_reactions_awaiting_a_report_to_fda(app):
    world = build_world()
    clinic = world.clinic_a

    def serious(**fields):
        return reactions.report_reaction({
            "clinic_id": clinic.id, "client_id": make_client(clinic).id,
            "event_on": "2025-11-25", "aware_on": "2025-11-26", "description": "Swelling.",
            "outcome_infection": True, **fields}, ACTOR)

    overdue = serious()
    reported = serious(reported_to_fda_on="2025-12-18")
    response = officer(app, world).get(f"/clinics/{clinic.id}/")
    section = text_of(response).split("Serious reactions awaiting a report to FDA")[1] \
        .split("Recalled or quarantined lots on hand")[0]
    # Learned of on 26 November 2025: due 15 business days later, Thanksgiving skipped.
    assert f"Reaction {overdue.id} of 2025-11-25" in section and "2025-12-18" in section
    assert "overdue" in section and "Overdue by " in section
    assert f"Reaction {reported.id} " not in section
    assert f'href="/clinics/{clinic.id}/reactions/{overdue.id}"' in response.get_data(
        as_text=True)
    other = page_client(app)
    sign_in(other, world.users["officer_b"].email)
    elsewhere = text_of(other.get(f"/clinics/{world.clinic_b.id}/"))
    assert "None." in elsewhere.split("Serious reactions awaiting a report to FDA")[1] \
        .split("Recalled or quarantined lots on hand")[0]
