"""The practitioners pages: the list, the forms for people and credentials, certificates."""

import io
from datetime import date

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from registry.models import Affiliation, AuditEvent, Credential, Practitioner
from registry.services import practitioners
from tests import documents
from tests.api_world import PDF, build_world
from tests.factories import ACTOR, make_practitioner
from tests.pages import error_for, page_client, sign_in, text_of

PNG = documents.png(32, 32)


@pytest.fixture
def world(app):
    return build_world()


@pytest.fixture
def officer(app, world):
    client = page_client(app)
    sign_in(client, world.users["officer_a"].email)
    return client


def counts() -> tuple[int, int, int]:
    return Practitioner.select().count(), Affiliation.select().count(), Credential.select().count()


def url(world, tail: str) -> str:
    return f"/clinics/{world.ids['clinic_id']}/{tail}"


def bare_credential(world, **fields) -> Credential:
    """A credential of clinic A's practitioner with no document."""
    return practitioners.add_credential({
        "practitioner_id": world.ids["practitioner_id"], "kind": "first_aid_cpr",
        "issuer": "Red Cross", **fields}, ACTOR)


def test_list_marks_expired_former_and_verified(world, officer):
    bare_credential(world, number="CPR-OLD", issued_on="2019-01-01", expires_on="2021-01-01")
    licence = Credential.get_by_id(world.ids["credential_id"])
    practitioners.record_verification(licence, "verified", "Oregon licensing board", ACTOR)
    former = make_practitioner(world.clinic_a, starts_on=date(2018, 1, 1), credentialed=False)
    Affiliation.update(ends_on=date(2019, 6, 30)).where(
        Affiliation.practitioner == former.id).execute()
    practitioners.add_credential({"clinic_id": world.clinic_a.id, "kind": "establishment_license",
                                  "issuer": "Oregon Health Authority", "number": "EST-77",
                                  "state": "OR"}, ACTOR)

    response = officer.get(url(world, "practitioners"))
    assert response.status_code == 200
    html, text = response.get_data(as_text=True), text_of(response)
    row = row_with(html, "CPR-OLD")
    assert row.startswith('<tr class="stands-out">') and ">expired</span>" in row
    assert 'class="stands-out"' not in row_with(html, "Establishment licence")
    assert "verified Source: Oregon licensing board. Last verified" in text
    assert f"{former.first_name} {former.last_name} former" in text
    current = Practitioner.get_by_id(world.ids["practitioner_id"])
    assert text.index(current.last_name) < text.index(former.last_name)
    assert "Held by the clinic" in text and "Establishment licence EST-77" in text
    assert '<th scope="col">Kind</th>' in html
    assert "Register a practitioner" in text


