"""What an audit report holds: a clinic's records as of a date, as known then or now, as JSON."""

from collections import Counter, defaultdict
from datetime import date

from peewee import ForeignKeyField

from registry.db import read_snapshot
from registry.models import (
    AdverseReaction,
    Affiliation,
    AuditChainHead,
    AuditEvent,
    Clinic,
    CorrectiveAction,
    Credential,
    CredentialPeriod,
    CredentialVerification,
    Finding,
    Inspection,
    Manufacturer,
    PigmentLot,
    PigmentProduct,
    Practitioner,
    Procedure,
    ProcedureLot,
    ReactionLot,
    Recall,
    RecallMatch,
)
from registry.models.credentials import KIND_LABELS
from registry.models.reactions import SERIOUS_OUTCOMES
from registry.rules.facts import load_clinics
from registry.rules.knowledge import Knowledge, end_of
from registry.services import charts, compliance, signals
from registry.services.audit import chain_for
from registry.services.practitioners import PERIOD_FIELDS, period_on
from registry.services.reporting_clock import (
    OVERDUE,
    REPORTED,
    REPORTED_LATE,
    fda_clock,
)

# Bumped when the report's layout or content changes, so earlier stored files are not reused.
REPORT_FORMAT = 3
# The reporting clock's status in the report's words; a report still due reads "open".
CLOCK_WORDS = {REPORTED: "reported on time", REPORTED_LATE: "reported late", OVERDUE: "overdue"}
# The products of the clinic's lots with the most reactions across the registry, at most.
SIGNAL_PRODUCTS = 5


def gather(clinic: Clinic, as_of: date, known_on: date | None = None) -> dict:
    """Everything the report prints, limited to what was on record as of the date, by what
    the registry knew at the end of known_on (None: by what it knows now). One snapshot."""
    with read_snapshot():
        knowledge = Knowledge.load([clinic.id], known_on)
        checklist = compliance.checklist(clinic.id, as_of, known_on=known_on).to_dict()
        lots = load_clinics([clinic.id], known_on)[0].lots
        return {
            "format": REPORT_FORMAT,
            "as_of": as_of.isoformat(),
            "known_on": _iso(known_on),
            "clinic": _clinic(_known(Clinic.get_by_id(clinic.id), knowledge), as_of, knowledge),
            "checklist": checklist,
            "requirements": by_requirement(checklist["items"]),
            "practitioners": _practitioners(clinic, as_of, knowledge),
            "lots": _lots(clinic, as_of, knowledge, {lot.key: lot for lot in lots}),
            "procedures": _procedures(clinic, as_of, knowledge),
            "reactions": _reactions(clinic, as_of, knowledge),
            "signals": _signals(clinic, as_of),
            "inspections": _inspections(clinic, as_of, knowledge),
            "audit_head": _audit_head(clinic, knowledge),
        }


def by_requirement(items: list[dict]) -> list[dict]:
    """The checklist grouped by requirement: its counts, and each item that needs attention
    in full (a clinic's hundreds of passing procedure checks are counted, not listed)."""
    grouped: dict[str, dict] = {}
    for item in items:
        entry = grouped.setdefault(item["requirement_id"], {
            "requirement_id": item["requirement_id"], "title": item["title"],
            "jurisdiction": item["jurisdiction"], "severity": item["severity"],
            "confidence": item["confidence"], "conflict": item["conflict"],
            "note": item["note"], "citations": item["citations"], "counts": Counter(),
            "attention": [], "passed": []})
        entry["counts"][item["status"]] += 1
        if item["status"] in ("pass", "not_applicable"):
            entry["passed"].append(item)
        else:
            entry["attention"].append(item)
    for entry in grouped.values():
        entry["counts"] = dict(sorted(entry["counts"].items()))
        # A handful of passing subjects are named; more are only counted.
        entry["passed"] = entry["passed"] if len(entry["passed"]) <= 5 else []
    return list(grouped.values())


def _iso(value):
    return value.isoformat() if value else None


def _known(row, knowledge: Knowledge):
    """The row with each of its own fields as it stood on record then (never saved)."""
    if knowledge.everything:
        return row
    table = row._meta.table_name
    for name, field in row._meta.fields.items():
        if not isinstance(field, ForeignKeyField) and name != "id":
            row.__data__[name] = knowledge.value(table, row.id, name, row.__data__.get(name))
    return row


