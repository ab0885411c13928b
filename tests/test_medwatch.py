"""Adverse reactions laid out like FDA MedWatch Form 3500: the JSON, the PDF, who gets them."""

import io
import json
import logging
from datetime import date

import pypdf
import pytest

from registry.clock import today
from registry.models import AdverseReaction
from registry.reports import medwatch, render
from registry.services import clinics, pigments, procedures, reactions
from tests.api_world import build_world, client_for
from tests.factories import ACTOR, make_client, make_product
from tests.pages import page_client, sign_in, text_of

DESCRIPTION = "Pustules <b>along</b> the brow line & swelling."
OTHER_DESCRIPTION = "Itching on the forearm of someone else."


@pytest.fixture
def world(app):
    """Clinic A with a serious reaction to two suspect lots, one of them used in the linked
    procedure, and another client's reaction at the same clinic."""
    world = build_world()
    clinic = world.clinic_a
    clinics.update_clinic(clinic, {"address": "12 Alder St", "city": "Portland",
                                   "county": "Multnomah"}, ACTOR, reason="address")
    maker = pigments.create_manufacturer(
        {"name": "Acme Pigments", "address": "1 Ink Way, Austin TX", "country": "US"}, ACTOR)
    product = pigments.create_product(
        {"manufacturer_id": maker.id, "brand": "Acme", "name": "Brow Pigment",
         "shade": "Dark Brown", "sku": "AC-DB-15"}, ACTOR)
    used = pigments.receive_lot({
        "product_id": product.id, "clinic_id": clinic.id, "lot_number": "DB-2025-07",
        "received_on": date(2025, 1, 10), "expires_on": date(2027, 1, 31)}, ACTOR)
    named = pigments.receive_lot({
        "product_id": make_product("Second Ink").id, "clinic_id": clinic.id,
        "lot_number": "SI-0042", "received_on": date(2025, 1, 10)}, ACTOR)
    client = make_client(clinic, initials="JQ", birth_date=date(1984, 3, 2), sex="female")
    procedure = procedures.record_procedure({
        "clinic_id": clinic.id, "practitioner_id": world.ids["practitioner_id"],
        "client_id": client.id, "performed_on": date(2025, 9, 2), "discipline": "pmu",
        "body_area": "eyebrows", "lot_ids": [used.id]}, ACTOR)
    # Learned of on Friday 5 September 2025: 15 business days later, over three weekends, is
    # Friday 26 September.
    reaction = reactions.report_reaction({
        "clinic_id": clinic.id, "client_id": client.id, "procedure_id": procedure.id,
        "patient_age": 41, "patient_sex": "female",
        "event_on": date(2025, 9, 4), "aware_on": date(2025, 9, 5),
        "description": DESCRIPTION, "body_site": "both eyebrows",
        "relevant_tests": "Swab culture 2025-09-06: Staphylococcus aureus.",
        "relevant_history": "No known allergies.", "outcome_infection": True,
        "outcome_hospitalization": True, "product_available": False,
        "reported_to_manufacturer_on": date(2025, 9, 8),
        "lot_ids": [used.id, named.id]}, ACTOR)
    other = make_client(clinic)
    reactions.report_reaction({
        "clinic_id": clinic.id, "client_id": other.id, "event_on": date(2025, 9, 1),
        "aware_on": date(2025, 9, 1), "description": OTHER_DESCRIPTION,
        "outcome_death": True, "death_on": date(2025, 9, 3), "lot_ids": [named.id]}, ACTOR)
    world.ids.update(serious_id=reaction.id, other_reference=other.reference,
                     reference=client.reference)
    return world


def pdf_url(world, reaction_id=None, clinic_id=None):
    return (f"/clinics/{clinic_id or world.clinic_a.id}/reactions/"
            f"{reaction_id or world.ids['serious_id']}/medwatch.pdf")


def json_url(world, reaction_id=None, clinic_id=None):
    return pdf_url(world, reaction_id, clinic_id).removesuffix(".pdf") + ".json"


def api_url(world, reaction_id=None):
    return f"/api/v1/adverse-reactions/{reaction_id or world.ids['serious_id']}/medwatch"


def signed_in(app, world, who="officer_a"):
    client = page_client(app)
    sign_in(client, world.users[who].email)
    return client


