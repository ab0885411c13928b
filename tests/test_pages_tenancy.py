"""Every page × every kind of signed-in user × clinic A's records: who may, who may not.

The routes come from the URL map, so a new page without a row here fails this test. Pages
answer a browser's session only; the importer signs in like anyone else."""

import pytest

from registry.models import PigmentLot, Recall
from registry.services import recalls
from tests.api_world import PRINCIPALS, build_world, contact_values_in
from tests.factories import ACTOR
from tests.pages import page_client, sign_in

# "ok": the page opens (or, for a form posted empty, answers with its field errors or does
# its work); "sign in": a redirect to the sign-in page; otherwise the refusal status.
OPEN = {p: "ok" for p in PRINCIPALS}
SIGNED_IN = {**OPEN, "anonymous": "sign in"}
READ = {"anonymous": "sign in", "officer_a": "ok", "officer_b": 404, "inspector_a": "ok",
        "inspector_other": 404, "importer": 403, "admin": "ok"}
READERS = {**READ, "officer_b": "ok", "inspector_other": "ok"}
EDIT = {**READ, "inspector_a": 403}
INSPECT = {**READ, "officer_a": 403}
REPORT = {**READ, "admin": 403}
ADMIN_ONLY = {"anonymous": "sign in", "officer_a": 403, "officer_b": 403, "inspector_a": 403,
              "inspector_other": 403, "importer": 403, "admin": "ok"}
INSPECTORS = {**ADMIN_ONLY, "inspector_a": "ok", "inspector_other": "ok"}
# Clients' contact details: the clinic's own officers alone.
CONTACTS = {**REPORT, "inspector_a": 403}
# Who may ever receive a client's initials or contact details, on any page or download.
SEES_CONTACTS = {"officer_a"}
# Lifting a hold on a lot: the clinic's own officers alone.
RELEASE = {**EDIT, "admin": 403}

MATRIX = {
    ("pages.account.sign_in", "GET"): OPEN,
    ("pages.account.sign_in", "POST"): {**OPEN},
    ("pages.account.sign_out", "POST"): OPEN,
    ("pages.account.password", "GET"): SIGNED_IN,
    ("pages.account.password", "POST"): SIGNED_IN,
    ("pages.dashboard.mine", "GET"): READERS,
    ("pages.dashboard.show", "GET"): READ,
    ("pages.dashboard.profile", "GET"): READ,
    ("pages.dashboard.profile", "POST"): EDIT,
    ("pages.checklist.show", "GET"): READ,
    ("pages.checklist.report", "GET"): REPORT,
    ("pages.practitioners.index", "GET"): READ,
    ("pages.practitioners.new", "GET"): EDIT,
    ("pages.practitioners.new", "POST"): EDIT,
    ("pages.practitioners.show", "GET"): READ,
    ("pages.practitioners.edit", "GET"): EDIT,
    ("pages.practitioners.edit", "POST"): EDIT,
    ("pages.practitioners.new_credential", "GET"): EDIT,
    ("pages.practitioners.new_credential", "POST"): EDIT,
    ("pages.practitioners.new_clinic_credential", "GET"): EDIT,
    ("pages.practitioners.new_clinic_credential", "POST"): EDIT,
    ("pages.practitioners.edit_credential", "GET"): EDIT,
    ("pages.practitioners.edit_credential", "POST"): EDIT,
    ("pages.practitioners.renew_credential", "GET"): EDIT,
    ("pages.practitioners.renew_credential", "POST"): EDIT,
    ("pages.practitioners.credential_history", "GET"): READ,
    ("pages.practitioners.upload", "GET"): EDIT,
    ("pages.practitioners.upload", "POST"): EDIT,
    ("pages.practitioners.document", "GET"): READ,
    ("pages.lots.index", "GET"): READ,
    ("pages.lots.receive", "GET"): EDIT,
    ("pages.lots.receive", "POST"): EDIT,
    ("pages.lots.show", "GET"): READ,
    ("pages.lots.open", "POST"): EDIT,
    ("pages.lots.quarantine", "GET"): EDIT,
    ("pages.lots.quarantine", "POST"): EDIT,
    ("pages.lots.dispose", "GET"): EDIT,
    ("pages.lots.dispose", "POST"): EDIT,
    ("pages.lots.release", "GET"): RELEASE,
    ("pages.lots.release", "POST"): RELEASE,
    ("pages.lots.new_product", "GET"): EDIT,
    ("pages.lots.new_product", "POST"): EDIT,
    ("pages.procedures.index", "GET"): READ,
    ("pages.procedures.new", "GET"): EDIT,
    ("pages.procedures.new", "POST"): EDIT,
    ("pages.procedures.clients", "GET"): READ,
    ("pages.procedures.new_client", "GET"): EDIT,
    ("pages.procedures.new_client", "POST"): EDIT,
    ("pages.reactions.index", "GET"): READ,
    ("pages.reactions.new", "GET"): EDIT,
    ("pages.reactions.new", "POST"): EDIT,
    ("pages.reactions.show", "GET"): READ,
    ("pages.reactions.show", "POST"): EDIT,
    ("pages.recall_reviews.index", "GET"): READ,
    ("pages.recall_reviews.confirm", "GET"): RELEASE,
    ("pages.recall_reviews.confirm", "POST"): RELEASE,
    ("pages.recall_reviews.dismiss", "GET"): RELEASE,
    ("pages.recall_reviews.dismiss", "POST"): RELEASE,
    ("pages.recalls.index", "GET"): READERS,
    ("pages.recalls.show", "GET"): READ,
    ("pages.recalls.notify_csv", "GET"): CONTACTS,
    ("pages.reactions.medwatch_pdf", "GET"): READ,
    ("pages.reactions.medwatch_json", "GET"): READ,
    ("pages.inspections.index", "GET"): READ,
    ("pages.inspections.new", "GET"): INSPECT,
    ("pages.inspections.new", "POST"): INSPECT,
    ("pages.inspections.show", "GET"): READ,
    ("pages.inspections.new_finding", "GET"): INSPECT,
    ("pages.inspections.new_finding", "POST"): INSPECT,
    ("pages.inspections.action", "GET"): READ,
    ("pages.inspections.action", "POST"): READ,
    ("pages.inspector.clinics", "GET"): INSPECTORS,
    ("pages.inspector.clinic", "GET"): INSPECT,
    ("pages.signals.index", "GET"): INSPECTORS,
    ("pages.signals.product", "GET"): INSPECTORS,
    ("pages.signals.chart", "GET"): INSPECTORS,
    ("pages.admin.users", "GET"): ADMIN_ONLY,
    ("pages.admin.imports", "GET"): ADMIN_ONLY,
    ("pages.admin.rule_packs", "GET"): ADMIN_ONLY,
    ("pages.admin.new_user", "GET"): ADMIN_ONLY,
    ("pages.admin.new_user", "POST"): ADMIN_ONLY,
    ("pages.admin.user", "GET"): ADMIN_ONLY,
    ("pages.admin.grant_role", "POST"): ADMIN_ONLY,
    ("pages.admin.revoke_role", "POST"): ADMIN_ONLY,
    ("pages.admin.disable_user", "POST"): ADMIN_ONLY,
    ("pages.admin.import_run", "GET"): ADMIN_ONLY,
    ("pages.admin.roster_upload", "GET"): ADMIN_ONLY,
    ("pages.admin.roster_upload", "POST"): ADMIN_ONLY,
}
NOT_PAGES = {"static", "home.index", "health.healthz", "verify.page"}


