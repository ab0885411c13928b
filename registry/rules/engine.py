"""The compliance engine: a clinic's checklist as of a date, from its facts and the rule packs."""

from dataclasses import dataclass, field
from datetime import date

from registry.rules.checks import (
    CHECK_KINDS,
    FAIL,
    NOT_APPLICABLE,
    STATUSES,
    WARNING,
    Outcome,
)
from registry.rules.facts import ClinicFact
from registry.rules.packs import Pack, Requirement

PACK_ORDER = {"federal": 0, "state": 1, "local": 2, "professional": 3}
SUBJECT_ORDER = ("clinic", "practitioner", "lot", "procedure", "reaction")


@dataclass(slots=True)
class Item:
    """One requirement applied to one subject (the clinic, a practitioner, a lot, ...)."""

    requirement: Requirement
    subject_type: str
    subject_key: str | None
    subject_label: str
    outcome: Outcome
    downgraded: bool = False

    @property
    def status(self) -> str:
        return self.outcome.status

    @property
    def fix(self) -> str:
        return self.requirement.fix or CHECK_KINDS[self.requirement.check_kind].fix

    def to_dict(self) -> dict:
        requirement = self.requirement
        return {
            "requirement_id": requirement.id,
            "title": requirement.title,
            "statement": requirement.statement,
            "jurisdiction": requirement.pack.jurisdiction,
            "rule_version": requirement.version,
            "severity": requirement.severity,
            "confidence": requirement.confidence,
            "conflict": requirement.conflict,
            "effective_from": requirement.effective_from.isoformat(),
            "start_known": requirement.start_known,
            "note": requirement.note,
            "citations": [{"code": c.code, "url": c.url} for c in requirement.citations],
            "subject": {"type": self.subject_type, "id": self.subject_key,
                        "label": self.subject_label},
            "status": self.status,
            "explanation": self.outcome.explanation,
            "record": self.outcome.record,
            "value": self.outcome.value,
            "downgraded_for_confidence": self.downgraded,
            "fix": None if self.status in ("pass", "not_applicable") else self.fix,
        }


@dataclass
class Checklist:
    clinic: ClinicFact
    as_of: date
    packs: list[Pack]
    items: list[Item] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for item in self.items:
            counts[item.status] += 1
        return counts

    @property
    def overall(self) -> str:
        counts = self.counts()
        for status in ("fail", "warning", "needs_evidence"):
            if counts[status]:
                return status
        return "pass"

    def to_dict(self) -> dict:
        return {
            "clinic": {"id": self.clinic.key, "name": self.clinic.name,
                       "state": self.clinic.state},
            "as_of": self.as_of.isoformat(),
            "overall": self.overall,
            "counts": self.counts(),
            "packs": [{"jurisdiction": p.jurisdiction, "name": p.name, "version": p.version,
                       "last_reviewed": p.last_reviewed.isoformat(),
                       "confidence": p.confidence_summary()} for p in self.packs],
            "items": [item.to_dict() for item in self.items],
        }


class Context:
    """What a check may look at besides its subject."""

    __slots__ = ("as_of", "clinic", "lots")

    def __init__(self, clinic: ClinicFact, as_of: date):
        self.as_of = as_of
        self.clinic = clinic
        self.lots = {lot.key: lot for lot in clinic.lots}


def applicable_packs(packs, clinic: ClinicFact) -> list[Pack]:
    chosen = [p for p in packs if p.applies_to_clinic(clinic.state, clinic.city)]
    return sorted(chosen, key=lambda p: (PACK_ORDER[p.kind], p.jurisdiction))


def subjects(clinic: ClinicFact, kind: str, as_of: date):
    """(key, label, subject, the date the rule must be in force on) for a kind of subject."""
    if kind == "clinic":
        return [(clinic.key, clinic.name, clinic, as_of)]
    if kind == "practitioner":
        seen, out = set(), []
        for person in clinic.practitioners:
            if person.key not in seen and person.works_on(as_of):
                seen.add(person.key)
                out.append((person.key, person.name, person, as_of))
        return out
    if kind == "lot":
        return [(lot.key, f"{lot.product}, lot {lot.lot_number}", lot, as_of)
                for lot in clinic.lots if lot.on_hand(as_of)]
    if kind == "procedure":
        return [(p.key, f"procedure of {p.performed_on.isoformat()}", p, p.performed_on)
                for p in clinic.procedures if p.performed_on <= as_of]
    return [(r.key, f"reaction known {r.aware_on.isoformat()}", r, r.aware_on)
            for r in clinic.reactions if r.aware_on <= as_of]


def evaluate_facts(clinic: ClinicFact, packs, as_of: date) -> Checklist:
    """Every requirement in force as of the date, applied to each of its subjects."""
    chosen = applicable_packs(packs, clinic)
    checklist = Checklist(clinic, as_of, chosen)
    context = Context(clinic, as_of)
    subject_lists = {kind: subjects(clinic, kind, as_of) for kind in SUBJECT_ORDER}
    items = checklist.items
    for pack in chosen:
        for requirement in pack.requirements:
            if requirement.effective_from > as_of:
                continue
            run = CHECK_KINDS[requirement.check_kind].run
            doubtful = requirement.confidence == "unverified" or requirement.conflict
            listed = False
            for key, label, subject, rule_day in subject_lists[requirement.applies_to]:
                if not requirement.in_force(rule_day):
                    continue
                outcome = run(subject, requirement, context)
                downgraded = doubtful and outcome.status == FAIL
                if downgraded:
                    # A rule the sources do not settle is never a confident failure.
                    outcome = Outcome(WARNING, f"{outcome.explanation} The rule itself is not "
                                               f"settled: {requirement.note}", outcome.record,
                                      outcome.value)
                items.append(Item(requirement, requirement.applies_to, key, label, outcome,
                                  downgraded))
                listed = True
            if not listed and requirement.in_force(as_of):
                items.append(Item(requirement, requirement.applies_to, None, "none",
                                  Outcome(NOT_APPLICABLE, f"No {requirement.applies_to} to "
                                                          f"check as of {as_of.isoformat()}.")))
    return checklist