def _kept(rows, knowledge: Knowledge) -> list:
    """The rows that were on record then, each as it stood."""
    return [_known(row, knowledge) for row in rows
            if knowledge.knows(row._meta.table_name, row.id, getattr(row, "created_at", None))]


def _by_day(value):
    # Rows are sorted by their recorded values, which for a past day may be put back.
    return value or date.min


def _credential(credential: Credential, as_of: date) -> dict:
    if credential.revoked_on and credential.revoked_on <= as_of:
        standing = "revoked"
    elif credential.expires_on and credential.expires_on < as_of:
        standing = "expired"
    else:
        standing = "current"
    checked = credential.verified_at.date() if credential.verified_at else None
    return {
        "kind": KIND_LABELS.get(credential.kind, credential.kind),
        "number": credential.number, "issuer": credential.issuer, "state": credential.state,
        "issued_on": _iso(credential.issued_on), "expires_on": _iso(credential.expires_on),
        "standing": standing, "verification": credential.verification_state,
        "verification_source": credential.verification_source,
        "verified_on": _iso(checked),
        "days_since_verified": (as_of - checked).days if checked else None,
        "document": bool(credential.document_sha256),
    }


def _credentials(holders, as_of: date, knowledge: Knowledge) -> list[Credential]:
    """The credentials the condition selects, each as its period in force on the date stood
    on record (a later renewal or check leaves an earlier date's report as it was); those
    with no period issued by then are left out. By kind and date."""
    held = _kept(Credential.select().where(holders), knowledge)
    ids = [c.id for c in held] or [0]
    versions = defaultdict(list)
    for version in (CredentialPeriod.select().where(CredentialPeriod.credential.in_(ids))
                    .order_by(CredentialPeriod.id)):
        if knowledge.recorded(version.recorded_at):
            versions[version.credential_id].append(version)
    until = end_of(as_of) if knowledge.until is None else min(end_of(as_of), knowledge.until)
    checks = {}
    for check in (CredentialVerification.select()
                  .where(CredentialVerification.credential.in_(ids)
                         & (CredentialVerification.checked_at < until))
                  .order_by(CredentialVerification.checked_at, CredentialVerification.id)):
        checks[check.credential_id] = check
    shown = []
    for credential in held:
        period = period_on(versions[credential.id], as_of)
        if period is None:
            continue
        for name in PERIOD_FIELDS:
            credential.__data__[name] = getattr(period, name)
        check = checks.get(credential.id)
        if check is not None and check.checked_at >= _root(versions[credential.id], period):
            credential.__data__.update(verification_state=check.state,
                                       verification_source=check.source,
                                       verified_at=check.checked_at)
        else:
            credential.__data__["verified_at"] = None
        shown.append(credential)
    return sorted(shown, key=lambda c: (c.kind, c.issued_on is not None, _by_day(c.issued_on),
                                        c.id))


def _root(versions: list[CredentialPeriod], period: CredentialPeriod):
    """When the period was first recorded: checks before it were of an earlier period."""
    by_id = {v.id: v for v in versions}
    while period.replaces_id in by_id:
        period = by_id[period.replaces_id]
    return period.recorded_at


def _clinic(clinic: Clinic, as_of: date, knowledge: Knowledge) -> dict:
    licences = _credentials(Credential.clinic == clinic, as_of, knowledge)
    return {
        "id": clinic.id, "name": clinic.name, "state": clinic.state, "county": clinic.county,
        "city": clinic.city, "address": clinic.address,
        "licences": [_credential(c, as_of) for c in licences],
    }


def _practitioners(clinic: Clinic, as_of: date, knowledge: Knowledge) -> list[dict]:
    affiliations = [a for a in _kept(Affiliation.select(Affiliation, Practitioner)
                                     .join(Practitioner).where(Affiliation.clinic == clinic),
                                     knowledge) if a.starts_on <= as_of]
    for affiliation in affiliations:
        _known(affiliation.practitioner, knowledge)
    affiliations.sort(key=lambda a: (a.practitioner.last_name, a.practitioner.first_name,
                                     a.starts_on, a.id))
    ids = {a.practitioner_id for a in affiliations}
    held = defaultdict(list)
    for credential in _credentials(Credential.practitioner.in_(ids or [0]), as_of, knowledge):
        held[credential.practitioner_id].append(_credential(credential, as_of))
    return [{
        "name": f"{a.practitioner.first_name} {a.practitioner.last_name}",
        "title": a.title, "starts_on": _iso(a.starts_on),
        "ends_on": _iso(a.ends_on) if a.ends_on and a.ends_on <= as_of else None,
        "credentials": held[a.practitioner_id],
    } for a in affiliations]


