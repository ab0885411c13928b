"""`registry recalls impact`: the clinics, clients and procedures a recall reached, with
references and counts only; no client's contact details leave through the command line."""

import csv

import pytest

from tests.recall_world import build_recall_world


@pytest.fixture
def rw(app):
    return build_recall_world()


def test_the_impact_lists_clinics_clients_and_procedures_without_contacts(runner, rw):
    result = runner.invoke(args=["recalls", "impact", "F-0777-2025"])
    assert result.exit_code == 0, result.output
    a, b = rw.world.clinic_a, rw.world.clinic_b
    assert "2 lots matched; 2 clinics, 3 clients, 4 procedures reached" in result.output
    assert f"{a.name} (OR), clinic {a.id}: 2 clients, 3 procedures" in result.output
    assert f"{b.name} (TX), clinic {b.id}: 1 client, 1 procedure" in result.output
    ann = rw.clients_a[0].reference
    assert ann not in result.output  # counts only, unless the clients are asked for
    assert result.output == runner.invoke(args=["recalls", "impact", str(rw.recall.id)]).output
    listed = runner.invoke(args=["recalls", "impact", "F-0777-2025", "--clients"]).output
    assert (f"{ann}: 2025-03-01 eyebrows, lot B-77 (Onyx); 2025-04-01 eyebrows, lot B-77 (Onyx)"
            in listed)
    assert "@" not in listed and "555" not in listed


def test_the_csv_leaves_contact_details_blank(runner, rw, tmp_path):
    out = tmp_path / "notify.csv"
    result = runner.invoke(args=["recalls", "impact", "F-0777-2025", "--csv",
                                 str(rw.world.clinic_a.id), "--output", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:4] == ["client_reference", "initials", "email", "phone"]
    assert sorted(r[0] for r in rows[1:]) == sorted(
        [rw.clients_a[0].reference] * 2 + [rw.clients_a[1].reference])
    assert all(r[1:4] == ["", "", ""] for r in rows[1:])


def test_unknown_recalls_and_clinics_it_did_not_reach_are_refused(runner, rw, tmp_path):
    result = runner.invoke(args=["recalls", "impact", "F-0000-2025"])
    assert result.exit_code != 0 and "no recall 'F-0000-2025'" in result.output
    out = tmp_path / "notify.csv"
    result = runner.invoke(args=["recalls", "impact", "F-0888-2025", "--csv",
                                 str(rw.world.clinic_a.id), "--output", str(out)])
    assert result.exit_code != 0 and "no client of clinic" in result.output
    assert not out.exists()
    result = runner.invoke(args=["recalls", "impact", "F-0777-2025", "--csv", "1"])
    assert result.exit_code != 0 and "--output" in result.output
