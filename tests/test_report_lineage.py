"""Report lineage: a new report for the same clinic and dates supersedes the earlier one, and
verification says so; reports as known on a day stand beside reports as known now."""

import io
from datetime import date, datetime

import pypdf
import pytest

from registry import clock
from registry.models import Credential, IssuedReport, ReportSupersession
from registry.reports import content, issuing, lineage
from registry.services import clinics, practitioners
from tests.api_world import build_world, client_for
from tests.factories import ACTOR, make_lot

AS_OF = date(2026, 6, 1)
REASON = "typo in licence dates"


@pytest.fixture
def world(app):
    return build_world()


def _issue(clinic, known_on=None) -> issuing.Issued:
    return issuing.issue(clinic, AS_OF, None, known_on=known_on)


def _bytes(issued: issuing.Issued) -> bytes:
    return issued.path.read_bytes()


def _tampered(data: bytes) -> bytes:
    changed = bytearray(data)
    changed[len(changed) // 2] = (changed[len(changed) // 2] + 1) % 256
    return bytes(changed)


def _text(data: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return " ".join(page.extract_text() for page in pages).replace("\n", " ")


def _correct_licence(world, clinic_id=None) -> Credential:
    credential = Credential.get_by_id(world.ids["credential_id"])
    practitioners.update_credential(credential, {"expires_on": "2029-12-31"}, ACTOR,
                                    reason=REASON, clinic_id=clinic_id)
    return credential


def _verify_page(app, world, data: bytes) -> str:
    anonymous = client_for(app, world, "anonymous")
    token = anonymous.get("/api/v1/session").get_json()["csrf_token"]
    page = anonymous.post("/verify", data={"csrf_token": token,
                                           "file": (io.BytesIO(data), "report.pdf")},
                          content_type="multipart/form-data")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _verify_api(app, world, data: bytes) -> dict:
    anonymous = client_for(app, world, "anonymous")
    response = anonymous.post("/api/v1/reports/verify",
                              data={"file": (io.BytesIO(data), "report.pdf")},
                              content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_a_changed_record_supersedes_the_earlier_report_and_names_the_change(app, world):
    first = _issue(world.clinic_a)
    credential = _correct_licence(world)
    second = _issue(world.clinic_a)
    assert not second.reused and second.report.code != first.report.code

    step = ReportSupersession.get(ReportSupersession.earlier == first.report)
    assert step.later_id == second.report.id
    change = step.changes[0]
    assert (change["entity"], change["id"], change["field"]) == (
        "credential", str(credential.id), "expires_on")
    assert (change["old"], change["new"]) == ("2030-12-31", "2029-12-31")
    assert change["who"] == ACTOR.label and change["reason"] == REASON
    assert change["correction"] and change["when"]
    assert step.change_count >= len(step.changes)
    assert f"records changed since {first.report.code} was issued: " in step.reason
    assert f"credential {credential.id} expires_on corrected: 2030-12-31 → 2029-12-31 " \
           f"(reason: {REASON})" in step.reason

    old = issuing.verify(_bytes(first))
    assert old.status == issuing.SUPERSEDED and old.issued
    assert old.summary.startswith(f"Genuine, but superseded by {second.report.code} on "
                                  f"{second.report.issued_at:%Y-%m-%d}, because ")
    assert REASON in old.summary
    assert old.superseded_by.changes[0]["field"] == "expires_on"
    new = issuing.verify(_bytes(second))
    assert new.status == issuing.GENUINE and new.superseded_by is None
    assert issuing.verify(_tampered(_bytes(second))).status == issuing.NOT_ISSUED

    # The new report says which report it replaces; nothing changed since, so it stands.
    assert f"Replaces {first.report.code}" in _text(_bytes(second))
    again = _issue(world.clinic_a)
    assert again.reused and again.report.id == second.report.id
    assert ReportSupersession.select().count() == 1


def test_corrections_and_reasoned_changes_come_first_and_the_list_is_capped(app, world,
                                                                          monkeypatch):
    first = _issue(world.clinic_a)
    make_lot(world.clinic_a)
    # A practitioner's credential, corrected on another clinic's audit chain.
    practitioners.affiliate({"practitioner_id": world.ids["practitioner_id"],
                             "clinic_id": world.clinic_b.id, "starts_on": "2024-01-01"}, ACTOR)
    credential = _correct_licence(world, clinic_id=world.clinic_b.id)
    monkeypatch.setattr(lineage, "CHANGE_LIMIT", 2)
    second = _issue(world.clinic_a)

    step = ReportSupersession.get(ReportSupersession.earlier == first.report)
    assert len(step.changes) == 2 and step.change_count > 2
    assert {c["entity"] for c in step.changes} <= {"credential", "credential_period"}
    assert all(c["correction"] for c in step.changes)
    assert f"credential {credential.id} expires_on corrected" in step.reason
    assert "more change" in step.reason
    verdict = issuing.verify(_bytes(first))
    assert verdict.superseded_by.code == second.report.code
    assert verdict.superseded_by.change_count == step.change_count


def test_the_page_the_cli_and_the_api_tell_the_three_outcomes_apart(app, world, tmp_path):
    first = _issue(world.clinic_a)
    _correct_licence(world)
    second = _issue(world.clinic_a)
    clinics.update_clinic(world.clinic_a, {"city": "Salem"}, ACTOR, reason="moved")
    third = _issue(world.clinic_a)
    cases = {"superseded": _bytes(first), "genuine": _bytes(third),
             "not_issued": _tampered(_bytes(third))}

    pages = {name: _verify_page(app, world, data) for name, data in cases.items()}
    assert 'class="verdict verdict-genuine"' in pages["genuine"]
    assert "Genuine and current" in pages["genuine"]
    assert "Issued by this registry" in pages["genuine"]
    assert 'class="verdict verdict-superseded"' in pages["superseded"]
    assert "Genuine, but superseded" in pages["superseded"]
    assert second.report.code in pages["superseded"]
    assert f"the report that stands now is {third.report.code}" in pages["superseded"]
    assert "expires_on corrected: 2030-12-31 → 2029-12-31" in pages["superseded"]
    assert REASON in pages["superseded"] and ACTOR.label in pages["superseded"]
    assert 'class="verdict verdict-not-issued"' in pages["not_issued"]
    assert "Not issued by this registry" in pages["not_issued"]
    assert "Genuine" not in pages["not_issued"]

    runner = app.test_cli_runner()
    lines, codes = {}, {}
    for name, data in cases.items():
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(data)
        result = runner.invoke(args=["report", "verify", str(path)])
        lines[name], codes[name] = result.output.splitlines(), result.exit_code
    assert codes == {"genuine": 0, "superseded": 3, "not_issued": 1}
    assert lines["genuine"][0].startswith("Genuine and current")
    assert lines["superseded"][0].startswith(
        f"Genuine, but superseded by {second.report.code} on ")
    assert any("expires_on corrected" in line and REASON in line
               for line in lines["superseded"][1:])
    assert lines["not_issued"][0].startswith("Not issued by this registry")

    answers = {name: _verify_api(app, world, data) for name, data in cases.items()}
    assert {name: a["status"] for name, a in answers.items()} == {
        "genuine": "genuine", "superseded": "superseded", "not_issued": "not_issued"}
    assert answers["genuine"]["superseded_by"] is None
    assert answers["genuine"]["code"] == third.report.code
    replaced = answers["superseded"]["superseded_by"]
    assert replaced["code"] == second.report.code
    assert replaced["latest_code"] == third.report.code
    assert replaced["issued_at"].startswith(second.report.issued_at.date().isoformat())
    assert REASON in replaced["reason"]
    assert replaced["changes"][0]["field"] == "expires_on" and replaced["change_count"] >= 1
    assert answers["not_issued"]["code"] is None


def test_the_api_verification_needs_a_file(app, world):
    anonymous = client_for(app, world, "anonymous")
    missing = anonymous.post("/api/v1/reports/verify", data={},
                             content_type="multipart/form-data")
    assert missing.status_code == 422
    empty = anonymous.post("/api/v1/reports/verify",
                           data={"file": (io.BytesIO(b""), "report.pdf")},
                           content_type="multipart/form-data")
    assert empty.status_code == 422 and "file" in empty.get_data(as_text=True)


def test_reports_as_known_on_a_day_stand_apart_from_reports_as_known_now(app):
    with clock.frozen(datetime(2026, 6, 2, 12)):
        world = build_world()
    with clock.frozen(datetime(2026, 6, 10, 12)):
        credential = _correct_licence(world)
    with clock.frozen(datetime(2026, 6, 20, 12)):
        now = _issue(world.clinic_a)
        officer = client_for(app, world, "officer_a")
        response = officer.get(f"/api/v1/clinics/{world.clinic_a.id}/audit-report"
                               f"?as_of={AS_OF}&known_on=2026-06-05")
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        then = response.get_data()
        response.close()
        known = IssuedReport.get(IssuedReport.code == response.headers["X-Verification-Code"])
        assert known.known_on == date(2026, 6, 5) and known.as_of == AS_OF
        # Neither supersedes the other: they answer different questions.
        assert ReportSupersession.select().count() == 0
        assert issuing.verify(_bytes(now)).status == issuing.GENUINE
        assert issuing.verify(then).status == issuing.GENUINE
        again = _issue(world.clinic_a, known_on=date(2026, 6, 5))
        assert again.reused and again.report.id == known.id

        printed = _text(then)
        assert "As of 2026-06-01, as known on 2026-06-05" in printed
        as_known = content.gather(world.clinic_a, AS_OF, known_on=date(2026, 6, 5))
        as_now = content.gather(world.clinic_a, AS_OF)
    assert _expiry(as_known, credential) == "2030-12-31"
    assert _expiry(as_now, credential) == "2029-12-31"
    assert as_known["known_on"] == "2026-06-05" and as_now["known_on"] is None


def _expiry(gathered: dict, credential: Credential) -> str:
    return next(c["expires_on"] for p in gathered["practitioners"] for c in p["credentials"]
                if c["number"] == credential.number and c["kind"] == "practitioner licence")


def test_known_on_in_the_future_is_refused_everywhere(app, world, tmp_path):
    officer = client_for(app, world, "officer_a")
    clinic_id = world.clinic_a.id
    api = officer.get(f"/api/v1/clinics/{clinic_id}/audit-report?as_of={AS_OF}"
                      f"&known_on=2999-01-01")
    assert api.status_code == 422 and "known_on" in api.get_json()["errors"]["query"]
    page = officer.get(f"/clinics/{clinic_id}/audit-report?as_of={AS_OF}&known_on=2999-01-01")
    assert page.status_code == 400
    result = app.test_cli_runner().invoke(args=[
        "report", str(clinic_id), "--as-of", AS_OF.isoformat(), "--known-on", "2999-01-01",
        "-o", str(tmp_path / "out.pdf")])
    assert result.exit_code == 2 and "still to come" in result.output
    assert IssuedReport.select().count() == 0


def test_the_cli_issues_a_report_as_known_on_a_day(app, world, tmp_path):
    out = tmp_path / "out.pdf"
    known_on = clock.today().isoformat()
    result = app.test_cli_runner().invoke(args=[
        "report", str(world.clinic_a.id), "--as-of", AS_OF.isoformat(), "--known-on", known_on,
        "-o", str(out)])
    assert result.exit_code == 0, result.output
    report = IssuedReport.get()
    assert report.known_on.isoformat() == known_on and report.code in result.output
    assert f"as known on {known_on}" in _text(out.read_bytes())


def test_a_report_stored_meanwhile_is_not_superseded_behind_its_back(app, world, monkeypatch):
    first = _issue(world.clinic_a)
    _correct_licence(world)
    render, raced = issuing._render, []

    def racing(gathered, code, issued_at):
        if not raced:
            # Another request changes a record and stores its report during this render.
            raced.append(code)
            clinics.update_clinic(world.clinic_a, {"city": "Bend"}, ACTOR, reason="moved")
            raced.append(issuing.issue(world.clinic_a, AS_OF, None))
        return render(gathered, code, issued_at)

    monkeypatch.setattr(issuing, "_render", racing)
    final = _issue(world.clinic_a)
    other = raced[1]
    # This request read its data again, found the other report current, and served it.
    assert final.report.id == other.report.id and final.reused
    assert IssuedReport.select().count() == 2
    step = ReportSupersession.get()
    assert (step.earlier_id, step.later_id) == (first.report.id, other.report.id)
    assert {c["entity"] for c in step.changes} >= {"credential", "clinic"}
    stored = {path.name for path in issuing.reports_directory().glob("*.pdf")}
    assert stored == {first.report.file_name, other.report.file_name}
