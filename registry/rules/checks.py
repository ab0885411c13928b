"""The named checks a requirement can run, each over one kind of subject, as of a date."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from marshmallow import ValidationError

from registry.models.credentials import KIND_LABELS
from registry.rules.calendar import add_business_days, add_months

PASS, FAIL, WARNING, NOT_APPLICABLE, NEEDS_EVIDENCE = (
    "pass", "fail", "warning", "not_applicable", "needs_evidence")
STATUSES = (PASS, FAIL, WARNING, NOT_APPLICABLE, NEEDS_EVIDENCE)
SUBJECTS = ("clinic", "practitioner", "lot", "procedure", "reaction")
SOON_DAYS = 30


class Outcome:
    """What one check found for one subject: status, why, and the record and value it used.

    The explanation is a template and its arguments, formatted only when read: a state-wide
    sweep makes hundreds of thousands of outcomes and shows few of them. `link` names a record
    that explains or resolves the outcome, as (kind, id): ("recall", 12) for an exposure.
    """

    __slots__ = ("status", "template", "args", "record", "value", "downgraded", "link")

    def __init__(self, status, template, record=None, value=None, *, args=(), downgraded=False,
                 link=None):
        self.status = status
        self.template = template
        self.args = args
        self.record = record
        self.value = value
        self.downgraded = downgraded
        self.link = link

    @property
    def explanation(self) -> str:
        return self.template.format(*self.args) if self.args else self.template

    def __repr__(self) -> str:
        return f"Outcome({self.status!r}, {self.explanation!r})"


@dataclass(frozen=True)
class Param:
    types: tuple
    required: bool = False
    choices: tuple | None = None
    # Returns a problem with the value, or None.
    check: Callable | None = None


@dataclass(frozen=True)
class CheckKind:
    name: str
    subjects: tuple[str, ...]
    # run(subjects, requirement, context) -> one Outcome per subject, in order.
    run: Callable
    params: dict[str, Param] = field(default_factory=dict)
    fix: str = ""

    def validate_params(self, params: dict) -> None:
        errors = {}
        for name in params.keys() - self.params.keys():
            errors[name] = [f"Unknown parameter for {self.name}; known: "
                            + (", ".join(sorted(self.params)) or "none")]
        for name, spec in self.params.items():
            if name not in params:
                if spec.required:
                    errors[name] = ["Missing data for required parameter."]
                continue
            value = params[name]
            values = value.values if hasattr(value, "values") and hasattr(value, "at") \
                else (value,)
            for item in values:
                if not isinstance(item, spec.types) or isinstance(item, bool) \
                        and bool not in spec.types:
                    errors[name] = [f"Expected {' or '.join(t.__name__ for t in spec.types)}."]
                elif spec.choices and not set(_as_list(item)) <= set(spec.choices):
                    errors[name] = [f"Each value one of {', '.join(spec.choices)}."]
                elif spec.check and (problem := spec.check(item)):
                    errors[name] = [problem]
        if errors:
            raise ValidationError({"check": {"params": errors}})


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


CHECK_KINDS: dict[str, CheckKind] = {}


def check(name, subjects, fix="", **params):
    """Register a one-subject check function under a name the packs refer to."""
    def register(function):
        def run(items, requirement, context):
            return [function(subject, requirement, context) for subject in items]
        CHECK_KINDS[name] = CheckKind(name, tuple(subjects), run, params, fix)
        return function
    return register


def check_many(name, subjects, fix="", **params):
    """Register a check that takes all its subjects at once (for checks run per procedure)."""
    def register(function):
        CHECK_KINDS[name] = CheckKind(name, tuple(subjects), function, params, fix)
        return function
    return register


def _day(value: date | None) -> str:
    return value.isoformat() if value else "none"


def _kind(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " "))


def _kinds(kinds) -> str:
    return " or ".join(_kind(k) for k in kinds)


def _credential_label(credential) -> str:
    number = f" {credential.number}" if credential.number else ""
    return f"{_kind(credential.kind)}{number} ({credential.issuer})"


def _valid_credential(credentials, kinds, state, max_age_months, day):
    """(best valid credential, the most recent held one) for the kinds, as of day."""
    held = [c for c in credentials if c.kind in kinds and (state is None or c.state == state)
            and (c.issued_on is None or c.issued_on <= day)
            and not (c.revoked_on and c.revoked_on <= day)]
    oldest_issue = add_months(day, -max_age_months) if max_age_months else None
    valid = [c for c in held if (c.expires_on is None or c.expires_on >= day)
             and (oldest_issue is None or (c.issued_on and c.issued_on > oldest_issue))]
    latest = max(held, key=lambda c: (c.expires_on or date.max, c.issued_on or date.min),
                 default=None)
    best = max(valid, key=lambda c: (c.expires_on or date.max, c.issued_on or date.min),
               default=None)
    return best, latest


def credential_outcome(subject, requirement, context, kinds, *, revoked_ok=False) -> Outcome:
    day = context.as_of
    state = requirement.param("state", day)
    max_age = requirement.param("max_age_months", day)
    credentials = subject.credentials
    best, latest = _valid_credential(credentials, kinds, state, max_age, day)
    wanted = _kinds(kinds)
    where = f" for {state}" if state else ""
    if best is None:
        if requirement.param("only_if_held", day) and latest is None and not any(
                c.kind in kinds for c in credentials):
            return Outcome(NOT_APPLICABLE, f"No {wanted} held, so its renewal rule does not "
                                           "apply.")
        revoked = [c for c in credentials if c.kind in kinds and c.revoked_on
                   and c.revoked_on <= day]
        if revoked:
            return Outcome(FAIL, f"{_credential_label(revoked[0])} was revoked on "
                                 f"{_day(revoked[0].revoked_on)}.", revoked[0].key,
                           _day(revoked[0].revoked_on))
        if latest is None:
            return Outcome(FAIL, f"No {wanted}{where} on file as of {_day(day)}.")
        if latest.expires_on and latest.expires_on < day:
            return Outcome(FAIL, f"{_credential_label(latest)} expired on "
                                 f"{_day(latest.expires_on)}.", latest.key,
                           _day(latest.expires_on))
        return Outcome(FAIL, f"{_credential_label(latest)} was issued on "
                             f"{_day(latest.issued_on)}, more than {max_age} months before "
                             f"{_day(day)}.", latest.key, _day(latest.issued_on))
    label = _credential_label(best)
    verification, source = best.verification_on(day)
    if verification in ("not_found", "mismatch", "revoked", "expired"):
        return Outcome(WARNING, f"{label} is current on paper, but the roster check of "
                                f"{source or 'its source'} found: "
                                f"{verification.replace('_', ' ')}.", best.key, verification)
    ends = best.expires_on
    if max_age and best.issued_on:
        renew_by = add_months(best.issued_on, max_age)
        ends = min(ends, renew_by) if ends else renew_by
    if ends and ends - day <= timedelta(days=SOON_DAYS):
        return Outcome(WARNING, f"{label} is current but lapses on {_day(ends)}.", best.key,
                       _day(ends))
    until = f" until {_day(ends)}" if ends else ""
    return Outcome(PASS, f"{label} is current{until}.", best.key, _day(ends))


CREDENTIAL_PARAMS = {
    "state": Param((str,)),
    "max_age_months": Param((int,)),
    "only_if_held": Param((bool,)),
}


@check("credential_current", ("practitioner", "clinic"),
       fix="Record the current credential with its dates, or renew it.",
       kinds=Param((list,), required=True), **CREDENTIAL_PARAMS)
def credential_current(subject, requirement, context) -> Outcome:
    return credential_outcome(subject, requirement, context,
                              requirement.param("kinds", context.as_of))


@check("establishment_license_current", ("clinic",),
       fix="Record the clinic's current establishment licence, or renew it.",
       **CREDENTIAL_PARAMS)
def establishment_license_current(subject, requirement, context) -> Outcome:
    return credential_outcome(subject, requirement, context, ["establishment_license"])


@check("training_within", ("practitioner",),
       fix="Record the practitioner's most recent training certificate, or schedule the training.",
       kinds=Param((list,), required=True), months=Param((int,), required=True))
def training_within(subject, requirement, context) -> Outcome:
    day = context.as_of
    kinds = requirement.param("kinds", day)
    months = requirement.param("months", day)
    taken = [c.issued_on for c in subject.credentials
             if c.kind in kinds and c.issued_on and c.issued_on <= day]
    wanted = _kinds(kinds)
    if not taken:
        return Outcome(FAIL, f"No {wanted} on record as of {_day(day)}.")
    last = max(taken)
    due = add_months(last, months)
    if due < day:
        return Outcome(FAIL, f"Last {wanted} was on {_day(last)}; it was due again by "
                             f"{_day(due)}.", value=_day(last))
    if due - day <= timedelta(days=SOON_DAYS):
        return Outcome(WARNING, f"Last {wanted} was on {_day(last)}; due again by {_day(due)}.",
                       value=_day(last))
    return Outcome(PASS, f"Last {wanted} was on {_day(last)}, within {months} months.",
                   value=_day(last))


@check("hepatitis_b_on_file", ("practitioner",),
       fix="File proof of hepatitis B vaccination or immunity, or the signed declination.")
def hepatitis_b_on_file(subject, requirement, context) -> Outcome:
    records = [c for c in subject.credentials
               if c.kind in ("hepatitis_b_vaccination", "hepatitis_b_declination")
               and (c.issued_on is None or c.issued_on <= context.as_of)]
    if not records:
        return Outcome(FAIL, "No hepatitis B vaccination record or declination on file.")
    record = records[-1]
    return Outcome(PASS, f"{_kind(record.kind).capitalize()} on file "
                         f"({_day(record.issued_on)}).", record.key)


AGE_EXCEPTION_CONDITIONS = ("parental_consent", "cover_up")


def _age_exceptions_problem(exceptions) -> str | None:
    for exception in exceptions:
        if not isinstance(exception, dict) or set(exception) - {"min_age", "requires"} \
                or not isinstance(exception.get("requires"), list) \
                or not set(exception["requires"]) <= set(AGE_EXCEPTION_CONDITIONS) \
                or not isinstance(exception.get("min_age", 0), int):
            return ("Each exception is {min_age: N, requires: [...]} with requirements from "
                    + ", ".join(AGE_EXCEPTION_CONDITIONS) + ".")
    return None


@check_many("client_minimum_age", ("procedure",),
            fix="Record the client's date of birth and, where allowed, the parental consent.",
            min_age=Param((int,), required=True),
            exceptions=Param((list,), check=_age_exceptions_problem))
def client_minimum_age(procedures, requirement, context) -> list[Outcome]:
    outcomes = []
    dated = requirement.is_dated("min_age")
    min_age = requirement.param("min_age", context.as_of)
    for procedure in procedures:
        day, born = procedure.performed_on, procedure.client_birth_date
        if dated:
            min_age = requirement.param("min_age", day)
        if born is None:
            outcomes.append(Outcome(NEEDS_EVIDENCE, "The client's date of birth is not recorded.",
                                    procedure.client_key))
            continue
        age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        if age >= min_age:
            outcomes.append(Outcome(PASS, "Client was {} on {} (minimum {}).",
                                    procedure.client_key, age, args=(age, day, min_age)))
            continue
        outcomes.append(_under_age(procedure, requirement, age, min_age))
    return outcomes


def _under_age(procedure, requirement, age, min_age) -> Outcome:
    held = {"parental_consent": procedure.parental_consent_on_file,
            "cover_up": procedure.is_cover_up}
    for exception in requirement.param("exceptions", procedure.performed_on) or []:
        if age >= exception.get("min_age", 0) and all(held.get(r) for r in exception["requires"]):
            allowed = " and ".join(r.replace("_", " ") for r in exception["requires"])
            return Outcome(PASS, "Client was {} (under {}); allowed with {}, which is on file.",
                           procedure.client_key, age, args=(age, min_age, allowed))
    return Outcome(FAIL, "Client was {} on {}, under the minimum age of {}.",
                   procedure.client_key, age, args=(age, procedure.performed_on, min_age))


@check("lot_not_expired", ("lot",), fix="Take the lot out of use and dispose of it.")
def lot_not_expired(subject, requirement, context) -> Outcome:
    if subject.expires_on is None:
        return Outcome(NEEDS_EVIDENCE, f"Lot {subject.lot_number} has no expiry date recorded.",
                       subject.key)
    if subject.expires_on < context.as_of:
        return Outcome(FAIL, f"Lot {subject.lot_number} expired on {_day(subject.expires_on)} "
                             "and is still on hand.", subject.key, _day(subject.expires_on))
    return Outcome(PASS, f"Lot {subject.lot_number} expires on {_day(subject.expires_on)}.",
                   subject.key, _day(subject.expires_on))


@check("lot_not_recalled", ("lot",),
       fix="Keep the lot on hold, stop using it, and follow the recall notice.")
def lot_not_recalled(subject, requirement, context) -> Outcome:
    day = context.as_of
    held = subject.holds_on(day)
    recalls = [hold for hold in held if hold.kind == "recall"]
    if recalls:
        hold = recalls[0]
        cited = f" (recall {hold.recall_number})" if hold.recall_number else ""
        if hold.placed_on > day:
            return Outcome(WARNING, f"Lot {subject.lot_number} was under recall{cited} from "
                                    f"{_day(hold.starts_on)}, which the registry learned of on "
                                    f"{_day(hold.placed_on)}.", subject.key,
                           hold.recall_number, link=("recall", hold.recall_id))
        return Outcome(FAIL, f"Lot {subject.lot_number} is recalled{cited} and still on hand.",
                       subject.key, hold.recall_number or "recalled",
                       link=("recall", hold.recall_id))
    if held:
        return Outcome(WARNING, f"Lot {subject.lot_number} is quarantined.", subject.key,
                       "quarantined")
    status = subject.lifecycle_on(day)
    return Outcome(PASS, f"Lot {subject.lot_number} is not under recall ({status}).",
                   subject.key, status)


@check("recall_matches_reviewed", ("lot",),
       fix="Open the possible recall matches and confirm or dismiss each one.",
       days=Param((int,), required=True))
def recall_matches_reviewed(subject, requirement, context) -> Outcome:
    """A possible recall match is a question for a person; one left open too long needs
    attention (the lot stays in use meanwhile)."""
    day = context.as_of
    waiting = [(found, number, key) for found, decided, number, key in subject.reviews
               if found <= day and (decided is None or decided > day)]
    if not waiting:
        return Outcome(PASS, f"Lot {subject.lot_number} has no possible recall match open.",
                       subject.key)
    days = requirement.param("days", day)
    found, number, key = waiting[0]
    age = (day - found).days
    if age > days:
        return Outcome(WARNING, f"Lot {subject.lot_number} may be named by recall {number}: "
                                f"the possible match found on {_day(found)} has waited {age} "
                                f"days for the clinic's decision (at most {days}).",
                       subject.key, number, link=("recall_review", key))
    return Outcome(PASS, f"Lot {subject.lot_number}: a possible match with recall {number} "
                         f"awaits the clinic's decision ({age} of {days} days).",
                   subject.key, number, link=("recall_review", key))


@check_many("procedure_lots_recorded", ("procedure",),
            fix="Record the colour, manufacturer and lot number of each pigment used.")
def procedure_lots_recorded(procedures, requirement, context) -> list[Outcome]:
    return [Outcome(PASS, "{} lot(s) recorded.", p.key, args=(len(p.lot_keys),)) if p.lot_keys
            else Outcome(FAIL, "No pigment lot recorded for the procedure of {}.", p.key,
                         args=(p.performed_on,))
            for p in procedures]


USABLE = Outcome(PASS, "Every lot used was usable on the day of the procedure.")


@check_many("procedure_lots_usable", ("procedure",),
            fix="Review the clients treated with the lot and report any reaction.")
def procedure_lots_usable(procedures, requirement, context) -> list[Outcome]:
    """A lot that was known to be unusable on the day fails; a lot under a recall that began
    before the day but was learned of after it is an exposure: its clients must be told."""
    lots = context.lots
    outcomes = []
    for procedure in procedures:
        day = procedure.performed_on
        used = [lot for key in procedure.lot_keys if (lot := lots.get(key)) is not None]
        problems = [problem for lot in used if (problem := lot.problem_on(day))]
        if problems:
            outcomes.append(Outcome(FAIL, "On {}, {}.", procedure.key,
                                    args=(day, "; ".join(problems))))
            continue
        exposure = next(((lot, hold) for lot in used if (hold := lot.exposure_on(day))), None)
        if exposure is None:
            outcomes.append(USABLE)
            continue
        lot, hold = exposure
        outcomes.append(Outcome(
            WARNING, "Exposure: on {} lot {} was already under FDA recall {} (from {}; the "
            "registry learned of it on {}). Notify the client.", procedure.key,
            hold.recall_number, args=(day, lot.lot_number, hold.recall_number, hold.starts_on,
                                      hold.placed_on), link=("recall", hold.recall_id)))
    return outcomes


def _flag_check(name, attribute, missing, present, fix):
    on_file = Outcome(PASS, present)

    @check_many(name, ("procedure",), fix=fix)
    def run(procedures, requirement, context) -> list[Outcome]:
        return [on_file if getattr(p, attribute) else
                Outcome(FAIL, missing + " for the procedure of {}.", p.key,
                        args=(p.performed_on,))
                for p in procedures]
    return run


_flag_check("consent_on_file", "consent_on_file", "No signed consent on file",
            "Signed consent on file.", "File the client's signed consent.")
_flag_check("aftercare_given", "aftercare_given", "No aftercare instructions recorded",
            "Aftercare instructions given.", "Give and record the written aftercare instructions.")


@check("reaction_reported_within", ("reaction",),
       fix="Send the report and record the date it was sent.",
       days=Param((int,), required=True), business_days=Param((bool,)),
       to=Param((str,), required=True, choices=("manufacturer", "fda", "state")),
       serious_only=Param((bool,)))
def reaction_reported_within(subject, requirement, context) -> Outcome:
    day = context.as_of
    if requirement.param("serious_only", day) and not subject.serious:
        return Outcome(NOT_APPLICABLE, "Not a serious reaction.", subject.key)
    days = requirement.param("days", day)
    business = requirement.param("business_days", day)
    target = requirement.param("to", day)
    due = add_business_days(subject.aware_on, days) if business \
        else subject.aware_on + timedelta(days=days)
    sent = getattr(subject, f"reported_to_{target}_on")
    sent = sent if sent and sent <= day else None
    unit = "business days" if business else "days"
    whom = {"fda": "FDA", "manufacturer": "the manufacturer", "state": "the state"}[target]
    if sent and sent <= due:
        return Outcome(PASS, f"Reported to {whom} on {_day(sent)}, within {days} {unit} of "
                             f"{_day(subject.aware_on)}.", subject.key, _day(sent))
    if sent:
        return Outcome(FAIL, f"Reported to {whom} on {_day(sent)}, after the deadline of "
                             f"{_day(due)}.", subject.key, _day(sent))
    if day > due:
        return Outcome(FAIL, f"Not reported to {whom}; the deadline was {_day(due)}.",
                       subject.key, _day(due))
    return Outcome(WARNING, f"Report to {whom} due by {_day(due)} ({days} {unit} from "
                            f"{_day(subject.aware_on)}).", subject.key, _day(due))


@check("inspection_within", ("clinic",),
       fix="Ask the health authority for an inspection, or record the last one.",
       months=Param((int,), required=True))
def inspection_within(subject, requirement, context) -> Outcome:
    day = context.as_of
    months = requirement.param("months", day)
    done = [i.inspected_on for i in subject.inspections if i.inspected_on <= day]
    if not done:
        return Outcome(FAIL, "No inspection on record.")
    last = max(done)
    due = add_months(last, months)
    if due < day:
        return Outcome(FAIL, f"Last inspected on {_day(last)}; another was due by {_day(due)}.",
                       value=_day(last))
    return Outcome(PASS, f"Last inspected on {_day(last)}, within {months} months.",
                   value=_day(last))


@check("record_retention", ("clinic",),
       fix="Restore the removed records from backup; keep records for the full period.",
       years=Param((int,), required=True))
def record_retention(subject, requirement, context) -> Outcome:
    years = requirement.param("years", context.as_of)
    early = [d for d in subject.deletions if d.deleted_on <= context.as_of
             and d.record_on > add_months(d.deleted_on, -12 * years)]
    if early:
        first = early[0]
        return Outcome(FAIL, f"{len(early)} record(s) removed before {years} years, e.g. "
                             f"{first.entity} of {_day(first.record_on)} removed on "
                             f"{_day(first.deleted_on)}.", first.key)
    return Outcome(PASS, f"No record was removed before it was {years} years old.")


@check("no_approval_claim", ("lot",),
       fix="Remove the claim: no color additive is approved for injection into the skin.")
def no_approval_claim(subject, requirement, context) -> Outcome:
    text = (subject.description or "").lower()
    if "fda approved" in text or "fda-approved" in text:
        return Outcome(FAIL, f"{subject.product} is described as FDA-approved.", subject.key)
    return Outcome(PASS, f"{subject.product} makes no approval claim.", subject.key)


@check("attestation", SUBJECTS,
       fix="Confirm on site and keep the evidence with the clinic's records.",
       evidence=Param((str,), required=True))
def attestation(subject, requirement, context) -> Outcome:
    return Outcome(NEEDS_EVIDENCE, requirement.param("evidence", context.as_of))