def _lots(clinic: Clinic, as_of: date, knowledge: Knowledge, facts: dict) -> list[dict]:
    """The lots received by the date, with the status their facts give that day (holds
    outrank all but disposal) and the recalls matched to them by then."""
    lots = [lot for lot in _kept(
        PigmentLot.select(PigmentLot, PigmentProduct, Manufacturer)
        .join(PigmentProduct).join(Manufacturer).where(PigmentLot.clinic == clinic), knowledge)
        if lot.received_on <= as_of]
    lots.sort(key=lambda lot: (lot.received_on, lot.id))
    ids = [lot.id for lot in lots] or [0]
    recalls = defaultdict(list)
    for match in (RecallMatch.select(RecallMatch, Recall).join(Recall)
                  .where(RecallMatch.lot.in_(ids)).order_by(RecallMatch.id)):
        if match.matched_at.date() <= as_of and knowledge.recorded(match.matched_at):
            recalls[match.lot_id].append({
                "recall_number": match.recall.recall_number,
                "classification": match.recall.classification,
                "firm": match.recall.recalling_firm, "matched_text": match.matched_text})
    return [{
        "lot_number": lot.lot_number, "brand": lot.product.brand, "product": lot.product.name,
        "manufacturer": lot.product.manufacturer.name, "received_on": _iso(lot.received_on),
        "expires_on": _iso(lot.expires_on), "status": _lot_status(facts.get(lot.id), as_of),
        "expired": bool(lot.expires_on and lot.expires_on < as_of),
        "recalls": recalls[lot.id],
    } for lot in lots]


def _lot_status(fact, as_of: date) -> str:
    status = fact.status_on(as_of)[0] if fact is not None else None
    return status or "received"


def _procedures(clinic: Clinic, as_of: date, knowledge: Knowledge) -> dict:
    performed = {p.id: p.performed_on for p in _kept(
        Procedure.select(Procedure.id, Procedure.performed_on, Procedure.created_at)
        .where(Procedure.clinic == clinic), knowledge) if p.performed_on <= as_of}
    by_month = Counter(day.strftime("%Y-%m") for day in performed.values())
    uses = sorted((lot_number, performed[procedure_id]) for lot_number, procedure_id in (
        ProcedureLot.select(PigmentLot.lot_number, ProcedureLot.procedure).join(PigmentLot)
        .switch(ProcedureLot).join(Procedure).where(Procedure.clinic == clinic).tuples())
        if procedure_id in performed)
    by_lot: dict[str, dict] = {}
    for lot_number, day in uses:
        entry = by_lot.setdefault(lot_number, {"lot_number": lot_number, "procedures": 0,
                                               "first": _iso(day), "last": _iso(day)})
        entry["procedures"] += 1
        entry["last"] = _iso(day)
    return {
        "total": sum(by_month.values()),
        "by_month": [{"month": m, "procedures": n} for m, n in sorted(by_month.items())],
        "by_lot": list(by_lot.values()),
    }


def _reactions(clinic: Clinic, as_of: date, knowledge: Knowledge) -> list[dict]:
    reactions = [r for r in _kept(AdverseReaction.select()
                                  .where(AdverseReaction.clinic == clinic), knowledge)
                 if r.aware_on <= as_of]
    reactions.sort(key=lambda r: (r.event_on, r.id))
    suspects = defaultdict(list)
    for reaction_id, lot_number in (
            ReactionLot.select(ReactionLot.reaction, PigmentLot.lot_number).join(PigmentLot)
            .where(ReactionLot.reaction.in_([r.id for r in reactions] or [0]))
            .order_by(PigmentLot.lot_number).tuples()):
        suspects[reaction_id].append(lot_number)
    return [_reaction(r, suspects[r.id], as_of) for r in reactions]


