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


def subject_label(kind: str, subject) -> str:
    if subject is None:
        return "none"
    if kind in ("clinic", "practitioner"):
        return subject.name
    if kind == "lot":
        return f"{subject.product}, lot {subject.lot_number}"
    if kind == "procedure":
        return f"procedure of {subject.performed_on.isoformat()}"
    return f"reaction known {subject.aware_on.isoformat()}"


@dataclass(slots=True)
class Result:
    """One requirement applied to its subjects: outcomes[i] is for subjects[i]."""

    requirement: Requirement
    subjects: list
    outcomes: list


@dataclass(slots=True)
class Item:
    """One requirement applied to one subject (the clinic, a practitioner, a lot, ...)."""

    requirement: Requirement
    subject: object
    outcome: Outcome

    @property
    def status(self) -> str:
        return self.outcome.status

    @property
    def subject_type(self) -> str:
        return self.requirement.applies_to

    @property
    def subject_key(self):
        return None if self.subject is None else self.subject.key

    @property
    def subject_label(self) -> str:
        return subject_label(self.requirement.applies_to, self.subject)

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
            "effective_from": requirement.effective_from.isoformat(),
            "start_known": requirement.start_known,
            "severity": requirement.severity,
            "confidence": requirement.confidence,
            "conflict": requirement.conflict,
            "note": requirement.note,
            "citations": [{"code": c.code, "url": c.url} for c in requirement.citations],
            "subject": {"type": self.subject_type, "id": _plain(self.subject_key),
                        "label": self.subject_label},
            "status": self.status,
            "explanation": self.outcome.explanation,
            "record": _plain(self.outcome.record),
            "value": _plain(self.outcome.value),
            "downgraded_for_confidence": self.outcome.downgraded,
            "fix": None if self.status in ("pass", "not_applicable") else self.fix,
            "link": _link(self.outcome.link),
        }


def _link(link) -> dict | None:
    if link is None or link[1] is None:
        return None
    return {"type": link[0], "id": link[1]}


def _plain(value):
    return None if value is None else str(value)


@dataclass
class Checklist:
    clinic: ClinicFact
    as_of: date
    packs: list[Pack]
    results: list[Result] = field(default_factory=list)
    # The day whose knowledge the checklist reproduces; None for what is on record now.
    known_on: date | None = None

    def __len__(self) -> int:
        return sum(len(r.outcomes) for r in self.results)

    @property
    def items(self) -> list[Item]:
        return [Item(r.requirement, subject, outcome) for r in self.results
                for subject, outcome in zip(r.subjects, r.outcomes, strict=True)]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for result in self.results:
            for outcome in result.outcomes:
                counts[outcome.status] += 1
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
            "clinic": {"id": _plain(self.clinic.key), "name": self.clinic.name,
                       "state": self.clinic.state},
            "as_of": self.as_of.isoformat(),
            "known_on": self.known_on.isoformat() if self.known_on else None,
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


def subjects(clinic: ClinicFact, kind: str, as_of: date) -> list:
    """The subjects of a kind that exist as of the date."""
    if kind == "clinic":
        return [clinic]
    if kind == "practitioner":
        seen, out = set(), []
        for person in clinic.practitioners:
            if person.key not in seen and person.works_on(as_of):
                seen.add(person.key)
                out.append(person)
        return out
    if kind == "lot":
        return [lot for lot in clinic.lots if lot.on_hand(as_of)]
    if kind == "procedure":
        return [p for p in clinic.procedures if p.performed_on <= as_of]
    return [r for r in clinic.reactions if r.aware_on <= as_of]


def _rule_day(kind: str):
    """The date a subject is judged on: its own date for procedures and reactions."""
    if kind == "procedure":
        return lambda subject: subject.performed_on
    if kind == "reaction":
        return lambda subject: subject.aware_on
    return None


def _in_force_for(requirement: Requirement, kind: str, candidates: list, as_of: date) -> list:
    day_of = _rule_day(kind)
    if day_of is None:
        return candidates if requirement.in_force(as_of) else []
    if requirement.effective_to is None and candidates and all(
            requirement.effective_from <= day_of(s) for s in (candidates[0], candidates[-1])):
        # Subjects are in date order: if the first and last are covered, all are.
        return candidates
    return [s for s in candidates if requirement.in_force(day_of(s))]


def _downgrade(outcome: Outcome, requirement: Requirement) -> Outcome:
    # A rule the sources do not settle is never a confident failure.
    return Outcome(WARNING, "{} The rule itself is not settled: {}", outcome.record,
                   outcome.value, args=(outcome.explanation, requirement.note), downgraded=True,
                   link=outcome.link)


def evaluate_facts(clinic: ClinicFact, packs, as_of: date) -> Checklist:
    """Every requirement in force as of the date, applied to each of its subjects."""
    chosen = applicable_packs(packs, clinic)
    checklist = Checklist(clinic, as_of, chosen)
    context = Context(clinic, as_of)
    candidates = {kind: subjects(clinic, kind, as_of) for kind in SUBJECT_ORDER}
    for pack in chosen:
        for requirement in pack.requirements:
            if requirement.effective_from > as_of:
                continue
            kind = requirement.applies_to
            chosen_subjects = _in_force_for(requirement, kind, candidates[kind], as_of)
            if not chosen_subjects:
                if requirement.in_force(as_of):
                    checklist.results.append(Result(requirement, [None], [Outcome(
                        NOT_APPLICABLE, "No {} to check as of {}.", args=(kind, as_of))]))
                continue
            outcomes = CHECK_KINDS[requirement.check_kind].run(chosen_subjects, requirement,
                                                               context)
            if requirement.confidence == "unverified" or requirement.conflict:
                outcomes = [_downgrade(o, requirement) if o.status == FAIL else o
                            for o in outcomes]
            checklist.results.append(Result(requirement, chosen_subjects, outcomes))
    return checklist


def blocking_problems(clinic: ClinicFact, packs, day: date, practitioner_key) -> list[str]:
    """Why a practitioner may not work on a day: the settled, critical practitioner
    requirements in force that day that fail for them (empty when they may)."""
    person = next((p for p in clinic.practitioners
                   if p.key == practitioner_key and p.works_on(day)), None)
    if person is None:
        return []
    context = Context(clinic, day)
    problems = []
    for pack in applicable_packs(packs, clinic):
        for requirement in pack.requirements:
            if (requirement.applies_to != "practitioner" or requirement.severity != "critical"
                    or requirement.confidence == "unverified" or requirement.conflict
                    or not requirement.in_force(day)):
                continue
            (outcome,) = CHECK_KINDS[requirement.check_kind].run([person], requirement, context)
            if outcome.status == FAIL:
                problems.append(f"{requirement.title} ({requirement.citations[0].code}): "
                                f"{outcome.explanation}")
    return problems
