"""Two clinics in two states and one caller of every kind, for API and tenancy tests."""

import io
from dataclasses import dataclass, field
from datetime import date

from flask import g, has_app_context
from flask.testing import FlaskClient

from registry.models import Credential, ImportRun, RejectedRow, Reminder, User
from registry.services import (
    accounts,
    inspections,
    procedures,
    reactions,
    recalls,
    tokens,
    uploads,
)
from tests import documents as sample_documents
from tests.factories import (
    ACTOR,
    make_client,
    make_clinic,
    make_lot,
    make_practitioner,
    make_product,
)

PASSWORD = "a long test password"
PDF = sample_documents.PLAIN
# The world client's initials and contact details: distinctive, so a body that carries them is
# found by a plain search.
CONTACTS = {"initials": "Q~Z~", "email": "zoe.contact@clinic-a.test", "phone": "+1 503 555 0177"}
PRINCIPALS = ("anonymous", "officer_a", "officer_b", "inspector_a", "inspector_other",
              "importer", "admin")


def contact_values_in(response) -> set[str]:
    """Which of the world client's contact values a response carries, in its body or, for a
    PDF, in its text and attached files."""
    body = response.get_data()
    if response.mimetype == "application/pdf":
        body = pdf_text(body).encode()
    text = body.decode(errors="replace")
    return {value for value in (CONTACTS["email"], CONTACTS["phone"]) if value in text}


def pdf_text(content: bytes) -> str:
    """A PDF's page text and the text of its attached files."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    pages = [page.extract_text() or "" for page in reader.pages]
    attached = [data.decode(errors="replace") for files in reader.attachments.values()
                for data in files]
    return "\n".join(pages + attached)


class CsrfClient(FlaskClient):
    """A test client that sends the CSRF token with every cookie-authenticated change, as the
    registry's own pages and scripts do; CSRF stays on in tests."""

    def open(self, *args, **kwargs):
        # Tests keep an app context open, which requests then share: drop what a request
        # caches on g so each request starts as it would in production.
        if has_app_context():
            for name in ("csrf_token", "principal"):
                g.pop(name, None)
        method = kwargs.get("method", "GET").upper()
        headers = dict(kwargs.pop("headers", None) or {})
        if method not in ("GET", "HEAD", "OPTIONS") and "Authorization" not in headers \
                and not kwargs.pop("without_csrf", False):
            token = super().open("/api/v1/session").get_json()["csrf_token"]
            headers.setdefault("X-CSRFToken", token)
        return super().open(*args, headers=headers, **kwargs)


@dataclass
class World:
    clinic_a: object
    clinic_b: object
    users: dict
    importer_token: str
    admin_token: str
    # Clinic A's records (and shared ones), by the URL argument that names them.
    ids: dict = field(default_factory=dict)
    # Lots of clinic A waiting for each step of their life, so no step depends on another.
    step_lots: dict = field(default_factory=dict)
    # A credential of clinic A's practitioner kept for the renewal routes.
    renewable: int | None = None
    # A second possible recall match, for the route that dismisses one.
    dismiss_review: int | None = None


def build_world() -> World:
    clinic_a, clinic_b = make_clinic(state="OR"), make_clinic(state="TX")
    roles = {
        "officer_a": {"role": "officer", "clinic_id": clinic_a.id},
        "officer_b": {"role": "officer", "clinic_id": clinic_b.id},
        "inspector_a": {"role": "inspector", "jurisdiction": "OR"},
        "inspector_other": {"role": "inspector", "jurisdiction": "WA"},
        "importer": {"role": "importer"},
        "admin": {"role": "administrator"},
    }
    users = {}
    for name, role in roles.items():
        user = accounts.create_user({"email": f"{name}@example.test", "display_name": name},
                                    ACTOR, password=PASSWORD)
        accounts.grant_role({"user_id": user.id, **role}, ACTOR)
        users[name] = user
    importer_token, _row = tokens.issue(users["importer"], "roster sync", ["import"], ACTOR)
    admin_token, _row = tokens.issue(users["admin"], "integration", ["read", "write"], ACTOR)
    world = World(clinic_a, clinic_b, users, importer_token, admin_token)
    world.ids = records_of(clinic_a, users["inspector_a"])
    world.step_lots = {step: make_lot(clinic_a).id
                       for step in ("open", "quarantine", "dispose", "release")}
    held = make_lot_on_hold(clinic_a, world.step_lots["release"])
    world.ids["hold_id"] = held.id
    world.ids["review_id"], world.dismiss_review = (
        propose_match(clinic_a, world.ids["recall_id"]).id for _ in range(2))
    # A credential to renew, so the licence keeps its document for the routes that read it.
    world.renewable = Credential.get((Credential.practitioner == world.ids["practitioner_id"])
                                     & (Credential.kind == "first_aid_cpr")).id
    world.ids["reminder_id"] = Reminder.create(
        kind="credential_expiry", entity="credential", entity_id=world.ids["credential_id"],
        stage=30, due_on=date(2030, 12, 31), user=users["officer_a"], clinic=clinic_a,
        subject="Practitioner licence expires in 30 days", body="Renew it.").id
    return world