def test_the_form_carries_this_reaction_in_the_forms_sections(world):
    form = medwatch.medwatch_form(AdverseReaction.get_by_id(world.ids["serious_id"]))
    assert form["form"] == "FDA 3500 (voluntary)"
    assert form["form_instructions"] == medwatch.FORM_INSTRUCTIONS
    assert form["submit_to"] == {"online": "www.fda.gov/medwatch", "fax": "1-800-332-0178",
                                 "phone": "1-800-FDA-1088"}
    assert "left blank" in form["note"]
    assert form["A"] == {"patient_identifier": world.ids["reference"], "in_confidence": True,
                         "age": 41, "age_unit": "years", "sex": "Female", "weight": None,
                         "weight_unit": None}
    event = form["B"]
    assert event["type_of_report"] == ["adverse event"]
    assert event["outcomes"] == {
        "death": False, "death_date": None, "life_threatening": False,
        "hospitalization": True, "disability": False, "congenital_anomaly": False,
        "required_intervention": False, "other_serious": True,
        "other_serious_detail": ["infection"]}
    assert event["event_date"] == "2025-09-04"
    assert event["report_date"] == today().isoformat()
    assert event["description"] == DESCRIPTION
    assert event["relevant_tests"].startswith("Swab culture")
    assert event["relevant_history"] == "No known allergies."
    assert form["C"] == {"product_available": "no"}
    first, second = form["D"]["products"]
    assert first == {
        "number": 1, "name": "Brow Pigment", "brand": "Acme", "shade": "Dark Brown",
        "manufacturer": "Acme Pigments", "manufacturer_address": "1 Ink Way, Austin TX",
        "manufacturer_country": "US", "lot_number": "DB-2025-07",
        "expiration_date": "2027-01-31", "unique_id": "AC-DB-15", "use_from": "2025-09-02",
        "use_to": "2025-09-02", "route": "topical/intradermal (tattoo)",
        "body_site": "both eyebrows", "reason_for_use": "permanent makeup"}
    # Named as a suspect but not recorded on the procedure: no date of use is claimed.
    assert second["lot_number"] == "SI-0042"
    assert second["use_from"] is None and second["expiration_date"] is None
    assert form["E"] is None and form["F"] == {"products": []}
    assert form["G"]["name"] == world.clinic_a.name
    assert form["G"]["address"] == "12 Alder St" and form["G"]["state"] == "OR"
    assert form["G"]["occupation"] == "tattoo/permanent-makeup clinic"
    assert form["G"]["phone"] is None and form["G"]["email"] is None
    assert form["G"]["also_reported_to"] == {"manufacturer_on": "2025-09-08", "fda_on": None,
                                             "fda_report_number": None, "state_on": None}
    seriousness = form["seriousness"]
    assert seriousness["serious"] and seriousness["classification"] == "serious"
    assert seriousness["reasons"] == ["inpatient hospitalization", "infection"]
    assert seriousness["aware_on"] == "2025-09-05"
    assert seriousness["report_due_on"] == "2025-09-26"
    assert "MoCRA" in seriousness["basis"]
    whole = json.dumps(form)
    assert world.ids["other_reference"] not in whole and OTHER_DESCRIPTION not in whole
    assert "JQ" not in whole and "1984" not in whole


def test_a_reaction_that_is_not_serious_has_no_deadline(world):
    form = medwatch.medwatch_form(AdverseReaction.get_by_id(world.ids["reaction_id"]))
    assert form["seriousness"]["classification"] == "not serious"
    assert form["seriousness"]["reasons"] == [] and form["seriousness"]["report_due_on"] is None
    assert form["B"]["outcomes"]["other_serious"] is False
    assert form["C"] == {"product_available": None}
    assert [p["use_from"] for p in form["D"]["products"]] == ["2025-06-01"]
    assert form["A"]["age"] is None and form["A"]["sex"] is None


def test_user_text_is_escaped_in_the_pdf_html(app, world):
    form = medwatch.medwatch_form(AdverseReaction.get_by_id(world.ids["serious_id"]))
    with app.test_request_context():
        html = medwatch.medwatch_html(form)
    assert "Pustules &lt;b&gt;along&lt;/b&gt; the brow line &amp; swelling." in html
    assert "<b>along</b>" not in html


