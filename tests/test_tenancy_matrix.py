"""Every API route × every kind of caller × clinic A's objects: who may, who may not.

The routes come from the URL map, so a new route without a row here fails this test."""

import io

import pytest

from registry.models import PigmentLot, Recall
from registry.services import recalls
from tests.api_world import PDF, PRINCIPALS, build_world, client_for, contact_values_in
from tests.factories import ACTOR

# Outcomes: "ok" (2xx, and for lists: clinic A's object is in the answer), "hidden" (a list
# without clinic A's object), or the refusal status. Another tenant's object is 404; a clinic
# the caller cannot see, named in a request body, is reported like one that does not exist (422).
READ = {"anonymous": 401, "officer_a": "ok", "officer_b": 404, "inspector_a": "ok",
        "inspector_other": 404, "importer": 403, "admin": "ok"}
LIST = {**READ, "officer_b": "hidden", "inspector_other": "hidden"}
EDIT = {**READ, "inspector_a": 403}
CREATE = {**EDIT, "officer_b": 422, "inspector_other": 422}
ADMIN_ONLY = {"anonymous": 401, "officer_a": 403, "officer_b": 403, "inspector_a": 403,
              "inspector_other": 403, "importer": 403, "admin": "ok"}
CATALOGUE = {"anonymous": 401, "officer_a": "ok", "officer_b": "ok", "inspector_a": "ok",
             "inspector_other": "ok", "importer": 403, "admin": "ok"}
CATALOGUE_ADD = {**CATALOGUE, "inspector_a": 403, "inspector_other": 403}
IMPORTS = {**ADMIN_ONLY, "importer": "ok"}
INSPECT = {**READ, "officer_a": 403}
INSPECT_NEW = {**INSPECT, "officer_b": 422, "inspector_other": 422}
BOTH_PARTIES = READ
REPORT = {**READ, "admin": 403}
# Clients' contact details: the clinic's own officers alone.
CONTACTS = {**REPORT, "inspector_a": 403}
# Who may ever receive a client's initials or contact details, by any route.
SEES_CONTACTS = {"officer_a"}
# A user's own notices: no one else sees them, administrators included; the importer's token
# lacks the scope.
# Lifting a hold: the clinic's own officers alone (they answer for using the lot again).
RELEASE = {**EDIT, "admin": 403}
OWN = {"anonymous": 401, "officer_a": "ok", "officer_b": 404, "inspector_a": 404,
       "inspector_other": 404, "importer": 403, "admin": 404}
OWN_LIST = {**OWN, "officer_b": "hidden", "inspector_a": "hidden", "inspector_other": "hidden",
            "admin": "hidden"}
# Whoever holds a report's PDF may check it, as on the /verify page.
ANYONE = dict.fromkeys(PRINCIPALS, "ok")

