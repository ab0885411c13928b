"""Every pack's own test cases (jurisdictions/**/tests.yaml), each a test of its own."""

from pathlib import Path

import pytest

from registry.rules.cases import case_paths, load_cases, mismatches
from registry.rules.packs import load_packs

ROOT = Path(__file__).resolve().parent.parent / "jurisdictions"
PACKS = load_packs(ROOT)
CASES = [case for path in case_paths(ROOT) for case in load_cases(path)]


@pytest.mark.parametrize("case", CASES,
                         ids=[f"{Path(c.path).parent.relative_to(ROOT)}: {c.name}" for c in CASES])
def test_pack_case(case):
    assert mismatches(case, PACKS) == []


def test_every_state_pack_has_at_least_three_cases():
    per_pack = {}
    for case in CASES:
        per_pack[Path(case.path).parent] = per_pack.get(Path(case.path).parent, 0) + 1
    for pack in PACKS:
        if pack.kind in ("state", "local"):
            assert per_pack.get(Path(pack.path).parent, 0) >= 3, pack.path