def test_the_pdf_downloads_with_the_json_attached(app, world):
    client = signed_in(app, world)
    response = client.get(pdf_url(world))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store, private"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = response.get_data()
    assert data.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages).replace("\n", " ")
    for wanted in ("Pustules <b>along</b> the brow line", "DB-2025-07", "SI-0042",
                   "Acme Pigments", "2025-09-26", "www.fda.gov/medwatch",
                   medwatch.FORM_INSTRUCTIONS.removesuffix("-fda-3500")):
        assert wanted in text, wanted
    assert OTHER_DESCRIPTION not in text
    attached = json.loads(reader.attachments[medwatch.ATTACHMENT][0])
    downloaded = client.get(json_url(world))
    assert downloaded.status_code == 200
    assert downloaded.mimetype == "application/json"
    assert downloaded.headers["Cache-Control"] == "no-store, private"
    assert downloaded.headers["Content-Disposition"].startswith("attachment;")
    assert attached == json.loads(downloaded.get_data())


def test_the_api_answers_with_the_json_and_the_pdf(app, world):
    client = client_for(app, world, "officer_a")
    response = client.get(api_url(world))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store, private"
    body = response.get_json()
    assert body == medwatch.medwatch_form(AdverseReaction.get_by_id(world.ids["serious_id"]))
    pdf = client.get(api_url(world) + ".pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.get_data().startswith(b"%PDF")
    assert pdf.headers["Cache-Control"] == "no-store, private"


def test_the_openapi_document_describes_the_form(app, world):
    spec = client_for(app, world, "officer_a").get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/adverse-reactions/{reaction_id}/medwatch"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/MedWatch"}
    shape = spec["components"]["schemas"]["MedWatch"]["properties"]
    assert {"A", "B", "C", "D", "E", "F", "G", "seriousness", "submit_to"} <= set(shape)
    pdf = spec["paths"]["/api/v1/adverse-reactions/{reaction_id}/medwatch.pdf"]["get"]
    assert "application/pdf" in pdf["responses"]["200"]["content"]


@pytest.mark.parametrize("who", ["officer_b", "inspector_other"])
def test_readers_of_another_clinic_get_not_found(app, world, who):
    pages = signed_in(app, world, who)
    assert pages.get(pdf_url(world)).status_code == 404
    assert pages.get(json_url(world)).status_code == 404
    api = client_for(app, world, who)
    assert api.get(api_url(world)).status_code == 404
    assert api.get(api_url(world) + ".pdf").status_code == 404


def test_a_reaction_of_another_clinic_is_not_found_under_ones_own(app, world):
    """Clinic B's officer, asking under clinic B for clinic A's reaction, finds nothing."""
    pages = signed_in(app, world, "officer_b")
    assert pages.get(json_url(world, clinic_id=world.clinic_b.id)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(app, world):
    pages = page_client(app)
    for url in (pdf_url(world), json_url(world)):
        response = pages.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    api = client_for(app, world, "anonymous")
    assert api.get(api_url(world)).status_code == 401
    assert api.get(api_url(world) + ".pdf").status_code == 401


def test_the_reaction_page_links_both_downloads(app, world):
    client = signed_in(app, world, "inspector_a")
    response = client.get(f"/clinics/{world.clinic_a.id}/reactions/{world.ids['serious_id']}")
    html = response.get_data(as_text=True)
    assert f'href="{pdf_url(world)}"' in html and f'href="{json_url(world)}"' in html
    text = text_of(response)
    assert "Download MedWatch 3500 (PDF)" in text and "(JSON)" in text


def test_a_render_failure_is_a_503_and_logs_nothing_personal(app, world, monkeypatch, caplog):
    def failing(html, attachments, **_limits):
        raise render.RenderError(f"the renderer failed on {attachments[0]['text'][:2000]}")

    monkeypatch.setattr(render, "render_pdf", failing)
    caplog.set_level(logging.DEBUG)
    pages = signed_in(app, world)
    response = pages.get(pdf_url(world))
    assert response.status_code == 503
    assert "Something went wrong on our side" in text_of(response)
    api = client_for(app, world, "officer_a").get(api_url(world) + ".pdf")
    assert api.status_code == 503 and api.get_json()["code"] == 503
    assert "MedWatch PDF not rendered" in caplog.text
    for personal in (DESCRIPTION, "Pustules", world.ids["reference"], "Swab culture"):
        assert personal not in caplog.text
