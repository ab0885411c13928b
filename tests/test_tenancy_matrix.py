"""Every API route × every kind of caller × clinic A's objects: who may, who may not.

The routes come from the URL map, so a new route without a row here fails this test."""

import pytest

from tests.api_world import PRINCIPALS, build_world, client_for

# Outcomes: "ok" (2xx, and for lists: clinic A's object is in the answer), "hidden" (a list
# without clinic A's object), or the refusal status. Another tenant's object is 404.
READ = {"anonymous": 401, "officer_a": "ok", "officer_b": 404, "inspector_a": "ok",
        "inspector_other": 404, "importer": 403, "admin": "ok"}
LIST = {**READ, "officer_b": "hidden", "inspector_other": "hidden"}
EDIT = {**READ, "inspector_a": 403}
ADMIN_ONLY = {"anonymous": 401, "officer_a": 403, "officer_b": 403, "inspector_a": 403,
              "inspector_other": 403, "importer": 403, "admin": "ok"}

MATRIX = {
    ("clinics.Clinics", "GET"): LIST,
    ("clinics.Clinics", "POST"): ADMIN_ONLY,
    ("clinics.ClinicById", "GET"): READ,
    ("clinics.ClinicById", "PATCH"): EDIT,
    ("clinics.ClinicChecklist", "GET"): READ,
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


def body_for(endpoint, method, world):
    if (endpoint, method) == ("clinics.Clinics", "POST"):
        return {"name": "New Clinic", "state": "OR"}
    if (endpoint, method) == ("clinics.ClinicById", "PATCH"):
        return {"city": "Bend", "reason": "moved"}
    return None


def test_every_api_route_is_in_the_matrix(app):
    missing = {(rule.endpoint, method) for rule, method in api_routes(app)} - set(MATRIX)
    assert not missing, f"routes with no tenancy expectations: {sorted(missing)}"


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_tenancy_matrix(app, principal):
    world = build_world()
    client = client_for(app, world, principal)
    ids = {"clinic_id": world.clinic_a.id}
    leaks = []
    for rule, method in api_routes(app):
        expected = MATRIX[(rule.endpoint, method)][principal]
        url = rule.build(ids, append_unknown=False)[1]
        response = client.open(url, method=method,
                               json=body_for(rule.endpoint, method, world))
        if expected in ("ok", "hidden"):
            listed = response.status_code == 200 and isinstance(response.get_json(), list)
            seen = listed and world.clinic_a.id in _clinic_ids(response.get_json())
            got = "ok" if (response.status_code < 300 and (not listed or seen)) else (
                "hidden" if listed else response.status_code)
        else:
            got = response.status_code
        if got != expected:
            leaks.append(f"{method} {url}: expected {expected}, got {got}")
    assert leaks == []


def _clinic_ids(rows):
    return {row.get("clinic_id", row.get("id")) for row in rows}