MATRIX = {
    ("clinics.Clinics", "GET"): LIST,
    ("clinics.Clinics", "POST"): ADMIN_ONLY,
    ("clinics.ClinicById", "GET"): READ,
    ("clinics.ClinicById", "PATCH"): EDIT,
    ("clinics.ClinicChecklist", "GET"): READ,
    ("audit_events.ClinicAuditEvents", "GET"): READ,
    ("reports.AuditReport", "GET"): REPORT,
    ("practitioners.Practitioners", "GET"): LIST,
    ("practitioners.Practitioners", "POST"): CREATE,
    ("practitioners.PractitionerById", "GET"): READ,
    ("practitioners.PractitionerById", "PATCH"): EDIT,
    ("credentials.Credentials", "GET"): LIST,
    ("credentials.Credentials", "POST"): CREATE,
    ("credentials.CredentialById", "GET"): READ,
    ("credentials.CredentialById", "PATCH"): EDIT,
    ("credentials.CredentialPeriods", "GET"): READ,
    ("credentials.CredentialRenewals", "POST"): EDIT,
    ("credentials.CredentialDocument", "GET"): READ,
    ("credentials.CredentialDocument", "PUT"): EDIT,
    ("manufacturers.Manufacturers", "GET"): CATALOGUE,
    ("manufacturers.Manufacturers", "POST"): CATALOGUE_ADD,
    ("manufacturers.ManufacturerById", "GET"): CATALOGUE,
    ("pigments.Pigments", "GET"): CATALOGUE,
    ("pigments.Pigments", "POST"): CATALOGUE_ADD,
    ("pigments.PigmentById", "GET"): CATALOGUE,
    ("lots.Lots", "GET"): LIST,
    ("lots.Lots", "POST"): CREATE,
    ("lots.LotById", "GET"): READ,
    ("lots.OpenLot", "POST"): EDIT,
    ("lots.QuarantineLot", "POST"): EDIT,
    ("lots.DisposeLot", "POST"): EDIT,
    ("lots.LotHolds", "GET"): READ,
    ("lots.ReleaseHold", "POST"): RELEASE,
    ("clients.Clients", "GET"): LIST,
    ("clients.Clients", "POST"): CREATE,
    ("clients.ClientById", "GET"): READ,
    ("clients.ClientById", "PATCH"): EDIT,
    ("procedures.Procedures", "GET"): LIST,
    ("procedures.Procedures", "POST"): CREATE,
    ("procedures.ProcedureById", "GET"): READ,
    ("reactions.Reactions", "GET"): LIST,
    ("reactions.Reactions", "POST"): CREATE,
    ("reactions.ReactionById", "GET"): READ,
    ("reactions.ReactionById", "PATCH"): EDIT,
    ("reactions.ReactionMedWatch", "GET"): READ,
    ("reactions.ReactionMedWatchPdf", "GET"): READ,
    ("recalls.Recalls", "GET"): CATALOGUE,
    ("recalls.RecallById", "GET"): CATALOGUE,
    ("recall_impact.RecallImpact", "GET"): READ,
    ("recall_impact.ClinicNotices", "GET"): CONTACTS,
    ("inspections.Inspections", "GET"): LIST,
    ("inspections.Inspections", "POST"): INSPECT_NEW,
    ("inspections.InspectionById", "GET"): READ,
    ("inspections.InspectionFindings", "POST"): INSPECT,
    ("inspections.FindingActions", "POST"): BOTH_PARTIES,
    ("inspections.CorrectiveActionById", "GET"): READ,
    ("inspections.CorrectiveActionById", "PATCH"): BOTH_PARTIES,
    ("import_runs.ImportRuns", "GET"): IMPORTS,
    ("import_runs.ImportRunById", "GET"): IMPORTS,
    ("import_runs.RejectedRows", "GET"): IMPORTS,
    ("recall_reviews.Reviews", "GET"): LIST,
    ("recall_reviews.ReviewById", "GET"): READ,
    ("recall_reviews.ConfirmReview", "POST"): RELEASE,
    ("recall_reviews.DismissReview", "POST"): RELEASE,
    ("reminders.Reminders", "GET"): OWN_LIST,
    ("reminders.DismissReminder", "POST"): OWN,
    ("report_verification.ReportVerification", "POST"): ANYONE,
}
# Which record of the world a list must show to count as "ok" (None: any row at all).
LISTED = {
    "clinics.Clinics": "clinic_id", "audit_events.ClinicAuditEvents": None,
    "practitioners.Practitioners": "practitioner_id", "credentials.Credentials": "credential_id",
    "manufacturers.Manufacturers": "manufacturer_id", "pigments.Pigments": "pigment_id",
    "lots.Lots": "lot_id", "clients.Clients": "client_id", "procedures.Procedures": "procedure_id",
    "reactions.Reactions": "reaction_id", "recalls.Recalls": "recall_id",
    "inspections.Inspections": "inspection_id", "import_runs.ImportRuns": "run_id",
    "import_runs.RejectedRows": None, "reminders.Reminders": "reminder_id",
    "recall_reviews.Reviews": "review_id",
}
# Routes about the caller's own account, not about any clinic's records.
OWN_ACCOUNT = {"session.Session", "session.Password"}
NOT_RESOURCES = {"api-docs.openapi_json", "api_docs.page", "api_docs.asset"}


