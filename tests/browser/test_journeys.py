"""What officers, inspectors and administrators do in a real browser, start to finish."""

import re
from datetime import timedelta

import pytest
from pypdf import PdfReader

from registry.clock import today
from registry.models import PigmentLot
from registry.services import accounts, pigments, practitioners, procedures, reactions, recalls
from tests.api_world import PASSWORD
from tests.browser.a11y import assert_accessible
from tests.browser.screenshots import screenshot
from tests.factories import (
    ACTOR,
    hold_lot,
    make_client,
    make_clinic,
    make_lot,
    make_practitioner,
    make_product,
)


def user(email: str, name: str, **role) -> None:
    person = accounts.create_user({"email": email, "display_name": name}, ACTOR,
                                  password=PASSWORD)
    accounts.grant_role({"user_id": person.id, **role}, ACTOR)
    return person


def field(scope, label: str):
    """The input labelled exactly so, within a page or a part of it."""
    return scope.get_by_label(label, exact=True)


def choose(select, text: str) -> None:
    """Pick the option of a select whose label contains the text."""
    select.select_option(select.locator("option", has_text=text).first.get_attribute("value"))


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    assert_accessible(page)
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@pytest.fixture
def officer_clinic(app):
    """An Oregon clinic with a credentialed practitioner, a client, a product in the catalogue
    and a lot that has been recalled."""
    clinic = make_clinic(state="OR", name="Willamette Scalp Studio")
    practitioner = make_practitioner(clinic)
    client = make_client(clinic, reference="CL-0042")
    product = make_product(name="Midnight Black")
    recalled = make_lot(clinic, lot_number="RECALLED-7", received_on=today() - timedelta(days=90))
    hold_lot(recalled, today() - timedelta(days=10), recall_number="C-0123-2026")
    user("officer@clinic.test", "Olive Officer", role="officer", clinic_id=clinic.id)
    return {"clinic": clinic, "practitioner": practitioner, "client": client,
            "product": product}


def test_an_officer_keeps_the_clinic_in_order(live_server, new_page, officer_clinic):
    base, clinic = live_server, officer_clinic["clinic"]
    page = new_page()
    sign_in(page, base, "officer@clinic.test")
    page.get_by_role("heading", name=re.compile("dashboard")).wait_for()
    assert_accessible(page)
    screenshot(page, "officer-dashboard")

    # Receive a lot.
    page.get_by_role("navigation", name="Clinic").get_by_role("link", name="Pigment lots").click()
    page.get_by_role("link", name="Receive a lot").click()
    assert_accessible(page)
    choose(field(page, "Pigment product"), "Midnight Black")
    field(page, "Lot number").fill("MB-2026-11")
    field(page, "Received on").fill(today().isoformat())
    field(page, "Expires on").fill((today() + timedelta(days=700)).isoformat())
    page.get_by_role("button", name="Receive lot").click()
    page.get_by_role("cell", name="MB-2026-11", exact=True).wait_for()
    assert_accessible(page)
    screenshot(page, "officer-lots")

    # Record a procedure with that lot.
    page.get_by_role("navigation", name="Clinic").get_by_role("link", name="Procedures").click()
    page.get_by_role("link", name="Record a procedure").click()
    assert_accessible(page)
    _fill_procedure(page, officer_clinic, "MB-2026-11")
    page.get_by_role("button", name="Record the procedure").click()
    page.get_by_text("is recorded", exact=False).first.wait_for()
    assert page.locator("main").get_by_text("MB-2026-11").count() >= 1

    # Refused with the recalled lot: the reason sits next to the lots.
    page.get_by_role("link", name="Record a procedure").click()
    _fill_procedure(page, officer_clinic, "RECALLED-7")
    page.get_by_role("button", name="Record the procedure").click()
    error = page.locator("#lot_ids-error")
    error.wait_for()
    assert "RECALLED-7" in error.inner_text() and "recalled" in error.inner_text()
    assert_accessible(page)
    screenshot(page, "officer-procedure-refused")

    # Report a serious reaction learned of five weeks ago, not yet reported to FDA.
    page.get_by_role("navigation", name="Clinic").get_by_role(
        "link", name="Adverse reactions").click()
    page.get_by_role("link", name="Report an adverse reaction").click()
    assert_accessible(page)
    choose(field(page, "Client"), "CL-0042")
    field(page, "Date of the reaction").fill((today() - timedelta(days=36)).isoformat())
    field(page, "Date the clinic learned of it").fill(
        (today() - timedelta(days=35)).isoformat())
    field(page, "What happened").fill("Swelling and pustules at the hairline.")
    field(page, "An infection").check()
    page.get_by_role("button", name="Save the report").click()
    page.get_by_text("overdue", exact=False).first.wait_for()
    assert_accessible(page)
    screenshot(page, "officer-reaction")

    # The checklist fails the federal reporting rule, with its citation.
    page.get_by_role("navigation", name="Clinic").get_by_role("link", name="Checklist").click()
    item = page.locator("article.item-fail", has_text="reported to FDA within 15 business days")
    item.first.wait_for()
    assert "21 U.S.C. 364a" in item.first.inner_text()
    assert_accessible(page)
    screenshot(page, "officer-checklist")

    # The audit report downloads as a PDF naming the clinic.
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download the audit report")).click()
    path = download.value.path()
    reader = PdfReader(path)
    assert "Willamette Scalp Studio" in reader.pages[0].extract_text()
    assert clinic.id


