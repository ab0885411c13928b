"""Loading rule packs: the shipped packs pass; each kind of broken pack is refused, named."""

import textwrap
from pathlib import Path

import pytest

from registry.rules.packs import PackError, load_packs

ROOT = Path(__file__).resolve().parent.parent / "jurisdictions"

VALID = """\
jurisdiction: US-ZZ
name: Test state
kind: state
scope: {state: OR}
version: "1"
last_reviewed: 2026-01-01
requirements:
  - id: us-zz.practitioner.license
    title: Licence current
    statement: Everyone who tattoos holds a current licence.
    applies_to: practitioner
    citations: [{code: ZZ 1.1, url: "https://example.org/zz"}]
    effective_from: 2020-01-01
    check: {kind: credential_current, params: {kinds: [practitioner_license]}}
    severity: critical
    confidence: verified
"""

SECOND = """\
  - id: us-zz.practitioner.license-2026
    title: Licence current, new rule
    statement: Everyone who tattoos holds a current licence under the 2026 act.
    applies_to: practitioner
    citations: [{code: ZZ 2.1, url: "https://example.org/zz2"}]
    effective_from: 2026-01-01
    supersedes: us-zz.practitioner.license
    check: {kind: credential_current, params: {kinds: [practitioner_license]}}
    severity: critical
    confidence: verified
"""


def write_pack(root: Path, text: str, folder="zz") -> Path:
    path = root / folder / "pack.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def refused(tmp_path, text, *more) -> str:
    write_pack(tmp_path, text)
    for index, extra in enumerate(more):
        write_pack(tmp_path, extra, folder=f"other{index}")
    with pytest.raises(PackError) as error:
        load_packs(tmp_path)
    return str(error.value)


def test_the_shipped_packs_load():
    packs = load_packs(ROOT)
    kinds = {p.kind for p in packs}
    assert {"federal", "state", "professional"} <= kinds
    assert all(r.citations for p in packs for r in p.requirements)


def test_a_valid_pack_loads_with_dated_values(tmp_path):
    write_pack(tmp_path, VALID.replace(
        "{kinds: [practitioner_license]}",
        "{kinds: [practitioner_license], max_age_months: {2020-01-01: 24, 2024-07-01: 12}}"))
    (pack,) = load_packs(tmp_path)
    requirement = pack.requirements[0]
    from datetime import date
    assert requirement.param("max_age_months", date(2024, 6, 30)) == 24
    assert requirement.param("max_age_months", date(2024, 7, 1)) == 12


def test_an_unknown_check_kind_is_refused_with_file_requirement_and_field(tmp_path):
    message = refused(tmp_path, VALID.replace("credential_current", "licence_is_nice"))
    assert "zz/pack.yaml" in message
    assert "requirement us-zz.practitioner.license" in message
    assert "check.kind: Unknown check kind 'licence_is_nice'" in message


def test_a_missing_citation_is_refused(tmp_path):
    message = refused(tmp_path, VALID.replace(
        '    citations: [{code: ZZ 1.1, url: "https://example.org/zz"}]\n', ""))
    assert "us-zz.practitioner.license: citations: Missing data for required field." in message


def test_an_empty_citation_list_is_refused(tmp_path):
    message = refused(tmp_path, VALID.replace(
        '[{code: ZZ 1.1, url: "https://example.org/zz"}]', "[]"))
    assert "citations: At least one citation." in message


def test_overlapping_effective_ranges_are_refused(tmp_path):
    message = refused(tmp_path, VALID + SECOND)
    assert "us-zz.practitioner.license-2026: effective_from: overlapping effective ranges" \
        in message


def test_a_superseded_rule_that_ends_first_is_accepted(tmp_path):
    write_pack(tmp_path, VALID.replace(
        "    effective_from: 2020-01-01\n",
        "    effective_from: 2020-01-01\n    effective_to: 2026-01-01\n") + SECOND)
    (pack,) = load_packs(tmp_path)
    assert [r.id for r in pack.requirements][1] == "us-zz.practitioner.license-2026"


def test_duplicate_ids_are_refused(tmp_path):
    message = refused(tmp_path, VALID, VALID.replace("US-ZZ", "US-YY"))
    assert "requirement us-zz.practitioner.license: duplicate id" in message


def test_a_date_not_written_iso_is_refused(tmp_path):
    message = refused(tmp_path, VALID.replace("effective_from: 2020-01-01",
                                              "effective_from: 01/01/2020"))
    assert "effective_from: Use a date written YYYY-MM-DD." in message


def test_an_unknown_field_is_refused(tmp_path):
    message = refused(tmp_path, VALID.replace("    severity: critical\n",
                                              "    severity: critical\n    priority: high\n"))
    assert "priority: Unknown field." in message


def test_an_unknown_or_missing_parameter_is_refused(tmp_path):
    message = refused(tmp_path, VALID.replace("{kinds: [practitioner_license]}",
                                              "{kind: practitioner_license}"))
    assert "check.params.kind: Unknown parameter" in message
    assert "check.params.kinds: Missing data for required parameter." in message


def test_a_subject_the_check_cannot_handle_is_refused(tmp_path):
    message = refused(tmp_path, VALID.replace("applies_to: practitioner", "applies_to: lot"))
    assert "applies_to: Check credential_current applies to practitioner, clinic." in message


def test_an_unverified_rule_without_a_note_is_refused(tmp_path):
    message = refused(tmp_path, VALID.replace("confidence: verified", "confidence: unverified"))
    assert "note: Say in a note what is unverified or conflicting." in message


def test_a_duplicate_yaml_key_is_refused(tmp_path):
    message = refused(tmp_path, VALID.replace("    severity: critical\n",
                                              "    severity: critical\n    severity: minor\n"))
    assert "duplicate key 'severity'" in message


def test_a_dated_value_before_the_rule_starts_is_refused(tmp_path):
    message = refused(tmp_path, VALID.replace(
        "{kinds: [practitioner_license]}",
        "{kinds: [practitioner_license], max_age_months: {2019-01-01: 24}}"))
    assert "max_age_months: Value dated 2019-01-01 is before the requirement takes effect." \
        in message


def test_cli_rules_check_fails_clearly_on_a_broken_pack(runner, tmp_path):
    write_pack(tmp_path, VALID.replace("credential_current", "licence_is_nice"))
    result = runner.invoke(args=["rules", "check", "--path", str(tmp_path)])
    assert result.exit_code == 1
    assert "Unknown check kind 'licence_is_nice'" in result.output
    assert "1 problem(s) in the rule packs" in result.output


def test_cli_rules_check_passes_on_the_shipped_packs(runner):
    result = runner.invoke(args=["rules", "check"])
    assert result.exit_code == 0, result.output
    assert "test cases, 0 failed" in result.output


def test_the_service_refuses_to_start_with_a_broken_pack(tmp_path):
    from registry import create_app
    from tests.conftest import make_settings

    write_pack(tmp_path / "packs", VALID.replace("critical", "catastrophic"))
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path}/x.db",
                             jurisdictions_path=tmp_path / "packs")
    with pytest.raises(PackError, match="requirement us-zz.practitioner.license: severity"):
        create_app(settings)