def page_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.endpoint in NOT_PAGES:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_page_is_in_the_matrix(app):
    missing = {(rule.endpoint, method) for rule, method in page_routes(app)} - set(MATRIX)
    assert not missing, f"pages with no tenancy expectations: {sorted(missing)}"


def _outcome(response) -> str | int:
    if response.status_code == 302 and "/sign-in" in response.headers["Location"]:
        return "sign in"
    if response.status_code in (200, 302, 401, 422, 429):
        return "ok"
    return response.status_code


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_page_tenancy_matrix(app, principal):
    world = build_world()
    world.ids["user_id"] = world.users["officer_a"].id
    world.ids["membership_id"] = world.users["officer_a"].memberships.get().id
    world.ids["product_id"] = world.ids["pigment_id"]
    # The world's recall names clinic A's lot, which its procedure used: a client to notify.
    recalls.match_lot(Recall.get_by_id(world.ids["recall_id"]),
                      PigmentLot.get_by_id(world.ids["lot_id"]), "all lots", "All lots", ACTOR)
    client = page_client(app)
    if principal != "anonymous":
        sign_in(client, world.users[principal].email)
    leaks, contacts = [], set()
    for rule, method in page_routes(app):
        if (rule.endpoint, method) == ("pages.account.sign_out", "POST"):
            continue  # signing out would end the rest of the walk; tested on its own
        expected = MATRIX[(rule.endpoint, method)][principal]
        ids = world.ids if rule.endpoint != "pages.lots.release" \
            else {**world.ids, "lot_id": world.step_lots["release"]}
        url = rule.build(ids, append_unknown=False)[1]
        data = None
        if method == "POST":
            data = {"csrf_token": client.csrf_token(
                "/sign-in" if principal == "anonymous" else "/account/password")}
        response = client.open(url, method=method, data=data)
        got = _outcome(response)
        received = contact_values_in(response)
        response.close()
        if got != expected:
            leaks.append(f"{method} {url}: expected {expected}, got {got}")
        if received and principal not in SEES_CONTACTS:
            leaks.append(f"{method} {url}: a client's contact details {sorted(received)}")
        contacts |= received
    assert leaks == []
    # The search finds what it looks for: the clinic's officer did receive them.
    assert bool(contacts) is (principal in SEES_CONTACTS)
