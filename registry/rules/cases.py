"""A pack's own test cases: facts written in YAML, and the statuses the rules must give them."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from registry.rules.engine import evaluate_facts
from registry.rules.facts import (
    ClinicFact,
    CredentialFact,
    DeletionFact,
    HoldFact,
    InspectionFact,
    LotFact,
    PractitionerFact,
    ProcedureFact,
    ReactionFact,
)
from registry.rules.packs import PackError, read_yaml

CASES_FILE = "tests.yaml"
# Expected for a requirement not in force, so not on the checklist at all.
ABSENT = "absent"


@dataclass(frozen=True)
class Case:
    path: str
    name: str
    as_of: date
    clinic: ClinicFact
    expect: dict


def _d(value) -> date | None:
    return date.fromisoformat(value) if value else None


def _credential(index: int, owner: str, raw: dict) -> CredentialFact:
    return CredentialFact(
        key=raw.get("id", f"{owner}-c{index}"), kind=raw["kind"],
        issuer=raw.get("issuer", "issuer"), number=raw.get("number"), state=raw.get("state"),
        issued_on=_d(raw.get("issued_on")), expires_on=_d(raw.get("expires_on")),
        revoked_on=_d(raw.get("revoked_on")),
        verification_state=raw.get("verification_state", "document_on_file"))


def _hold(raw: dict) -> HoldFact:
    """A hold from {kind, from, placed_on (default: from), recall, released_on, grounds}."""
    starts = _d(raw["from"])
    return HoldFact(raw.get("kind", "recall"), starts, _d(raw.get("placed_on")) or starts,
                    raw.get("recall"), None, _d(raw.get("released_on")), raw.get("grounds"))


def clinic_from_facts(raw: dict) -> ClinicFact:
    """A ClinicFact from a case's `clinic` mapping (see jurisdictions/README.md)."""
    clinic = ClinicFact(key="clinic", name=raw.get("name", "Test clinic"), state=raw["state"],
                        city=raw.get("city"))
    clinic.credentials = [_credential(i, "clinic", c)
                          for i, c in enumerate(raw.get("licenses", []))]
    for raw_person in raw.get("practitioners", []):
        person = PractitionerFact(raw_person["id"], raw_person.get("name", raw_person["id"]),
                                  _d(raw_person.get("starts_on", "2000-01-01")),
                                  _d(raw_person.get("ends_on")))
        person.credentials = [_credential(i, person.key, c)
                              for i, c in enumerate(raw_person.get("credentials", []))]
        clinic.practitioners.append(person)
    for raw_lot in raw.get("lots", []):
        received = _d(raw_lot.get("received_on", "2000-01-01"))
        lot = LotFact(raw_lot["id"], raw_lot.get("lot_number", raw_lot["id"]),
                      raw_lot.get("product", "Test pigment"), received,
                      _d(raw_lot.get("expires_on")), raw_lot.get("description"))
        lot.history = [(received, "received")]
        for entry in raw_lot.get("history", []):
            if entry["status"] in ("recalled", "quarantined"):
                lot.holds.append(_hold({"kind": "recall" if entry["status"] == "recalled"
                                        else "quarantine", "from": entry["on"],
                                        "recall": entry.get("recall")}))
            else:
                lot.history.append((_d(entry["on"]), entry["status"]))
        lot.holds += [_hold({"kind": "recall", "from": m["on"], "recall": m["recall"]})
                      for m in raw_lot.get("recalls", [])]
        lot.holds += [_hold(h) for h in raw_lot.get("holds", [])]
        lot.reviews = [(_d(r["found_on"]), _d(r.get("decided_on")), r.get("recall"), index)
                       for index, r in enumerate(raw_lot.get("reviews", []))]
        clinic.lots.append(lot)
    for raw_procedure in raw.get("procedures", []):
        clinic.procedures.append(ProcedureFact(
            raw_procedure["id"], _d(raw_procedure["performed_on"]),
            raw_procedure.get("practitioner"), raw_procedure.get("client", "client"),
            _d(raw_procedure.get("client_birth_date")),
            raw_procedure.get("consent_on_file", True),
            raw_procedure.get("parental_consent_on_file", False),
            raw_procedure.get("aftercare_given", True), raw_procedure.get("is_cover_up", False),
            list(raw_procedure.get("lots", []))))
    for raw_reaction in raw.get("reactions", []):
        clinic.reactions.append(ReactionFact(
            raw_reaction["id"], _d(raw_reaction["event_on"]), _d(raw_reaction["aware_on"]),
            raw_reaction.get("serious", False),
            _d(raw_reaction.get("reported_to_manufacturer_on")),
            _d(raw_reaction.get("reported_to_fda_on")),
            _d(raw_reaction.get("reported_to_state_on"))))
    clinic.inspections = [InspectionFact(f"i{i}", _d(v))
                          for i, v in enumerate(raw.get("inspections", []))]
    clinic.deletions = [DeletionFact(f"d{i}", d.get("entity", "client"), _d(d["record_on"]),
                                     _d(d["deleted_on"]))
                        for i, d in enumerate(raw.get("deletions", []))]
    return clinic


def load_cases(path: Path) -> list[Case]:
    raw = read_yaml(path)
    if not isinstance(raw, list):
        raise PackError(path, ["a test file is a list of cases"])
    cases = []
    for index, entry in enumerate(raw):
        try:
            cases.append(Case(str(path), entry["name"], _d(entry["as_of"]),
                              clinic_from_facts(entry["clinic"]), entry["expect"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise PackError(path, [f"case #{index + 1}: {exc!r}"]) from exc
    return cases


def case_paths(root: Path) -> list[Path]:
    return sorted(root.rglob(CASES_FILE))


def mismatches(case: Case, packs) -> list[str]:
    """How the engine's checklist differs from what the case expects (empty when it agrees)."""
    checklist = evaluate_facts(case.clinic, packs, case.as_of)
    by_requirement: dict[str, dict] = {}
    for item in checklist.items:
        by_requirement.setdefault(item.requirement.id, {})[item.subject_key] = item
    problems = []
    for requirement_id, expected in case.expect.items():
        items = by_requirement.get(requirement_id)
        if expected == ABSENT:
            if items:
                problems.append(f"{requirement_id}: expected absent, found {len(items)} item(s)")
            continue
        if items is None:
            problems.append(f"{requirement_id}: not in the checklist as of {case.as_of}")
            continue
        wanted = expected if isinstance(expected, dict) else dict.fromkeys(items, expected)
        for subject, status in wanted.items():
            item = items.get(subject)
            if item is None:
                problems.append(f"{requirement_id} [{subject}]: no such subject")
            elif item.status != status:
                problems.append(f"{requirement_id} [{subject}]: expected {status}, got "
                                f"{item.status} ({item.outcome.explanation})")
    return problems
