"""Administration pages: users and roles, import sources and runs, roster uploads, rule packs."""

import io

import pytest

from importers import pipeline
from registry.models import ImportRun, Membership, RejectedRow, RosterEntry, User
from registry.services import compliance
from tests.api_world import PASSWORD, build_world
from tests.pages import error_for, page_client, sign_in, text_of
from tests.test_rosters import HEADER

NEW_PASSWORD = "a fresh initial password"
UPLOAD = "/admin/imports/rosters/upload"


@pytest.fixture
def world(app):
    return build_world()


@pytest.fixture
def admin(app, world):
    client = page_client(app)
    sign_in(client, world.users["admin"].email)
    return client


def new_user(**changes) -> dict:
    return {"email": "nadia@example.test", "display_name": "Nadia Brooks",
            "password": NEW_PASSWORD, "role": "officer", **changes}


def roster_csv(rows, header=HEADER) -> bytes:
    lines = [",".join(header)] + [",".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


BBP_ROWS = [
    ["BBP-0042", "Maya", "Okafor", "OSHA BBP", "01/10/2025", "01/10/2028", "Completed"],
    ["BBP-0043", "Liam", "Brandt", "OSHA BBP", "01/10/2025", "01/10/2028", "Completed"],
]


def upload(client, content: bytes, roster="bbp-training", **fields):
    return client.submit(UPLOAD, {"roster": roster,
                                  "file": (io.BytesIO(content), "roster.csv"), **fields},
                         content_type="multipart/form-data")


def test_the_users_page_lists_users_with_roles_and_a_search(admin, world):
    page = text_of(admin.get("/admin/users"))
    assert "officer_a@example.test" in page and "inspector_a@example.test" in page
    assert f"Officer: {world.clinic_a.name} (OR)" in page and "Inspector: WA" in page
    assert "Add a user" in page and "active" in page
    found = text_of(admin.get("/admin/users?q=INSPECTOR"))
    assert "inspector_other@example.test" in found and "officer_a@example.test" not in found


def test_an_administrator_adds_an_officer_who_can_then_sign_in(app, admin, world):
    response = admin.submit("/admin/users/new",
                            new_user(clinic_id=str(world.clinic_a.id), jurisdiction="TX"))
    assert response.status_code == 302
    user = User.get(User.email == "nadia@example.test")
    assert response.headers["Location"].endswith(f"/admin/users/{user.id}")
    roles = [(m.role, m.clinic_id, m.jurisdiction) for m in user.memberships]
    assert roles == [("officer", world.clinic_a.id, None)]  # an officer names no jurisdiction
    assert "Nadia Brooks is added" in text_of(admin.get(response.headers["Location"]))
    newcomer = page_client(app)
    landing = sign_in(newcomer, "nadia@example.test", NEW_PASSWORD).headers["Location"]
    assert landing.endswith(f"/clinics/{world.clinic_a.id}/")


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"email": "not an email"}, "email", "email"),
    ({"password": "short"}, "password", "12 characters"),
    ({}, "clinic_id", "An officer's role names a clinic."),
    ({"role": "inspector"}, "jurisdiction", "names a jurisdiction"),
    ({"role": ""}, "role", "Choose a role."),
    ({"email": "officer_a@example.test", "role": "importer"}, "email", "already exists"),
])
def test_a_refused_new_user_is_explained_and_nothing_is_saved(admin, world, changes, field,
                                                              message):
    users, roles = User.select().count(), Membership.select().count()
    response = admin.submit("/admin/users/new", new_user(**changes))
    assert response.status_code == 422
    assert message in (error_for(response, field) or "")
    assert (User.select().count(), Membership.select().count()) == (users, roles)