def _fill_procedure(page, world, lot_number):
    person = world["practitioner"]
    choose(field(page, "Practitioner"), f"{person.last_name}, {person.first_name}")
    choose(field(page, "Client"), "CL-0042")
    field(page, "Performed on").fill(today().isoformat())
    field(page, "Body area").fill("Scalp, crown")
    field(page, "Consent form on file").check()
    page.get_by_label(re.compile(f"lot {lot_number}")).check()


@pytest.fixture
def inspected_clinics(app):
    """Two Oregon clinics, one failing (an expired practitioner licence, no establishment
    licence) and one passing, and a clinic in Washington."""
    failing = make_clinic(state="OR", name="Rose City Ink")
    person = make_practitioner(failing, credentialed=False)
    practitioners.add_credential({
        "practitioner_id": person.id, "kind": "practitioner_license", "issuer": "Oregon HLO",
        "state": "OR", "issued_on": "2020-01-01", "expires_on": "2021-01-01"}, ACTOR)
    passing = make_clinic(state="OR", name="Cascade Brows")
    practitioners.add_credential({
        "clinic_id": passing.id, "kind": "establishment_license", "issuer": "Oregon HLO",
        "state": "OR", "issued_on": "2020-01-01", "expires_on": "2030-12-31"}, ACTOR)
    elsewhere = make_clinic(state="WA", name="Puget Pigments")
    user("inspector@state.test", "Ivy Inspector", role="inspector", jurisdiction="OR")
    return {"failing": failing, "passing": passing, "elsewhere": elsewhere}


