"""Credential documents: active PDFs, oversized images and a full clinic quota are refused,
and a refused upload leaves no new file behind."""

import io
from hashlib import sha256
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from registry.models import Credential
from registry.services import practitioners
from registry.services.records import InvalidInput
from tests import documents
from tests.api_world import build_world, client_for
from tests.factories import ACTOR
from tests.pages import error_for, page_client, sign_in


@pytest.fixture
def world(app):
    return build_world()


@pytest.fixture
def officer(app, world):
    return client_for(app, world, "officer_a")


def stored_files(app) -> set[str]:
    folder = Path(app.config["DOCUMENTS_PATH"])
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


def new_credential(world) -> Credential:
    return practitioners.add_credential({
        "practitioner_id": world.ids["practitioner_id"], "kind": "first_aid_cpr",
        "issuer": "Red Cross"}, ACTOR)


def put(api, credential_id: int, content: bytes, name: str):
    return api.put(f"/api/v1/credentials/{credential_id}/document",
                   data={"file": (io.BytesIO(content), name)},
                   content_type="multipart/form-data")


def file_error(response) -> str:
    assert response.status_code == 422, response.get_data(as_text=True)
    return response.get_json()["errors"]["json"]["file"][0]


@pytest.mark.parametrize(("content", "named"), [
    (documents.pdf(documents.JAVASCRIPT), "JavaScript"),
    (documents.pdf(documents.LAUNCH), "a launch action"),
    (documents.pdf(documents.EMBEDDED_FILE, extra=(documents.EMBEDDED_STREAM,)),
     "embedded files"),
    (b"%PDF-1.7\nnot a PDF at all", "could not be read"),
])
def test_active_or_unreadable_pdfs_are_refused(app, world, officer, content, named):
    credential = new_credential(world)
    before = stored_files(app)
    assert named in file_error(put(officer, credential.id, content, "licence.pdf"))
    assert Credential.get_by_id(credential.id).document_path is None
    assert stored_files(app) == before


def test_a_plain_pdf_is_accepted(app, world, officer):
    credential = new_credential(world)
    assert put(officer, credential.id, documents.pdf(), "licence.pdf").status_code == 200
    assert Credential.get_by_id(credential.id).document_path.endswith(".pdf")


@pytest.mark.parametrize(("content", "name"), [
    (documents.png(8000, 6000), "scan.png"), (documents.jpeg(9000, 5000), "scan.jpg")])
def test_images_over_the_pixel_limit_are_refused(app, world, officer, content, name):
    credential = new_credential(world)
    before = stored_files(app)
    message = file_error(put(officer, credential.id, content, name))
    assert "pixels" in message and "40,000,000" in message
    assert stored_files(app) == before
    app.config["MAX_IMAGE_PIXELS"] = 50_000_000
    assert put(officer, credential.id, content, name).status_code == 200


def test_an_unreadable_image_is_refused(app, world, officer):
    credential = new_credential(world)
    content = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    assert "could not be read" in file_error(put(officer, credential.id, content, "a.png"))


def test_the_clinic_quota_counts_every_document_its_credentials_ever_had(app, world, officer):
    credential = new_credential(world)
    first, second, third = (documents.pdf(f"/Lang (doc-{n}) ") for n in range(3))
    used = len(Path(app.config["DOCUMENTS_PATH"], Credential.get_by_id(
        world.ids["credential_id"]).document_path).read_bytes())
    app.config["CLINIC_STORAGE_QUOTA_BYTES"] = used + len(first) + len(second)
    assert put(officer, credential.id, first, "a.pdf").status_code == 200
    # Replacing the document keeps the first for its history: both count.
    assert put(officer, credential.id, second, "b.pdf").status_code == 200
    before = stored_files(app)
    assert "storage quota" in file_error(put(officer, credential.id, third, "c.pdf"))
    assert stored_files(app) == before
    assert Credential.get_by_id(credential.id).document_sha256 == sha256(second).hexdigest()
    # A document the clinic already keeps takes no more room.
    assert put(officer, credential.id, first, "a.pdf").status_code == 200


def test_a_refused_upload_leaves_no_new_file(app, world, officer, monkeypatch):
    credential = new_credential(world)
    before = stored_files(app)

    def refuse(*_args, **_kwargs):
        raise InvalidInput({"file": ["Refused."]})

    monkeypatch.setattr(practitioners, "attach_document", refuse)
    assert file_error(put(officer, credential.id, documents.png(2, 2), "a.png")) == "Refused."
    assert stored_files(app) == before


def test_the_upload_page_refuses_an_active_pdf_and_keeps_no_file(app, world, monkeypatch):
    credential = new_credential(world)
    browser = page_client(app)
    sign_in(browser, world.users["officer_a"].email)
    page_url = f"/clinics/{world.ids['clinic_id']}/credentials/{credential.id}/document"
    before = stored_files(app)
    fields = {"csrf_token": browser.csrf_token(page_url),
              "file": FileStorage(io.BytesIO(documents.pdf(documents.JAVASCRIPT)),
                                  filename="card.pdf")}
    boundary, body = encode_multipart(fields)
    response = browser.post(page_url, data=body,
                            content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 422
    assert "JavaScript" in error_for(response, "file")
    assert stored_files(app) == before
