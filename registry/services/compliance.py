"""Checklists for clinics, as of a date, from the rule packs the application loaded."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from flask import current_app

from registry.models import Clinic
from registry.rules.engine import Checklist, blocking_problems, evaluate_facts
from registry.rules.facts import load_clinics
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


def checklist(clinic_id: int, as_of: date) -> Checklist:
    """The clinic's checklist as of a date (a fixed number of queries, whatever its size)."""
    facts = load_clinics([clinic_id])
    if not facts:
        raise LookupError(f"no clinic {clinic_id}")
    return evaluate_facts(facts[0], loaded_packs(), as_of)


def sweep(state: str, as_of: date) -> list[Checklist]:
    """Checklists for every clinic in a state, fetched in bulk."""
    packs = loaded_packs()
    clinic_ids = Clinic.select(Clinic.id).where(Clinic.state == state)
    with _cycle_collector_paused():
        return [evaluate_facts(facts, packs, as_of) for facts in load_clinics(clinic_ids)]


def practitioner_problems(clinic_id: int, practitioner_id: int, day: date) -> list[str]:
    """Why the practitioner's credentials did not allow them to work at the clinic that day."""
    facts = load_clinics([clinic_id])
    return blocking_problems(facts[0], loaded_packs(), day, practitioner_id) if facts else []