def test_an_inspector_works_through_the_jurisdiction(live_server, new_page, inspected_clinics):
    base = live_server
    page = new_page()
    sign_in(page, base, "inspector@state.test")
    page.get_by_role("heading", name="Clinics to inspect").wait_for()
    main = page.locator("main")
    assert main.get_by_text("Rose City Ink").count() and main.get_by_text("Cascade Brows").count()
    assert main.get_by_text("Puget Pigments").count() == 0
    assert_accessible(page)

    field(page, "Failing only").check()
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    assert main.get_by_text("Rose City Ink").count() == 1
    assert main.get_by_text("Cascade Brows").count() == 0
    screenshot(page, "inspector-worklist")

    main.get_by_role("link", name="Rose City Ink").first.click()
    field(page, "As of").fill("2020-06-30")
    page.get_by_role("button", name="Show").click()
    page.get_by_text("2020-06-30").first.wait_for()
    assert_accessible(page)
    screenshot(page, "inspector-clinic-as-of")

    page.get_by_role("link", name="Record an inspection").click()
    field(page, "Inspected on").fill(today().isoformat())
    page.get_by_role("button", name="Record the inspection").click()
    page.get_by_role("link", name=re.compile("Add a finding")).click()
    assert_accessible(page)
    field(page, "Requirement").select_option(index=1)
    field(page, "What was found").fill("Licence on the wall expired in 2021.")
    field(page, "Corrective action").fill("Renew the licence and post it.")
    field(page, "Due by").fill((today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Add the finding").click()
    page.get_by_text("Renew the licence and post it.").wait_for()
    assert page.get_by_text("Licence on the wall expired in 2021.").count()
    assert_accessible(page)
    screenshot(page, "inspector-inspection")


def test_a_disabled_user_is_signed_out(live_server, new_page, app):
    clinic = make_clinic(state="OR", name="Harbor Micropigmentation")
    user("admin@registry.test", "Ada Admin", role="administrator")
    officer = user("leaving@clinic.test", "Leo Leaving", role="officer", clinic_id=clinic.id)
    officer_page, admin_page = new_page(), new_page()
    sign_in(officer_page, live_server, "leaving@clinic.test")
    officer_page.get_by_role("heading", name=re.compile("dashboard")).wait_for()

    sign_in(admin_page, live_server, "admin@registry.test")
    admin_page.get_by_role("heading", name="Users").wait_for()
    assert_accessible(admin_page)
    admin_page.get_by_role("link", name=re.compile("Leo Leaving")).click()
    disable = admin_page.locator(
        "form", has=admin_page.get_by_role("button", name="Disable account"))
    field(disable, "Reason").fill("Left the clinic.")
    disable.get_by_role("button", name="Disable account").click()
    admin_page.get_by_text("disabled", exact=False).first.wait_for()
    screenshot(admin_page, "admin-user-disabled")

    officer_page.reload()
    officer_page.get_by_role("heading", name="Sign in").wait_for()
    assert "/sign-in" in officer_page.url
    assert officer.id


def test_a_form_is_completed_with_the_keyboard_alone(live_server, new_page, officer_clinic):
    page = new_page()
    page.goto(f"{live_server}/sign-in")
    _tab_to(page, "email")
    page.keyboard.type("officer@clinic.test")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=re.compile("dashboard")).wait_for()

    page.goto(f"{live_server}/clinics/{officer_clinic['clinic'].id}/clients/new")
    _tab_to(page, "reference")
    page.keyboard.type("CL-KEYS")
    page.keyboard.press("Enter")
    page.get_by_text("CL-KEYS").first.wait_for()


def _tab_to(page, element_id: str, limit: int = 40) -> None:
    """Press Tab until the element has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} never received the focus")


def test_an_inspector_sees_a_signal_and_its_chart(live_server, new_page, app):
    clinic = make_clinic(state="OR", name="Signal Brows")
    person = make_practitioner(clinic)
    maker = pigments.create_manufacturer({"name": "Rosewood Labs"}, ACTOR)
    rosewood = pigments.create_product({"manufacturer_id": maker.id, "brand": "Meridian",
                                        "name": "Lip Rosewood", "shade": "Rosewood"}, ACTOR)
    suspect, other = make_lot(clinic, rosewood), make_lot(clinic, make_product(name="Onyx"))
    for index, lot in enumerate([suspect] * 6 + [other] * 20):
        client = make_client(clinic)
        procedure = procedures.record_procedure({
            "clinic_id": clinic.id, "practitioner_id": person.id, "client_id": client.id,
            "performed_on": "2025-01-06", "body_area": "lips", "consent_on_file": True,
            "lot_ids": [lot.id]}, ACTOR)
        if index < 4 or index == 6:
            reactions.report_reaction({
                "clinic_id": clinic.id, "client_id": client.id, "procedure_id": procedure.id,
                "event_on": f"2025-0{1 + index % 3}-20", "aware_on": f"2025-0{1 + index % 3}-21",
                "description": "Itchy swelling along the lip line.", "lot_ids": [lot.id]}, ACTOR)
    user("signals@state.test", "Sam Signals", role="inspector", jurisdiction="WA")
    page = new_page()
    problems = []  # a refused image, style or script shows here (the missing favicon does not)
    page.on("console", lambda message: problems.append(message.text)
            if message.type in ("error", "warning")
            and not message.location.get("url", "").endswith("/favicon.ico") else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, live_server, "signals@state.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Signals").click()
    page.get_by_role("heading", name="Signals", exact=True).wait_for()
    row = page.get_by_role("row", name=re.compile("Meridian Lip Rosewood"))
    assert "Signal" in row.inner_text()
    assert_accessible(page)
    screenshot(page, "signals")

    row.get_by_role("link", name=re.compile("Meridian Lip Rosewood")).click()
    chart = page.get_by_role("img", name=re.compile("reactions to Meridian Lip Rosewood"))
    chart.wait_for()
    page.wait_for_load_state("load")
    assert chart.evaluate("image => image.complete && image.naturalWidth") > 0
    assert_accessible(page)
    screenshot(page, "signals-product")
    assert problems == []


def test_an_officer_releases_a_recall_hold_only_with_evidence(live_server, new_page, app):
    """Recall arrives, the lot is held, opening it is refused naming the recall, and once the
    recall is terminated the officer releases the hold with the evidence."""
    clinic = make_clinic(state="OR", name="Cascade Brows")
    lot = make_lot(clinic, lot_number="HB-301", received_on=today() - timedelta(days=60))
    user("holds@clinic.test", "Hana Holds", role="officer", clinic_id=clinic.id)
    recall = recalls.create_recall({
        "recall_number": "F-0321-2026", "recalling_firm": "Test Inks LLC",
        "product_description": "Tattoo ink", "status": "Ongoing",
        "recall_initiation_date": (today() - timedelta(days=20)).isoformat()}, ACTOR)
    recalls.record_match(recall, lot, "lot code", "HB-301", ACTOR)

    page = new_page()
    sign_in(page, live_server, "holds@clinic.test")
    page.get_by_role("navigation", name="Clinic").get_by_role("link", name="Pigment lots").click()
    row = page.get_by_role("row", name=re.compile("HB-301"))
    assert "recalled" in row.inner_text()
    assert row.get_by_role("button", name=re.compile("Mark opened")).count() == 0
    row.get_by_role("link", name="HB-301", exact=True).click()
    page.get_by_role("heading", name="Holds").wait_for()
    assert_accessible(page)
    assert "F-0321-2026" in page.locator("main").inner_text()
    screenshot(page, "officer-lot-held")

    # A step the page does not offer is refused all the same, naming the recall.
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    refused = page.request.post(f"{live_server}/clinics/{clinic.id}/lots/{lot.id}/open",
                                form={"csrf_token": token}, max_redirects=0)
    assert refused.status == 302
    page.goto(f"{live_server}/clinics/{clinic.id}/lots/{lot.id}")
    assert "was not marked opened" in page.locator("main").inner_text()
    assert "F-0321-2026" in page.locator("main").inner_text()

    # FDA terminates the recall; the officer releases the hold with the evidence.
    page.get_by_role("link", name=re.compile("Release the hold")).click()
    assert_accessible(page)
    choose(field(page, "Grounds"), "The recall was terminated")
    field(page, "Evidence").fill("FDA enforcement report shows F-0321-2026 terminated.")
    page.get_by_role("button", name="Release hold").click()
    field(page, "Reason").wait_for()
    assert "Say why the lot may be used" in page.locator("main").inner_text()
    field(page, "Reason").fill("Recall terminated; the lot is usable again.")
    page.get_by_role("button", name="Release hold").click()
    page.get_by_text("is released", exact=False).first.wait_for()
    holds_part = page.locator("section", has=page.get_by_role("heading", name="Holds"))
    assert "Recall terminated; the lot is usable again." in holds_part.inner_text()
    assert "holds@clinic.test" in holds_part.inner_text()
    assert_accessible(page)
    screenshot(page, "officer-hold-released")
    assert PigmentLot.get_by_id(lot.id).status == "received"


def test_an_officer_confirms_one_possible_recall_match_and_dismisses_another(live_server,
                                                                            new_page, app):
    clinic = make_clinic(state="OR", name="Harbor Hairline")
    user("reviews@clinic.test", "Rita Reviews", role="officer", clinic_id=clinic.id)
    maker = pigments.create_manufacturer({"name": "Vivid Pigments LLC"}, ACTOR)
    lots = {name: make_lot(clinic, pigments.create_product(
        {"manufacturer_id": maker.id, "brand": "Vivid", "name": name}, ACTOR),
        lot_number=number) for name, number in (("Onyx Black", "VB-1"), ("Rose Pink", "VR-1"))}
    recalls.create_recall({
        "recall_number": "F-0777-2026", "recalling_firm": "Vivid Pigments LLC",
        "product_description": "Vivid brand tattoo inks, all colours", "code_info": "All lots",
        "recall_initiation_date": (today() - timedelta(days=12)).isoformat()}, ACTOR)
    recalls.match_all(ACTOR)

    page = new_page()
    sign_in(page, live_server, "reviews@clinic.test")
    main = page.locator("main")
    assert "Possible recall matches to review" in main.inner_text()
    page.get_by_role("link", name="Review the possible matches").click()
    page.get_by_role("heading", name="Possible recall matches").wait_for()
    assert_accessible(page)
    screenshot(page, "officer-recall-reviews")

    page.get_by_role("link", name="Confirm recall F-0777-2026 for lot VB-1").click()
    assert_accessible(page)
    field(page, "Note").fill("The bottle is Vivid Onyx Black from the recalled range.")
    page.get_by_role("button", name="Confirm: this lot is recalled").click()
    page.get_by_text("is matched to recall F-0777-2026 and held", exact=False).wait_for()

    page.get_by_role("link", name="Dismiss recall F-0777-2026 for lot VR-1").click()
    page.get_by_role("button", name="Dismiss: not this lot").click()
    page.locator("#reason-error").wait_for()
    field(page, "Why this lot is not affected").fill(
        "Rose Pink came from a shipment the manufacturer confirms is not recalled.")
    page.get_by_role("button", name="Dismiss: not this lot").click()
    page.get_by_text("is dismissed", exact=False).wait_for()
    table = main.inner_text()
    assert "Confirmed by reviews@clinic.test" in table
    assert "Dismissed by reviews@clinic.test" in table
    assert_accessible(page)
    screenshot(page, "officer-recall-reviews-decided")
    assert PigmentLot.get_by_id(lots["Onyx Black"].id).status == "recalled"
    assert PigmentLot.get_by_id(lots["Rose Pink"].id).status == "received"