def test_grant_and_revoke_a_role(admin, world):
    user = world.users["inspector_other"]
    page = f"/admin/users/{user.id}"
    granted = admin.submit(page, {"role": "officer", "clinic_id": str(world.clinic_b.id)},
                           action=f"{page}/roles")
    assert granted.status_code == 302
    membership = Membership.get((Membership.user == user) & (Membership.role == "officer"))
    assert membership.clinic_id == world.clinic_b.id
    revoke = f"{page}/roles/{membership.id}/revoke"
    refused = admin.submit(page, {"reason": ""}, action=revoke)
    assert refused.status_code == 422
    assert error_for(refused, f"revoke-{membership.id}-reason") == "Say why the role is revoked."
    assert Membership.get_by_id(membership.id).revoked_at is None
    assert admin.submit(page, {"reason": "Left the clinic"}, action=revoke).status_code == 302
    assert Membership.get_by_id(membership.id).revoked_at is not None
    assert "Revoked" in text_of(admin.get(page))
    assert admin.submit(page, {"reason": "Again"}, action=revoke).status_code == 404


def test_an_administrator_keeps_their_own_role_and_account(admin, world):
    me = world.users["admin"]
    page = f"/admin/users/{me.id}"
    mine = Membership.get(Membership.user == me)
    refused = admin.submit(page, {"reason": "Oops"}, action=f"{page}/roles/{mine.id}/revoke")
    assert refused.status_code == 422 and Membership.get_by_id(mine.id).revoked_at is None
    assert "your own administrator role" in error_for(refused, f"revoke-{mine.id}-reason")
    refused = admin.submit(page, {"reason": "Oops"}, action=f"{page}/disable")
    assert refused.status_code == 422
    assert error_for(refused, "reason") == "You cannot disable your own account."
    assert User.get_by_id(me.id).is_active


def test_a_disabled_user_is_sent_to_sign_in_on_their_next_page(app, admin, world):
    user = world.users["officer_a"]
    theirs = page_client(app)
    sign_in(theirs, user.email)
    assert theirs.get("/account/password").status_code == 200
    page = f"/admin/users/{user.id}"
    response = admin.submit(page, {"reason": "Left the clinic"}, action=f"{page}/disable")
    assert response.status_code == 302
    assert not User.get_by_id(user.id).is_active
    assert "disabled" in text_of(admin.get(page))
    answer = theirs.get("/account/password")
    assert answer.status_code == 302 and "/sign-in" in answer.headers["Location"]
    assert theirs.submit("/sign-in", {"email": user.email,
                                      "password": PASSWORD}).status_code == 401


def test_disabling_needs_a_reason(admin, world):
    user = world.users["officer_b"]
    page = f"/admin/users/{user.id}"
    response = admin.submit(page, {"reason": ""}, action=f"{page}/disable")
    assert response.status_code == 422
    assert error_for(response, "reason") == "Say why the account is disabled."
    assert User.get_by_id(user.id).is_active


def test_the_imports_page_lists_sources_and_runs(admin, world):
    page = text_of(admin.get("/admin/imports"))
    for name in ("recalls", "cosmetic-events", "bbp-training", "ct-licenses"):
        assert f"Runs of {name}" in page
    assert "Never run" in page
    assert f"#{world.ids['run_id']} openfda_recalls partial" in page
    only = text_of(admin.get("/admin/imports?source=recalls"))
    assert "No runs of recalls yet." in only
    assert admin.get("/admin/imports?source=nowhere").status_code == 422


def test_a_run_page_shows_its_rejected_rows(admin, world):
    response = admin.get(f"/admin/imports/runs/{world.ids['run_id']}")
    page = text_of(response)
    assert response.status_code == 200
    assert "recall_number: missing" in page and "1 rejected row" in page
    assert admin.get("/admin/imports/runs/999999").status_code == 404


def test_rejected_rows_come_a_hundred_to_a_page(admin, world):
    run = ImportRun.create(source="bbp-training", status="succeeded", rejected=105)
    RejectedRow.insert_many([{"run": run.id, "row_number": n, "reason": f"reason {n}",
                              "raw": {"number": f"<b>{n}</b>"}} for n in range(1, 106)]).execute()
    first = admin.get(f"/admin/imports/runs/{run.id}")
    assert "Page 1 of 2" in text_of(first) and "reason 100" in text_of(first)
    assert "reason 101" not in text_of(first) and "&lt;b&gt;1&lt;/b&gt;" in first.get_data(
        as_text=True)
    second = text_of(admin.get(f"/admin/imports/runs/{run.id}?page=2"))
    assert "reason 105" in second and "reason 100 " not in second and "Previous page" in second