def make_lot_on_hold(clinic, lot_id):
    """A quarantine standing on one of the clinic's lots, for the release routes."""
    from registry.models import PigmentLot
    from registry.services import holds

    return holds.quarantine(PigmentLot.get_by_id(lot_id), {"reason": "Cloudy bottle."}, ACTOR)


def propose_match(clinic, recall_id):
    """A possible match of a recall with a new lot of the clinic, awaiting the officer."""
    from registry.models import Recall
    from registry.services import recalls

    return recalls.propose(Recall.get_by_id(recall_id), make_lot(clinic), "brand only",
                           "Brand tattoo inks", "The recall names the brand, not the product: "
                           "check the product on the bottle.", ACTOR)


def records_of(clinic, inspector: User) -> dict:
    """One record of every kind at the clinic, named by the URL argument for it."""
    practitioner = make_practitioner(clinic)
    credential = practitioner.credentials.where(
        Credential.kind == "practitioner_license").get()
    uploads.upload(credential, PDF, ACTOR)
    product = make_product()
    lot = make_lot(clinic, product=product)
    client = make_client(clinic, **CONTACTS)
    procedure = procedures.record_procedure({
        "clinic_id": clinic.id, "practitioner_id": practitioner.id, "client_id": client.id,
        "performed_on": date(2025, 6, 1), "body_area": "scalp", "lot_ids": [lot.id]}, ACTOR)
    reaction = reactions.report_reaction({
        "clinic_id": clinic.id, "client_id": client.id, "procedure_id": procedure.id,
        "event_on": date(2025, 6, 3), "aware_on": date(2025, 6, 4),
        "description": "Redness at the site.", "lot_ids": [lot.id]}, ACTOR)
    recall = recalls.create_recall({
        "recall_number": "C-0101-2025", "recalling_firm": "Maker Inc.",
        "product_description": "Tattoo ink, black"}, ACTOR)
    inspection = inspections.record_inspection({
        "clinic_id": clinic.id, "inspector_id": inspector.id,
        "inspected_on": date(2025, 9, 1)}, ACTOR)
    finding = inspections.add_finding({
        "inspection_id": inspection.id, "description": "Sharps container over-full."}, ACTOR)
    action = inspections.add_corrective_action({
        "finding_id": finding.id, "description": "Replace the container.",
        "due_on": date(2025, 9, 15)}, ACTOR)
    run = ImportRun.create(source="openfda_recalls", status="partial", fetched=2, created=1,
                           rejected=1)
    RejectedRow.create(run=run, row_number=2, reason="recall_number: missing", raw={})
    return {
        "clinic_id": clinic.id, "practitioner_id": practitioner.id,
        "credential_id": credential.id, "manufacturer_id": product.manufacturer_id,
        "pigment_id": product.id, "lot_id": lot.id, "client_id": client.id,
        "procedure_id": procedure.id, "reaction_id": reaction.id, "recall_id": recall.id,
        "inspection_id": inspection.id, "finding_id": finding.id, "action_id": action.id,
        "run_id": run.id,
    }


def client_for(app, world: World, principal: str) -> CsrfClient:
    """A client acting as the principal: signed in with a cookie, or sending a token."""
    app.test_client_class = CsrfClient
    client = app.test_client()
    if principal == "importer":
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {world.importer_token}"
    elif principal != "anonymous":
        sign_in(client, world.users[principal])
    return client


def sign_in(client, user: User, password: str = PASSWORD):
    response = client.post("/api/v1/session", json={"email": user.email, "password": password})
    assert response.status_code == 200, response.get_json()
    return response
