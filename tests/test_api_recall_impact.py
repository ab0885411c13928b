"""A recall's impact through the API: the clinics and clients the caller sees, contact details
for a clinic's own officers only, and the notification list as CSV."""

import csv
import io

import pytest

from tests.api_world import client_for
from tests.recall_world import FORMULA_INITIALS, build_recall_world


@pytest.fixture
def rw(app):
    return build_recall_world()


def impact_of(app, rw, principal, recall=None):
    response = client_for(app, rw.world, principal).get(
        f"/api/v1/recalls/{(recall or rw.recall).id}/impact")
    return response.status_code, response.get_json()


def csv_url(recall, clinic) -> str:
    return f"/api/v1/recalls/{recall.id}/impact/clinics/{clinic.id}.csv"


def test_the_officer_gets_their_clinics_clients_with_contacts(app, rw):
    status, body = impact_of(app, rw, "officer_a")
    assert status == 200
    assert (body["recall_id"], body["recall_number"]) == (rw.recall.id, "F-0777-2025")
    assert [lot["lot_id"] for lot in body["lots"]] == [rw.lot_a.id]
    assert (body["client_count"], body["procedure_count"]) == (2, 3)
    [clinic] = body["clinics"]
    assert (clinic["clinic_id"], clinic["state"], clinic["contacts_shown"]) == (
        rw.world.clinic_a.id, "OR", True)
    by_reference = {c["reference"]: c for c in clinic["clients"]}
    ann = by_reference[rw.clients_a[0].reference]
    assert (ann["initials"], ann["email"]) == (FORMULA_INITIALS, "ann@clinic-a.test")
    assert [u["performed_on"] for u in ann["uses"]] == ["2025-03-01", "2025-04-01"]
    assert {u["lot_number"] for u in ann["uses"]} == {"B-77"}
    assert "clinic-b.test" not in str(body)


def test_administrators_and_inspectors_get_references_and_counts_only(app, rw):
    status, admin = impact_of(app, rw, "admin")
    assert status == 200
    assert sorted(lot["clinic_id"] for lot in admin["lots"]) == sorted(
        [rw.world.clinic_a.id, rw.world.clinic_b.id])
    assert [c["client_count"] for c in admin["clinics"]] == [2, 1]
    notices = [n for c in admin["clinics"] for n in c["clients"]]
    assert all((n["initials"], n["email"], n["phone"]) == (None, None, None) for n in notices)
    assert not any(c["contacts_shown"] for c in admin["clinics"])
    _status, inspector = impact_of(app, rw, "inspector_a")
    assert [c["clinic_id"] for c in inspector["clinics"]] == [rw.world.clinic_a.id]
    assert "@" not in str(inspector)


def test_a_recall_that_reached_none_of_the_callers_clinics_is_not_found(app, rw):
    assert impact_of(app, rw, "officer_a", rw.only_b)[0] == 404
    assert impact_of(app, rw, "inspector_other")[0] == 404
    status, body = impact_of(app, rw, "officer_a", rw.unused)
    assert status == 200 and body["clinics"] == [] and len(body["lots"]) == 1


def test_the_csv_goes_to_the_clinics_officers_alone(app, rw):
    officer = client_for(app, rw.world, "officer_a")
    response = officer.get(csv_url(rw.recall, rw.world.clinic_a))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store, private"
    assert f"recall-{rw.recall.id}-clinic-{rw.world.clinic_a.id}-notify.csv" in \
        response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 1 + 3
    assert {r[2] for r in rows[1:]} == {"ann@clinic-a.test", "bea@clinic-a.test"}
    assert "'" + FORMULA_INITIALS in {r[1] for r in rows}
    assert officer.get(csv_url(rw.recall, rw.world.clinic_b)).status_code == 404
    assert officer.get(csv_url(rw.unused, rw.world.clinic_a)).status_code == 404
    for principal in ("inspector_a", "admin"):
        response = client_for(app, rw.world, principal).get(csv_url(rw.recall,
                                                                     rw.world.clinic_a))
        assert response.status_code == 403
        assert "officers" in response.get_json()["message"]


def test_the_impact_is_in_the_openapi_document(app):
    paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    impact = paths["/api/v1/recalls/{recall_id}/impact"]["get"]
    assert impact["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] \
        .endswith("/RecallImpact")
    notices = paths["/api/v1/recalls/{recall_id}/impact/clinics/{clinic_id}.csv"]["get"]
    assert "text/csv" in notices["responses"]["200"]["content"]


def test_no_cache_keeps_the_impact_with_its_contact_details(app, rw):
    response = client_for(app, rw.world, "officer_a").get(
        f"/api/v1/recalls/{rw.recall.id}/impact")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store, private"