def test_a_roster_upload_imports_the_file_and_shows_its_run(admin, world):
    rows = [*BBP_ROWS, ["BBP-0044", "Sofia", "Reyes", "OSHA BBP", "01/10/2025", "01/10/2028",
                        "Lapsed?"]]
    response = upload(admin, roster_csv(rows))
    assert response.status_code == 302
    run = ImportRun.select().order_by(ImportRun.id.desc()).get()
    assert response.headers["Location"].endswith(f"/admin/imports/runs/{run.id}")
    assert (run.source, run.status, run.created, run.rejected) == ("bbp-training", "succeeded",
                                                                   2, 1)
    assert run.triggered_by == "upload by admin@example.test"
    assert RosterEntry.select().count() == 2
    page = text_of(admin.get(response.headers["Location"]))
    assert "not in this roster's vocabulary" in page and '"status": "Lapsed?"' in page
    assert "#" + str(run.id) in text_of(admin.get("/admin/imports"))


def test_a_dry_run_saves_nothing(admin, world):
    runs = ImportRun.select().count()
    response = upload(admin, roster_csv(BBP_ROWS), dry_run="y")
    assert response.status_code == 200
    assert RosterEntry.select().count() == 0 and ImportRun.select().count() == runs
    assert "2 new" in text_of(response) and "Nothing was saved." in text_of(response)


@pytest.mark.parametrize(("content", "message"), [
    (roster_csv(BBP_ROWS, header=["licence", *HEADER[1:]]), "missing certificate_number"),
    (b"", "The file is empty"),
])
def test_a_file_that_is_not_the_roster_is_refused(admin, world, content, message):
    runs = ImportRun.select().count()
    response = upload(admin, content)
    assert response.status_code == 422
    assert message in error_for(response, "file")
    assert RosterEntry.select().count() == 0 and ImportRun.select().count() == runs


def test_an_upload_while_an_import_runs_is_refused(admin, world, monkeypatch):
    def busy(source, **_options):
        raise pipeline.ImportRefused(f"an import of {source.name} is already running")

    monkeypatch.setattr(pipeline, "run", busy)
    response = upload(admin, roster_csv(BBP_ROWS))
    assert response.status_code == 422
    assert "already running" in error_for(response, "file")


def test_an_upload_needs_a_roster_and_a_file(admin, world):
    response = admin.submit(UPLOAD, {}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert error_for(response, "roster") == "Choose a roster."
    assert error_for(response, "file") == "Choose a CSV file."


def test_the_rule_packs_page_lists_every_loaded_pack(admin, world):
    page = text_of(admin.get("/admin/rule-packs"))
    packs = compliance.loaded_packs()
    assert packs
    for pack in packs:
        assert pack.name in page and pack.version in page
    assert f"{len(packs)} packs loaded" in page or f"{len(packs)} pack loaded" in page
    assert "with a conflict note" in page and "unverified" in page


def test_a_form_without_its_csrf_token_changes_nothing(admin, world):
    user = world.users["officer_a"]
    users = User.select().count()
    assert admin.post("/admin/users/new", data=new_user(
        clinic_id=str(world.clinic_a.id))).status_code == 400
    assert admin.post(f"/admin/users/{user.id}/disable",
                      data={"reason": "No token"}).status_code == 400
    assert User.select().count() == users and User.get_by_id(user.id).is_active


@pytest.mark.parametrize("principal", ["officer_a", "inspector_a", "importer"])
def test_only_administrators_may_open_administration(app, world, principal):
    client = page_client(app)
    sign_in(client, world.users[principal].email)
    user = world.users["officer_b"]
    for url in ("/admin/users", "/admin/users/new", f"/admin/users/{user.id}",
                "/admin/imports", f"/admin/imports/runs/{world.ids['run_id']}", UPLOAD,
                "/admin/rule-packs"):
        assert client.get(url).status_code == 403, url
    token = client.csrf_token("/account/password")
    response = client.post(f"/admin/users/{user.id}/disable",
                           data={"csrf_token": token, "reason": "Not allowed"})
    assert response.status_code == 403 and User.get_by_id(user.id).is_active
