"""Checklists for clinics, as of a date, from the rule packs the application loaded."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from flask import current_app

from registry.db import read_snapshot
from registry.models import Clinic
from registry.rules.engine import Checklist, blocking_problems, evaluate_facts
from registry.rules.facts import ClinicFact, load_clinics
from registry.rules.packs import Pack, packs_at


def loaded_packs() -> tuple[Pack, ...]:
    return packs_at(str(Path(current_app.config["JURISDICTIONS_PATH"]).resolve()))


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Facts and checklists hold no reference cycles, so while hundreds of thousands of them
    are made, the cycle collector's passes find nothing; pausing it halves a sweep's time.
    Refcounting still frees everything as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def checklist(clinic_id: int, as_of: date, known_on: date | None = None) -> Checklist:
    """The clinic's checklist as of a date: by what is on record now, or (known_on) by what
    was on record at the end of that day. One snapshot, a fixed number of queries."""
    with read_snapshot():
        facts = load_clinics([clinic_id], known_on)
    if not facts:
        raise LookupError(f"no clinic {clinic_id}")
    result = evaluate_facts(facts[0], loaded_packs(), as_of)
    result.known_on = known_on
    return result


def sweep(state: str, as_of: date) -> list[Checklist]:
    """Checklists for every clinic in a state, fetched in bulk in one snapshot."""
    packs = loaded_packs()
    clinic_ids = Clinic.select(Clinic.id).where(Clinic.state == state)
    with _cycle_collector_paused():
        with read_snapshot():
            facts = load_clinics(clinic_ids)
        return [evaluate_facts(clinic, packs, as_of) for clinic in facts]


def clinic_facts(clinic_id: int) -> ClinicFact | None:
    """The clinic's facts as on record now (call inside the caller's snapshot or write)."""
    facts = load_clinics([clinic_id])
    return facts[0] if facts else None


def practitioner_problems(facts: ClinicFact, practitioner_id: int, day: date) -> list[str]:
    """Why the practitioner's credentials did not allow them to work at the clinic that day."""
    return blocking_problems(facts, loaded_packs(), day, practitioner_id)