def _reaction(reaction: AdverseReaction, lots: list[str], as_of: date) -> dict:
    outcomes = [name.removeprefix("outcome_").replace("_", " ")
                for name in SERIOUS_OUTCOMES + ("outcome_other_serious",)
                if getattr(reaction, name)]
    reported = reaction.reported_to_fda_on if (
        reaction.reported_to_fda_on and reaction.reported_to_fda_on <= as_of) else None
    clock = fda_clock(reaction, as_of)
    return {
        "event_on": _iso(reaction.event_on), "aware_on": _iso(reaction.aware_on),
        "description": reaction.description, "serious": reaction.serious,
        "outcomes": outcomes, "lots": lots, "fda_due_on": _iso(clock.due_on if clock else None),
        "reported_to_fda_on": _iso(reported), "fda_report_number": reaction.fda_report_number,
        "reported_to_state_on": _iso(reaction.reported_to_state_on
                                     if reaction.reported_to_state_on
                                     and reaction.reported_to_state_on <= as_of else None),
        "clock": CLOCK_WORDS.get(clock.status, "open") if clock else "not required",
    }


def _inspections(clinic: Clinic, as_of: date, knowledge: Knowledge) -> list[dict]:
    inspections = [i for i in _kept(Inspection.select().where(Inspection.clinic == clinic),
                                    knowledge) if i.inspected_on <= as_of]
    inspections.sort(key=lambda i: (i.inspected_on, i.id))
    ids = [i.id for i in inspections] or [0]
    findings = defaultdict(list)
    actions = defaultdict(list)
    recorded = _kept(CorrectiveAction.select().join(Finding)
                     .where(Finding.inspection.in_(ids)), knowledge)
    for action in sorted(recorded, key=lambda a: (a.due_on, a.id)):
        done = action.completed_on if action.completed_on and action.completed_on <= as_of \
            else None
        actions[action.finding_id].append({
            "description": action.description, "due_on": _iso(action.due_on),
            "completed_on": _iso(done),
            "state": "done" if done else ("overdue" if action.due_on < as_of else "open")})
    for finding in _kept(Finding.select().where(Finding.inspection.in_(ids))
                         .order_by(Finding.id), knowledge):
        findings[finding.inspection_id].append({
            "severity": finding.severity, "requirement_id": finding.requirement_id,
            "description": finding.description, "actions": actions[finding.id]})
    return [{"inspected_on": _iso(i.inspected_on), "kind": i.kind, "result": i.result,
             "findings": findings[i.id]} for i in inspections]


def _audit_head(clinic: Clinic, knowledge: Knowledge) -> dict:
    """The last link of the clinic's audit chain: now, or the last recorded by the day."""
    chain = chain_for(clinic.id)
    if knowledge.everything:
        head = AuditChainHead.get_or_none(AuditChainHead.chain == chain)
    else:
        head = (AuditEvent.select(AuditEvent.seq, AuditEvent.mac)
                .where((AuditEvent.chain == chain) & (AuditEvent.occurred_at < knowledge.until))
                .order_by(AuditEvent.seq.desc()).first())
    return {"chain": chain, "seq": head.seq if head else 0, "mac": head.mac if head else None}


def _signals(clinic: Clinic, as_of: date) -> list[dict]:
    """The pigment products of the clinic's lots that any clinic linked to an adverse reaction,
    most reactions first, with their figures against every other product across all clinics
    (procedures up to the date, reactions known by then) and a chart of their reactions per
    month. The chart is SVG text, the same for the same data."""
    held = {lot.product_id for lot in PigmentLot.select(PigmentLot.product).where(
        (PigmentLot.clinic == clinic) & (PigmentLot.received_on <= as_of))}
    rows = [row for row in signals.signals("product", aware_to=as_of, performed_to=as_of)
            if row.key in held and row.reactions]
    rows.sort(key=lambda row: (-row.reactions, row.label, row.key))
    shown = []
    for row in rows[:SIGNAL_PRODUCTS]:
        months = signals.monthly_reactions(row.key, aware_to=as_of)
        result = row.result
        shown.append({
            "product": row.label, "procedures": row.procedures, "reactions": row.reactions,
            "serious": sum(month.serious for month in months),
            "prr": result.prr, "chi_squared": result.chi_squared, "ror": result.ror,
            "ror_lower": result.ror_lower, "ror_upper": result.ror_upper,
            "evans": result.evans, "by_ror": result.by_ror, "signal": row.signal,
            "chart": charts.reactions_chart_svg(months, f"Reactions per month: {row.label}",
                                                chart_id=f"reactions-{row.key}"),
        })
    return shown
