"""The recall pages: which recalls reached the viewer's clinics, the clients each clinic must
notify, and the notification list as CSV for the clinic's own officers."""

import csv
import io

import pytest

from tests.pages import page_client, sign_in, text_of
from tests.recall_world import FORMULA_INITIALS, FORMULA_PHONE, build_recall_world


@pytest.fixture
def rw(app):
    return build_recall_world()


def client_as(app, rw, name):
    client = page_client(app)
    sign_in(client, rw.world.users[name].email)
    return client


def report_url(recall) -> str:
    return f"/recalls/{recall.id}"


def csv_url(recall, clinic) -> str:
    return f"/recalls/{recall.id}/clinics/{clinic.id}/notify.csv"


def test_the_officer_sees_their_own_clients_contacts_and_no_other_clinic(app, rw):
    response = client_as(app, rw, "officer_a").get(report_url(rw.recall))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store, private"
    page = text_of(response)
    for expected in ("F-0777-2025", "Onyx Inks LLC", "Onyx tattoo ink, black",
                     "Microbial contamination", "Class II", "2025-05-07",
                     rw.world.clinic_a.name, "ann@clinic-a.test", "bea@clinic-a.test",
                     "503 555 0101", FORMULA_INITIALS, rw.clients_a[0].reference,
                     "2025-04-01, eyebrows: lot B-77 of Onyx"):
        assert expected in page, expected
    assert "2 clients, 3 procedures" in page
    assert rw.world.clinic_b.name not in page
    assert "cal@clinic-b.test" not in page and rw.client_b.reference not in page
    assert "shown only to the clinic's own officers" not in page
    assert csv_url(rw.recall, rw.world.clinic_a) in response.get_data(as_text=True)


def test_the_officer_downloads_exactly_their_clients_with_formulas_defused(app, rw):
    response = client_as(app, rw, "officer_a").get(csv_url(rw.recall, rw.world.clinic_a))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=recall-{rw.recall.id}-clinic-{rw.world.clinic_a.id}-notify.csv")
    assert response.headers["Cache-Control"] == "no-store, private"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["client_reference", "initials", "email", "phone", "procedure_date",
                       "lot_number", "product"]
    ann, bea = rw.clients_a
    assert sorted((r[0], r[2], r[4]) for r in rows[1:]) == [
        (ann.reference, "ann@clinic-a.test", "2025-03-01"),
        (ann.reference, "ann@clinic-a.test", "2025-04-01"),
        (bea.reference, "bea@clinic-a.test", "2025-03-15")]
    ann_row = next(r for r in rows if r[0] == ann.reference)
    assert ann_row[1] == "'" + FORMULA_INITIALS and ann_row[3] == "'" + FORMULA_PHONE
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_another_clinics_officer_sees_only_their_clinic(app, rw):
    client = client_as(app, rw, "officer_b")
    page = text_of(client.get(report_url(rw.recall)))
    assert rw.world.clinic_b.name in page and "cal@clinic-b.test" in page
    assert rw.world.clinic_a.name not in page and "ann@clinic-a.test" not in page
    assert "1 client, 1 procedure" in page
    assert client.get(csv_url(rw.recall, rw.world.clinic_a)).status_code == 404
    assert client.get(csv_url(rw.recall, rw.world.clinic_b)).status_code == 200


def test_the_inspector_sees_their_states_clinics_without_contacts(app, rw):
    client = client_as(app, rw, "inspector_a")
    response = client.get(report_url(rw.recall))
    assert response.status_code == 200
    page = text_of(response)
    assert rw.world.clinic_a.name in page and rw.clients_a[0].reference in page
    assert rw.world.clinic_b.name not in page  # Texas is not the inspector's
    assert "Contact details are shown only to the clinic's own officers." in page
    assert "@clinic-a.test" not in page and "503 555 0101" not in page
    assert FORMULA_INITIALS not in page
    assert "notify.csv" not in response.get_data(as_text=True)
    # The inspector sees the clinic, so the refusal is a 403, as for other files kept from them.
    assert client.get(csv_url(rw.recall, rw.world.clinic_a)).status_code == 403
    assert client.get(csv_url(rw.recall, rw.world.clinic_b)).status_code == 404


def test_the_administrator_sees_every_clinic_without_contacts(app, rw):
    client = client_as(app, rw, "admin")
    response = client.get(report_url(rw.recall))
    page = text_of(response)
    assert rw.world.clinic_a.name in page and rw.world.clinic_b.name in page
    assert "3 clients at 2 clinics, in 4 procedures" in page
    assert "@clinic-" not in page and "notify.csv" not in response.get_data(as_text=True)
    assert page.count("Contact details are shown only to the clinic's own officers.") == 2
    for clinic in (rw.world.clinic_a, rw.world.clinic_b):
        assert client.get(csv_url(rw.recall, clinic)).status_code == 403


def test_a_recall_that_reached_none_of_the_viewers_clinics_is_not_found(app, rw):
    assert client_as(app, rw, "officer_a").get(report_url(rw.only_b)).status_code == 404
    assert client_as(app, rw, "inspector_other").get(report_url(rw.recall)).status_code == 404
    assert client_as(app, rw, "officer_b").get(report_url(rw.unused)).status_code == 404
    assert client_as(app, rw, "officer_a").get("/recalls/2147483647").status_code == 404


def test_a_matched_lot_no_procedure_used_has_no_client_to_notify(app, rw):
    client = client_as(app, rw, "officer_a")
    page = text_of(client.get(report_url(rw.unused)))
    assert "B-99" in page and "there is no client to notify" in page
    assert client.get(csv_url(rw.unused, rw.world.clinic_a)).status_code == 404


def test_the_index_lists_the_recalls_that_reached_the_viewer_newest_first(app, rw):
    page = text_of(client_as(app, rw, "officer_a").get("/recalls"))
    assert "F-0888-2025" not in page
    assert page.index("F-0777-2025") < page.index("F-0999-2025")
    assert "C-0101-2025" not in page  # the world's recall matched no lot
    row = page.split("F-0777-2025")[1].split("F-0999-2025")[0]
    assert row.split()[-3:] == ["1", "1", "2"]  # lots matched, clinics, clients
    admin = text_of(client_as(app, rw, "admin").get("/recalls"))
    row = admin.split("F-0777-2025")[1].split("F-0888-2025")[0]
    assert row.split()[-3:] == ["2", "2", "3"]
    officer_b = text_of(client_as(app, rw, "officer_b").get("/recalls"))
    assert "F-0888-2025" in officer_b and "F-0999-2025" not in officer_b


def test_anonymous_visitors_are_sent_to_sign_in(app, rw):
    response = page_client(app).get(report_url(rw.recall))
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_the_navigation_and_the_dashboard_lead_to_the_report(app, rw):
    client = client_as(app, rw, "officer_a")
    html = client.get(f"/clinics/{rw.world.clinic_a.id}/").get_data(as_text=True)
    assert f'href="/recalls/{rw.recall.id}"' in html
    assert 'href="/recalls">Recalls</a>' in html
    assert 'aria-current="page">Recalls</a>' in client.get("/recalls").get_data(as_text=True)
    assert 'href="/recalls">Recalls</a>' in client_as(app, rw, "inspector_a").get(
        "/inspect/").get_data(as_text=True)