def api_routes(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.endpoint in NOT_RESOURCES | OWN_ACCOUNT:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def ids_for(endpoint, world):
    if endpoint == "credentials.CredentialRenewals":
        return {**world.ids, "credential_id": world.renewable}
    if endpoint == "recall_reviews.DismissReview":
        return {**world.ids, "review_id": world.dismiss_review}
    step = {"lots.OpenLot": "open", "lots.QuarantineLot": "quarantine",
            "lots.DisposeLot": "dispose", "lots.ReleaseHold": "release"}.get(endpoint)
    return {**world.ids, "lot_id": world.step_lots[step]} if step else world.ids


def request_for(endpoint, method, world):
    """The body each change is tried with: valid, so only the caller decides the outcome."""
    ids = world.ids
    clinic = ids["clinic_id"]
    bodies = {
        ("clinics.Clinics", "POST"): {"name": "New Clinic", "state": "OR"},
        ("clinics.ClinicById", "PATCH"): {"city": "Bend", "reason": "moved"},
        ("practitioners.Practitioners", "POST"): {
            "first_name": "Ada", "last_name": "Ink", "clinic_id": clinic,
            "starts_on": "2025-01-01"},
        ("practitioners.PractitionerById", "PATCH"): {"phone": "541-555-0100"},
        ("credentials.Credentials", "POST"): {
            "practitioner_id": ids["practitioner_id"], "kind": "first_aid_cpr",
            "issuer": "Red Cross", "issued_on": "2025-01-01", "expires_on": "2027-01-01"},
        ("credentials.CredentialById", "PATCH"): {"number": "OR-12345", "reason": "renewed"},
        ("manufacturers.Manufacturers", "POST"): {"name": "Fresh Pigments"},
        ("pigments.Pigments", "POST"): {
            "manufacturer_id": ids["manufacturer_id"], "brand": "Brand", "name": "Umber",
            "colorants": [{"name": "Iron oxide", "ci_number": "77491"}]},
        ("lots.Lots", "POST"): {"product_id": ids["pigment_id"], "clinic_id": clinic,
                                "lot_number": "NEW-1", "received_on": "2025-01-01"},
        ("lots.OpenLot", "POST"): {"effective_on": "2025-02-01"},
        ("lots.QuarantineLot", "POST"): {"reason": "Suspected contamination."},
        ("lots.DisposeLot", "POST"): {"reason": "Expired."},
        ("lots.ReleaseHold", "POST"): {"grounds": "quarantine_resolved",
                                       "evidence": "The bottle was clear when checked.",
                                       "reason": "False alarm."},
        ("recall_reviews.DismissReview", "POST"): {"reason": "Another product of the brand."},
        ("credentials.CredentialRenewals", "POST"): {"issued_on": "2030-06-01",
                                                     "expires_on": "2032-06-01"},
        ("clients.Clients", "POST"): {"clinic_id": clinic, "reference": "NEW-CLIENT"},
        ("clients.ClientById", "PATCH"): {"initials": "AB", "reason": "typo"},
        ("procedures.Procedures", "POST"): {
            "clinic_id": clinic, "practitioner_id": ids["practitioner_id"],
            "client_id": ids["client_id"], "performed_on": "2025-07-01",
            "body_area": "scalp", "session_number": 2, "lot_ids": [ids["lot_id"]]},
        ("reactions.Reactions", "POST"): {
            "clinic_id": clinic, "client_id": ids["client_id"], "event_on": "2025-07-02",
            "aware_on": "2025-07-03", "description": "Swelling."},
        ("reactions.ReactionById", "PATCH"): {"reported_to_fda_on": "2025-07-10",
                                              "reason": "filed MedWatch"},
        ("inspections.Inspections", "POST"): {"clinic_id": clinic, "inspected_on": "2025-10-01"},
        ("inspections.InspectionFindings", "POST"): {"description": "No sharps log."},
        ("inspections.FindingActions", "POST"): {"description": "Start a log.",
                                                 "due_on": "2025-10-15"},
        ("inspections.CorrectiveActionById", "PATCH"): {
            "status": "done", "completed_on": "2025-09-10", "reason": "container replaced"},
    }
    if (endpoint, method) in (("credentials.CredentialDocument", "PUT"),
                              ("report_verification.ReportVerification", "POST")):
        return {"data": {"file": (io.BytesIO(PDF), "licence.pdf")},
                "content_type": "multipart/form-data"}
    body = bodies.get((endpoint, method))
    return {"json": body} if body is not None else {}


def test_every_api_route_is_in_the_matrix(app):
    missing = {(rule.endpoint, method) for rule, method in api_routes(app)} - set(MATRIX)
    assert not missing, f"routes with no tenancy expectations: {sorted(missing)}"


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_tenancy_matrix(app, principal):
    world = build_world()
    # The world's recall names clinic A's lot, which its procedure used: a client to notify.
    recalls.match_lot(Recall.get_by_id(world.ids["recall_id"]),
                      PigmentLot.get_by_id(world.ids["lot_id"]), "all lots", "All lots", ACTOR)
    client = client_for(app, world, principal)
    leaks, contacts = [], set()
    for rule, method in api_routes(app):
        expected = MATRIX[(rule.endpoint, method)][principal]
        url = rule.build(ids_for(rule.endpoint, world), append_unknown=False)[1]
        response = client.open(url, method=method,
                               **request_for(rule.endpoint, method, world))
        got = _outcome(response, rule.endpoint, method, world)
        received = contact_values_in(response)
        response.close()
        if got != expected:
            leaks.append(f"{method} {url}: expected {expected}, got {got} "
                         f"{response.get_data(as_text=True)[:200]}")
        if received and principal not in SEES_CONTACTS:
            leaks.append(f"{method} {url}: a client's contact details {sorted(received)}")
        contacts |= received
    assert leaks == []
    # The search finds what it looks for: the clinic's officer did receive them.
    assert bool(contacts) is (principal in SEES_CONTACTS)


def _outcome(response, endpoint, method, world):
    if response.status_code >= 300:
        return response.status_code
    body = response.get_json(silent=True)
    if method != "GET" or endpoint not in LISTED or not isinstance(body, list):
        return "ok"
    key = LISTED[endpoint]
    seen = bool(body) if key is None else world.ids[key] in {row.get("id") for row in body}
    return "ok" if seen else "hidden"