def send_file(client, page_url: str, upload: tuple[bytes, str] | None):
    """Post the upload form, its body built in memory (the test client spools large bodies to
    files it never closes)."""
    fields = {"csrf_token": client.csrf_token(page_url)}
    if upload is not None:
        fields["file"] = FileStorage(io.BytesIO(upload[0]), filename=upload[1])
    boundary, body = encode_multipart(fields)
    return client.post(page_url, data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def row_with(html: str, needle: str) -> str:
    """The table row (its HTML) in which the needle appears."""
    before, after = html.split(needle, 1)
    return "<tr" + before.rsplit("<tr", 1)[1] + needle + after.split("</tr>", 1)[0]


def test_register_a_practitioner(world, officer):
    before = counts()
    response = officer.submit(url(world, "practitioners/new"), {
        "first_name": "Robin", "last_name": "Inkwell", "email": "robin@example.test",
        "phone": "555-0100", "title": "apprentice", "starts_on": "2025-03-01"})
    assert response.status_code == 302
    person = Practitioner.get(Practitioner.last_name == "Inkwell")
    assert counts() == (before[0] + 1, before[1] + 1, before[2])
    assert person.affiliations.get().title == "apprentice"
    page = officer.get(response.headers["Location"])
    assert "The practitioner is registered." in text_of(page)
    listing = text_of(officer.get(url(world, "practitioners")))
    assert "Robin Inkwell" in listing and "Works here from 2025-03-01 as apprentice." in listing


def test_register_refused_shows_errors_next_to_fields(world, officer):
    before = counts()
    response = officer.submit(url(world, "practitioners/new"), {
        "first_name": "", "last_name": "Inkwell", "starts_on": ""})
    assert response.status_code == 422
    assert error_for(response, "first_name") == "Enter the first name."
    assert error_for(response, "starts_on") == "Say from when they work here."
    assert "Nothing was saved" in text_of(response)
    response = officer.submit(url(world, "practitioners/new"), {
        "first_name": "Robin", "last_name": "Inkwell", "email": "not an address",
        "starts_on": "2025-03-01"})
    assert response.status_code == 422
    assert error_for(response, "email") == "Not a valid email address."
    assert counts() == before


def test_show_lists_details_and_verification_history(world, officer):
    licence = Credential.get_by_id(world.ids["credential_id"])
    practitioners.record_verification(licence, "mismatch", "Oregon licensing board", ACTOR,
                                      note="Name differs.")
    response = officer.get(url(world, f"practitioners/{world.ids['practitioner_id']}"))
    assert response.status_code == 200
    text = text_of(response)
    assert "Verification history" in text
    assert "Practitioner licence mismatch Oregon licensing board Name differs." in text
    other = make_practitioner(world.clinic_b, credentialed=False)
    assert officer.get(url(world, f"practitioners/{other.id}")).status_code == 404


def test_show_without_checks_has_no_history(world, officer):
    response = officer.get(url(world, f"practitioners/{world.ids['practitioner_id']}"))
    assert "Verification history" not in text_of(response)


def test_edit_a_practitioner(world, officer):
    person_url = url(world, f"practitioners/{world.ids['practitioner_id']}/edit")
    response = officer.submit(person_url, {
        "first_name": "Pat", "last_name": "Renamed", "email": "pat@example.test", "phone": "",
        "reason": "Married name."})
    assert response.status_code == 302
    person = Practitioner.get_by_id(world.ids["practitioner_id"])
    assert (person.last_name, person.email) == ("Renamed", "pat@example.test")
    assert "Pat Renamed" in text_of(officer.get(url(world, "practitioners")))

    response = officer.submit(person_url, {"first_name": "Pat", "last_name": "",
                                           "email": "broken"})
    assert response.status_code == 422
    assert error_for(response, "last_name") == "Enter the last name."
    response = officer.submit(person_url, {"first_name": "Pat", "last_name": "Other",
                                           "email": "broken"})
    assert response.status_code == 422
    assert error_for(response, "email") == "Not a valid email address."
    assert Practitioner.get_by_id(person.id).last_name == "Renamed"


def test_add_a_credential(world, officer):
    form_url = url(world, f"practitioners/{world.ids['practitioner_id']}/credentials/new")
    before = counts()
    response = officer.submit(form_url, {
        "kind": "spcp_cpcp", "number": "SPCP-123", "issuer": "SPCP", "state": "",
        "issued_on": "2024-05-01", "expires_on": "2027-05-01", "notes": "Exam passed."})
    assert response.status_code == 302
    added = Credential.get(Credential.number == "SPCP-123")
    assert (added.practitioner_id, added.state, added.expires_on) == (
        world.ids["practitioner_id"], None, date(2027, 5, 1))
    assert counts() == (before[0], before[1], before[2] + 1)
    text = text_of(officer.get(url(world, "practitioners")))
    assert "SPCP CPCP certification SPCP-123" in text


def test_add_a_credential_refused(world, officer):
    form_url = url(world, f"practitioners/{world.ids['practitioner_id']}/credentials/new")
    before = counts()
    response = officer.submit(form_url, {"kind": "first_aid_cpr", "issuer": "Red Cross",
                                         "issued_on": "2024-05-01", "expires_on": "2023-05-01"})
    assert response.status_code == 422
    assert error_for(response, "expires_on") == "Expires before it was issued."
    response = officer.submit(form_url, {"kind": "establishment_license", "issuer": "",
                                         "issued_on": "May Day"})
    assert response.status_code == 422
    assert error_for(response, "issuer") == "Name who issued it."
    assert error_for(response, "kind") == "Not a valid choice."
    assert error_for(response, "issued_on") == "Not a valid date value."
    assert counts() == before


def test_add_a_clinic_credential(world, officer):
    form_url = url(world, "credentials/new")
    before = counts()
    refused = officer.submit(form_url, {"kind": "establishment_license", "issuer": ""})
    assert refused.status_code == 422
    assert error_for(refused, "issuer") == "Name who issued it."
    assert counts() == before
    response = officer.submit(form_url, {
        "kind": "establishment_license", "number": "EST-9", "issuer": "Oregon Health Authority",
        "state": "OR", "expires_on": "2026-06-30"})
    assert response.status_code == 302
    assert Credential.get(Credential.number == "EST-9").clinic_id == world.clinic_a.id
    page = officer.get(response.headers["Location"])
    assert "The establishment licence is added." in text_of(page)
    assert "Establishment licence EST-9 OR" in text_of(page)


def test_correcting_a_credential_needs_a_reason_and_keeps_the_version_it_replaces(world,
                                                                                   officer):
    cid = world.ids["credential_id"]
    form_url = url(world, f"credentials/{cid}/edit")
    response = officer.submit(form_url, {"number": "OR-1", "issued_on": "2020-01-01",
                                         "expires_on": "2030-12-31", "reason": ""})
    assert response.status_code == 422
    assert error_for(response, "reason") == "Say why the record was wrong."
    response = officer.submit(form_url, {"number": "OR-1", "issued_on": "2020-01-01",
                                         "expires_on": "2019-12-31", "reason": "Typo."})
    assert response.status_code == 422
    assert error_for(response, "expires_on") == "Expires before it was issued."
    assert Credential.get_by_id(cid).number is None

    response = officer.submit(form_url, {"number": "OR-1", "issued_on": "2020-01-01",
                                         "expires_on": "2032-12-31",
                                         "reason": "The number was left out."})
    assert response.status_code == 302
    credential = Credential.get_by_id(cid)
    assert (credential.number, credential.expires_on) == ("OR-1", date(2032, 12, 31))
    event = AuditEvent.get((AuditEvent.entity == "credential") & (AuditEvent.entity_id == str(cid))
                           & (AuditEvent.action == "correct"))
    assert event.reason == "The number was left out."
    assert "Practitioner licence OR-1" in text_of(officer.get(url(world, "practitioners")))
    history = text_of(officer.get(url(world, f"credentials/{cid}/history")))
    assert "Correction" in history and "The number was left out." in history
    assert "Replaced by the correction of" in history


def test_renewing_a_credential_adds_a_period_and_keeps_the_old_one(world, officer):
    cid = world.ids["credential_id"]
    form_url = url(world, f"credentials/{cid}/renew")
    refused = officer.submit(form_url, {"issued_on": "2019-01-01", "expires_on": "2021-01-01"})
    assert refused.status_code == 422
    assert "A renewal starts after the current period" in error_for(refused, "issued_on")
    done = officer.submit(form_url, {"issued_on": "2030-11-01", "expires_on": "2034-12-31",
                                     "number": "OR-2"}, follow_redirects=True)
    assert "is renewed until 2034-12-31" in text_of(done)
    credential = Credential.get_by_id(cid)
    assert (credential.number, credential.issued_on) == ("OR-2", date(2030, 11, 1))
    history = text_of(officer.get(url(world, f"credentials/{cid}/history")))
    assert "Renewal" in history and "2030-12-31" in history and "2034-12-31" in history


def test_upload_and_download_a_certificate(world, officer):
    credential = bare_credential(world)
    form_url = url(world, f"credentials/{credential.id}/document")
    response = send_file(officer, form_url, (PNG, "card.png"))
    assert response.status_code == 302
    assert Credential.get_by_id(credential.id).document_path.endswith(".png")
    assert "The certificate is uploaded." in text_of(officer.get(response.headers["Location"]))
    with officer.get(f"{form_url}/file") as download:
        assert download.status_code == 200
        assert download.mimetype == "image/png" and download.data == PNG


@pytest.mark.parametrize(("upload", "message"), [
    ((b"plain text, not a scan", "card.txt"), "Only PDF, PNG and JPEG documents are accepted."),
    ((PDF + b"0" * (1024 * 1024), "big.pdf"), "Larger than 1 MiB."),
    ((b"", "empty.pdf"), "The file is empty."),
    (None, "Choose the certificate file to upload."),
])
def test_upload_refused(app, world, officer, upload, message):
    app.config["MAX_DOCUMENT_BYTES"] = 1024 * 1024
    credential = bare_credential(world)
    response = send_file(officer, url(world, f"credentials/{credential.id}/document"), upload)
    assert response.status_code == 422
    assert error_for(response, "file") == message
    assert Credential.get_by_id(credential.id).document_path is None
    with officer.get(url(world, f"credentials/{credential.id}/document/file")) as missing:
        assert missing.status_code == 404


def test_a_form_without_its_csrf_token_is_refused(world, officer):
    before = counts()
    response = officer.post(url(world, "practitioners/new"), data={
        "first_name": "Robin", "last_name": "Inkwell", "starts_on": "2025-03-01"})
    assert response.status_code == 400
    response = officer.post(url(world, f"credentials/{world.ids['credential_id']}/edit"),
                            data={"number": "X-1", "reason": "Forged."})
    assert response.status_code == 400
    assert counts() == before
    assert Credential.get_by_id(world.ids["credential_id"]).number is None


def test_an_inspector_reads_but_may_not_post(app, world):
    client = page_client(app)
    sign_in(client, world.users["inspector_a"].email)
    listing = client.get(url(world, "practitioners"))
    assert listing.status_code == 200
    assert "Practitioner licence" in text_of(listing)
    assert "Register a practitioner" not in text_of(listing)
    assert "/edit" not in listing.get_data(as_text=True)
    with client.get(url(world, f"credentials/{world.ids['credential_id']}/document/file")) as doc:
        assert doc.status_code == 200 and doc.data == PDF
    assert client.get(url(world, "practitioners/new")).status_code == 403
    before = counts()
    token = client.csrf_token("/account/password")
    response = client.post(url(world, "practitioners/new"), data={
        "csrf_token": token, "first_name": "Robin", "last_name": "Inkwell",
        "starts_on": "2025-03-01"})
    assert response.status_code == 403
    response = client.post(url(world, f"credentials/{world.ids['credential_id']}/edit"), data={
        "csrf_token": token, "number": "X-1", "reason": "Inspector."})
    assert response.status_code == 403
    assert counts() == before


def test_another_clinic_is_not_found(app, world, officer):
    client = page_client(app)
    sign_in(client, world.users["officer_b"].email)
    for tail in ("practitioners", f"practitioners/{world.ids['practitioner_id']}",
                 f"credentials/{world.ids['credential_id']}/document/file"):
        assert client.get(url(world, tail)).status_code == 404
    token = client.csrf_token("/account/password")
    response = client.post(url(world, f"credentials/{world.ids['credential_id']}/edit"),
                           data={"csrf_token": token, "number": "X-1", "reason": "Other."})
    assert response.status_code == 404
    # Clinic B's records are not reachable through clinic A's pages either.
    theirs = make_practitioner(world.clinic_b)
    credential = theirs.credentials.first()
    for tail in (f"practitioners/{theirs.id}/edit", f"credentials/{credential.id}/edit",
                 f"credentials/{credential.id}/document"):
        assert officer.get(url(world, tail)).status_code == 404
    assert Credential.get_by_id(world.ids["credential_id"]).number is None


def test_a_former_employer_reads_a_practitioner_but_cannot_change_their_credentials(app):
    world = build_world()
    person_id = world.ids["practitioner_id"]
    practitioners.affiliate({"practitioner_id": person_id, "clinic_id": world.clinic_b.id,
                             "starts_on": "2020-01-01", "ends_on": "2020-02-01"}, ACTOR)
    client = page_client(app)
    sign_in(client, world.users["officer_b"].email)
    base = f"/clinics/{world.clinic_b.id}"
    credential_id = world.ids["credential_id"]
    assert client.get(f"{base}/practitioners/{person_id}").status_code == 200
    before = Credential.get_by_id(credential_id).revoked_on
    response = client.submit(f"{base}/practitioners", {
        "revoked_on": "2025-01-01", "reason": "left"},
        action=f"{base}/credentials/{credential_id}/edit")
    assert response.status_code == 403
    assert client.get(f"{base}/practitioners/{person_id}/edit").status_code == 403
    assert Credential.get_by_id(credential_id).revoked_on == before
