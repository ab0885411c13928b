"""Licence and certification rosters: import, credential checks, conditional fetches, crashes."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest

from importers import pipeline, sources
from importers.sources.rosters import RosterConfig, load_rosters
from registry import create_app
from registry.db import db
from registry.models import (
    AuditEvent,
    Credential,
    CredentialVerification,
    ImportRun,
    RejectedRow,
    RosterEntry,
)
from registry.services import practitioners
from tests.conftest import TEST_AUDIT_KEY, TEST_SECRET, make_settings, running_app
from tests.factories import ACTOR, make_clinic
from tests.http_source import Answer

PAYLOADS = Path(__file__).parent / "payloads"
REGISTRY = str(Path(sys.executable).parent / "registry")
HEADER = ["certificate_number", "first_name", "last_name", "course", "completed_on",
          "expires_on", "status"]


@pytest.fixture
def app(database_url, tmp_path, http):
    settings = make_settings(tmp_path, database_url, http_retries=1, http_backoff=0.01,
                             import_chunk_size=50)
    with running_app(settings) as application:
        yield application


def write_csv(path: Path, rows, header=HEADER) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(app, name, **options):
    return pipeline.run(sources.available(app.config["REGISTRY_SETTINGS"])[name], **options)


def nonzero(outcome) -> dict:
    return {name: n for name, n in outcome.counts.items() if n}


def person_with(kind, number, first="Maya", last="Okafor", **fields):
    clinic = make_clinic()
    person = practitioners.create_practitioner({"first_name": first, "last_name": last}, ACTOR,
                                               clinic_id=clinic.id)
    practitioners.affiliate({"practitioner_id": person.id, "clinic_id": clinic.id,
                             "starts_on": "2020-01-01"}, ACTOR)
    return practitioners.add_credential({
        "practitioner_id": person.id, "kind": kind, "issuer": "Provider", "number": number,
        "issued_on": "2025-01-10", **fields}, ACTOR)


def state_of(credential) -> str:
    return Credential.get_by_id(credential.id).verification_state


def test_every_shipped_roster_configuration_loads():
    rosters = load_rosters()
    assert {"ct-licenses", "co-licenses", "il-licenses", "wa-health-credentials",
            "de-licenses", "ca-santa-clara-body-art", "spcp-cpcp", "bbp-training"} <= set(rosters)
    for config in rosters.values():
        assert config.sources and config.note, config.name


def test_a_bad_roster_configuration_is_refused_naming_the_problem(tmp_path):
    (tmp_path / "broken.toml").write_text(
        'name = "x"\ntitle = "X"\nissuer = "X"\ncredential_kinds = ["spcp_cpcp"]\n'
        '[fields]\nname = "n"\n')
    with pytest.raises(ValueError, match="broken.toml: fields.number is required"):
        RosterConfig.from_toml(tmp_path / "broken.toml")


def test_a_training_roster_verifies_and_flags_credentials(app, tmp_path):
    good = person_with("bloodborne_pathogens_training", "BBP-0042")
    other_name = person_with("bloodborne_pathogens_training", "BBP-0043", first="Liam",
                             last="Brandt")
    absent = person_with("bloodborne_pathogens_training", "BBP-9999")
    lapsed = person_with("bloodborne_pathogens_training", "BBP-0044", first="Sofia",
                         last="Reyes")
    voided = person_with("bloodborne_pathogens_training", "BBP-0045", first="Ava",
                         last="Thompson")
    roster = write_csv(tmp_path / "bbp.csv", [
        ["BBP-42", "MAYA", "OKAFOR", "OSHA BBP", "01/10/2025", "01/10/2028", "Completed"],
        ["BBP-0043", "Someone", "Else", "OSHA BBP", "01/10/2025", "01/10/2028", "Completed"],
        ["BBP-0044", "Sofia", "Reyes", "OSHA BBP", "01/10/2020", "01/10/2021", "Completed"],
        ["BBP-0045", "Ava", "Thompson", "OSHA BBP", "01/10/2025", "01/10/2028", "Void"],
    ])
    outcome = run(app, "bbp-training", file=roster)
    assert outcome.status == "succeeded" and nonzero(outcome) == {"fetched": 4, "created": 4}
    assert state_of(good) == "verified"
    assert state_of(other_name) == "mismatch"
    assert state_of(absent) == "not_found"
    assert state_of(lapsed) == "expired"
    assert state_of(voided) == "revoked"
    check = CredentialVerification.get(CredentialVerification.credential == good.id)
    assert check.raw["row"]["last_name"] == "OKAFOR"
    assert check.source == "Bloodborne pathogens training provider roster (CSV)"
    # The credential's own dates are never overwritten by a roster.
    assert Credential.get_by_id(good.id).issued_on.isoformat() == "2025-01-10"
    assert "1 verified" in outcome.message and "1 not found" in outcome.message


def test_bad_rows_are_rejected_with_reasons_and_good_rows_kept(app, tmp_path):
    roster = write_csv(tmp_path / "bbp.csv", [
        ["BBP-1", "Ann", "Lee", "OSHA BBP", "01/10/2025", "01/10/2028", "Completed"],
        ["", "No", "Number", "OSHA BBP", "01/10/2025", "01/10/2028", "Completed"],
        ["BBP-3", "Bad", "Date", "OSHA BBP", "2025-02-30", "01/10/2028", "Completed"],
        ["BBP-4", "Odd", "Status", "OSHA BBP", "01/10/2025", "01/10/2028", "Maybe"],
        ["BBP-0001", "Ann", "Lee", "OSHA BBP", "01/10/2025", "01/10/2028", "Completed"],
    ])
    outcome = run(app, "bbp-training", file=roster)
    assert nonzero(outcome) == {"fetched": 5, "created": 1, "rejected": 4}
    reasons = {r.row_number: r.reason for r in RejectedRow.select()}
    assert reasons == {
        3: "number: missing",
        4: "issued_on: Not a date: '2025-02-30'.",
        5: "status: 'Maybe' is not in this roster's vocabulary",
        6: "number: same licence as row 2",
    }
    assert RejectedRow.get(RejectedRow.row_number == 5).raw["status"] == "Maybe"
    assert RosterEntry.select().count() == 1


def test_reimporting_unchanged_writes_nothing_and_a_changed_row_updates(app, tmp_path):
    credential = person_with("bloodborne_pathogens_training", "BBP-1", first="Ann", last="Lee")
    rows = [["BBP-1", "Ann", "Lee", "OSHA BBP", "01/10/2025", "01/10/2028", "Completed"],
            ["BBP-2", "Bo", "Ng", "OSHA BBP", "01/10/2025", "01/10/2028", "Completed"]]
    roster = write_csv(tmp_path / "bbp.csv", rows)
    run(app, "bbp-training", file=roster)
    audit_before = AuditEvent.select().count()
    stamps = [e.updated_at for e in RosterEntry.select().order_by(RosterEntry.id)]

    again = run(app, "bbp-training", file=roster)
    assert nonzero(again) == {"fetched": 2, "unchanged": 2}
    assert AuditEvent.select().count() == audit_before
    assert [e.updated_at for e in RosterEntry.select().order_by(RosterEntry.id)] == stamps
    assert CredentialVerification.select().count() == 1

    rows[0][6] = "Revoked"
    changed = run(app, "bbp-training", file=write_csv(tmp_path / "bbp.csv", rows))
    assert nonzero(changed) == {"fetched": 2, "unchanged": 1, "updated": 1}
    assert state_of(credential) == "revoked"
    assert CredentialVerification.select().count() == 2
    assert RosterEntry.select().count() == 2


def test_socrata_rosters_are_paged_and_their_real_rows_read(app, http, tmp_path):
    rows = json.loads((PAYLOADS / "socrata-data-ct-gov-ngch-56tr-rows.json").read_text())
    clinic = make_clinic(state="CT", name="Madera Market")
    licence = practitioners.add_credential({
        "clinic_id": clinic.id, "kind": "establishment_license", "issuer": "CT DCP",
        "state": "CT", "number": "LGB.0016030.P-CW", "issued_on": "2025-01-01"}, ACTOR)

    def answer(query, headers):
        offset, limit = int(query["$offset"]), int(query["$limit"])
        assert query["$order"] == ":id" and "TATTOO" in query["$where"]
        return Answer(body=rows[offset:offset + limit])
    http.route("/resource/ngch-56tr.json", answer)
    outcome = run(app, "ct-licenses", url=f"{http.url}/resource/ngch-56tr.json",
                  options={"page_size": 2})
    assert outcome.status == "succeeded" and nonzero(outcome) == {"fetched": 3, "created": 3}
    assert [s.query["$offset"] for s in http.requests_to("/resource/ngch-56tr.json")] \
        == ["0", "2"]
    pending = RosterEntry.get(RosterEntry.number == "LGB16030PCW")
    assert pending.status == "pending" and pending.issued_on is None  # key absent in the row
    assert state_of(licence) == "mismatch"
    check = CredentialVerification.get(CredentialVerification.credential == licence.id)
    assert "PENDING" in check.note


def test_a_roster_url_unchanged_since_the_last_import_is_not_read_again(app, http, tmp_path):
    body = (tmp_path / "spcp.csv")
    write_csv(body, [["CP-1", "Ann", "Lee", "2024-01-01", "2027-01-01", "Active"]],
              header=["certificate_number", "first_name", "last_name", "issued_on",
                      "expires_on", "status"])

    def answer(query, headers):
        if headers.get("If-None-Match") == '"v1"':
            return Answer(304)
        return Answer(body=body.read_bytes(), headers={"ETag": '"v1"',
                                                       "Content-Type": "text/csv"})
    http.route("/spcp.csv", answer)
    first = run(app, "spcp-cpcp", url=f"{http.url}/spcp.csv")
    assert nonzero(first) == {"fetched": 1, "created": 1}
    second = run(app, "spcp-cpcp", url=f"{http.url}/spcp.csv")
    assert second.status == "succeeded" and nonzero(second) == {}
    assert second.message == "not modified since the last import"
    assert http.requests_to("/spcp.csv")[1].headers["If-None-Match"] == '"v1"'


def test_a_roster_download_cut_short_imports_nothing(app, http, tmp_path):
    rows = "\n".join(f"CP-{n},Ann,Lee{n},2024-01-01,2027-01-01,Active" for n in range(500))
    body = "certificate_number,first_name,last_name,issued_on,expires_on,status\n" + rows
    http.route("/spcp.csv", Answer(body=body, cut_at=len(body) // 2))
    outcome = run(app, "spcp-cpcp", url=f"{http.url}/spcp.csv")
    assert outcome.status == "failed" and "incomplete body" in outcome.message
    assert RosterEntry.select().count() == 0


def test_a_second_import_of_the_same_source_waits_its_turn(app, backend, database_url,
                                                           tmp_path):
    from registry import locks

    empty = write_csv(tmp_path / "x.csv", [])
    if backend == "postgresql":  # another process's connection holds the lock
        other = psycopg2.connect(database_url)
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", (locks.lock_key("import:spcp-cpcp"),))
        with pytest.raises(pipeline.ImportRefused, match="already running"):
            run(app, "spcp-cpcp", file=empty)
        other.close()
    else:
        with locks.held("import:spcp-cpcp") as taken:
            assert taken
            with pytest.raises(pipeline.ImportRefused, match="already running"):
                run(app, "spcp-cpcp", file=empty)
    assert run(app, "spcp-cpcp", file=empty).status == "succeeded"


def test_the_import_command_prints_a_summary_and_lists_sources(app, tmp_path):
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["import", "--list"])
    assert "ct-licenses" in listed.output and "coverage: unverified" in listed.output
    roster = write_csv(tmp_path / "bbp.csv", [
        ["BBP-1", "Ann", "Lee", "OSHA BBP", "01/10/2025", "01/10/2028", "Completed"],
        ["BBP-2", "Bo", "Ng", "OSHA BBP", "someday", "01/10/2028", "Completed"]])
    result = runner.invoke(args=["import", "bbp-training", "--file", str(roster)])
    assert result.exit_code == 0, result.output
    assert "created    1" in result.output and "rejected   1" in result.output
    assert "row 3: issued_on: Not a date: 'someday'." in result.output
    dry = runner.invoke(args=["import", "bbp-training", "--file", str(roster), "--dry-run"])
    assert "dry run, nothing saved" in dry.output and "unchanged  1" in dry.output
    unknown = runner.invoke(args=["import", "nowhere"])
    assert unknown.exit_code != 0 and "no source 'nowhere'" in unknown.output
    both = runner.invoke(args=["import", "bbp-training", "--file", str(roster), "--url", "x"])
    assert both.exit_code != 0 and "not both" in both.output
    assert ImportRun.select().count() == 1


def test_an_import_killed_mid_run_keeps_whole_chunks_and_a_rerun_completes(
        database_url, tmp_path):
    chunk, total = 500, 40_000
    roster = write_csv(tmp_path / "big.csv", (
        [f"BBP-{n}", "Ann", f"Lee{n}", "OSHA BBP", "01/10/2025", "01/10/2028", "Completed"]
        for n in range(1, total + 1)))
    environment = {**os.environ, "REGISTRY_ENV": "testing",
                   "REGISTRY_INSTANCE_PATH": str(tmp_path / "instance"),
                   "REGISTRY_DATABASE_URL": database_url, "REGISTRY_SECRET_KEY": TEST_SECRET,
                   "REGISTRY_AUDIT_KEY": TEST_AUDIT_KEY,
                   "REGISTRY_IMPORT_CHUNK_SIZE": str(chunk)}
    command = [REGISTRY, "import", "bbp-training", "--file", str(roster)]
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    app = create_app(make_settings(tmp_path, database_url))
    with app.app_context(), db.connection_context():
        deadline = time.monotonic() + 60
        while RosterEntry.select().count() < 4 * chunk and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        kept = RosterEntry.select().count()
        assert 0 < kept < total, "the import should have been killed part way"
        assert kept % chunk == 0, "only whole chunks are kept"
        assert ImportRun.get().status == "running"

    finished = subprocess.run(command, env=environment, capture_output=True, text=True,
                              timeout=120)
    assert finished.returncode == 0, finished.stderr
    with app.app_context(), db.connection_context():
        assert RosterEntry.select().count() == total
        first, second = ImportRun.select().order_by(ImportRun.id)
        assert first.status == "failed" and first.message == "interrupted before it finished"
        assert second.status == "succeeded"
        assert second.created == total - kept and second.unchanged == kept
