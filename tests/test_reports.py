"""Audit reports: read back from the PDF, cached by data state, verified byte for byte."""

import io
import json
from dataclasses import replace
from datetime import date
from xml.etree import ElementTree

import pypdf
import pytest

from registry.models import IssuedReport
from registry.reports import signing
from registry.services import practitioners
from tests.api_world import build_world, client_for
from tests.factories import ACTOR

AS_OF = "2026-06-01"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
SECTIONS = ("Compliance audit report", "Rule packs used", "Checklist",
            "Practitioners and credentials", "Pigment lots", "Procedures",
            "Adverse reactions", "Inspections, findings and corrective actions", "Audit trail")


@pytest.fixture
def world(app):
    world = build_world()
    # An expired licence makes a failing item with a citation.
    practitioners.add_credential({
        "clinic_id": world.clinic_a.id, "kind": "establishment_license", "issuer": "OHLO",
        "state": "OR", "number": "EST-1", "issued_on": "2023-01-01",
        "expires_on": "2024-01-01"}, ACTOR)
    return world


@pytest.fixture
def officer(app, world):
    return client_for(app, world, "officer_a")


def _download(client, clinic_id, as_of=AS_OF):
    response = client.get(f"/api/v1/clinics/{clinic_id}/audit-report?as_of={as_of}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    data = response.get_data()
    response.close()
    return response, data


def _pdfa_identification(reader) -> tuple[str, str]:
    """(part, conformance) from the XMP metadata's PDF/A identification schema."""
    xmp = ElementTree.fromstring(reader.trailer["/Root"]["/Metadata"].get_data())  # noqa: S314
    for description in xmp.iter(f"{{{RDF}}}Description"):
        if f"{{{PDFAID}}}part" in description.attrib:
            return (description.attrib[f"{{{PDFAID}}}part"],
                    description.attrib[f"{{{PDFAID}}}conformance"])
    return ("", "")


def _text(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_the_report_holds_every_section_and_the_failing_items_citations(officer, world):
    response, data = _download(officer, world.clinic_a.id)
    assert response.mimetype == "application/pdf"
    pages = _text(data)
    whole = " ".join(pages).replace("\n", " ")
    for section in SECTIONS:
        assert section in whole, section
    checklist = officer.get(f"/api/v1/clinics/{world.clinic_a.id}/checklist?as_of={AS_OF}")
    failing = [item for item in checklist.get_json()["items"] if item["status"] == "fail"]
    assert failing
    assert failing[0]["citations"][0]["code"].split()[0] in whole
    code = response.headers["X-Verification-Code"]
    for number, page in enumerate(pages, start=1):
        assert code in page
        assert f"Page {number} of {len(pages)}" in page
        assert f"As of {AS_OF}" in page


def test_the_report_is_pdf_a_3_with_the_checklist_attached(officer, world):
    _response, data = _download(officer, world.clinic_a.id)
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert _pdfa_identification(reader) == ("3", "B")
    attached = json.loads(reader.attachments["checklist.json"][0])
    api = officer.get(f"/api/v1/clinics/{world.clinic_a.id}/checklist?as_of={AS_OF}")
    assert attached == api.get_json()


def test_the_same_data_gives_the_stored_file_and_a_change_gives_a_new_one(officer, world):
    first, data = _download(officer, world.clinic_a.id)
    again, same = _download(officer, world.clinic_a.id)
    assert same == data
    assert again.headers["X-Verification-Code"] == first.headers["X-Verification-Code"]
    assert IssuedReport.select().count() == 1
    officer.patch(f"/api/v1/clinics/{world.clinic_a.id}",
                  json={"city": "Salem", "reason": "moved"})
    changed, new = _download(officer, world.clinic_a.id)
    assert new != data
    assert changed.headers["X-Verification-Code"] != first.headers["X-Verification-Code"]
    assert IssuedReport.select().count() == 2


def test_verification_accepts_the_issued_file_and_refuses_one_changed_byte(app, officer,
                                                                         world, tmp_path):
    response, data = _download(officer, world.clinic_a.id)
    issued = tmp_path / "report.pdf"
    issued.write_bytes(data)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["report", "verify", str(issued)])
    assert result.exit_code == 0, result.output
    assert "Issued by this registry" in result.output
    assert response.headers["X-Verification-Code"] in result.output
    tampered = bytearray(data)
    middle = len(tampered) // 2
    tampered[middle] = (tampered[middle] + 1) % 256
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(bytes(tampered))
    result = runner.invoke(args=["report", "verify", str(changed)])
    assert result.exit_code == 1 and "Not issued" in result.output


def test_the_verify_page_answers_anyone(app, officer, world):
    _response, data = _download(officer, world.clinic_a.id)
    anonymous = client_for(app, world, "anonymous")
    token = anonymous.get("/api/v1/session").get_json()["csrf_token"]
    page = anonymous.post("/verify", data={"csrf_token": token,
                                           "file": (io.BytesIO(data), "report.pdf")},
                          content_type="multipart/form-data")
    assert page.status_code == 200
    assert "Issued by this registry" in page.get_data(as_text=True)
    refused = anonymous.post("/verify", data={"csrf_token": token,
                                              "file": (io.BytesIO(data[:-1]), "r.pdf")},
                             content_type="multipart/form-data")
    assert "Not issued by this registry" in refused.get_data(as_text=True)


def test_the_cli_writes_the_report_for_a_date(app, world, tmp_path):
    out = tmp_path / "out.pdf"
    result = app.test_cli_runner().invoke(
        args=["report", str(world.clinic_a.id), "--as-of", AS_OF, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")
    assert IssuedReport.get().as_of == date(2026, 6, 1)


@pytest.mark.parametrize("principal, status", [
    ("officer_b", 404), ("inspector_other", 404), ("admin", 403), ("anonymous", 401)])
def test_only_the_clinics_officers_and_inspectors_get_its_report(app, world, principal, status):
    client = client_for(app, world, principal)
    response = client.get(f"/api/v1/clinics/{world.clinic_a.id}/audit-report")
    assert response.status_code == status
    assert IssuedReport.select().count() == 0


def test_a_configured_key_signs_the_report_and_the_signature_validates(app, officer, world,
                                                                      tmp_path):
    key, certificate = signing.ensure_development_key(tmp_path / "keys")
    settings = app.config["REGISTRY_SETTINGS"]
    app.config["REGISTRY_SETTINGS"] = replace(settings, report_signing_key=key,
                                              report_signing_cert=certificate)
    _response, data = _download(officer, world.clinic_a.id)
    status = signing.signature_status(data, certificate)
    assert status["signed"] and status["intact"] and status["trusted"]
    assert status["covers_whole_file"]
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert _pdfa_identification(reader) == ("3", "B")
    verdict = app.test_cli_runner().invoke(args=["report", "verify", "-"], input=data)
    assert verdict.exit_code == 0 and "Signature: valid" in verdict.output


def test_the_verify_page_asks_for_a_file(app, world):
    anonymous = client_for(app, world, "anonymous")
    token = anonymous.get("/api/v1/session").get_json()["csrf_token"]
    page = anonymous.post("/verify", data={"csrf_token": token})
    assert page.status_code == 422
    assert "Choose the PDF file" in page.get_data(as_text=True)


def test_a_change_at_another_clinic_keeps_the_stored_report(app, officer, world):
    _first, data = _download(officer, world.clinic_a.id)
    other = client_for(app, world, "officer_b")
    other.patch(f"/api/v1/clinics/{world.clinic_b.id}", json={"city": "Austin", "reason": "x"})
    _again, same = _download(officer, world.clinic_a.id)
    assert same == data and IssuedReport.select().count() == 1
