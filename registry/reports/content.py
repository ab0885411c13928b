"""What an audit report holds: a clinic's records as of a date, as plain JSON-ready data."""

from collections import Counter, defaultdict
from datetime import date

from registry.models import (
    AdverseReaction,
    Affiliation,
    AuditChainHead,
    Clinic,
    CorrectiveAction,
    Credential,
    Finding,
    Inspection,
    LotStatusChange,
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
from registry.services import charts, compliance, signals
from registry.services.audit import chain_for
from registry.services.reporting_clock import (
    OVERDUE,
    REPORTED,
    REPORTED_LATE,
    fda_clock,
)

# Bumped when the report's layout or content changes, so earlier stored files are not reused.
REPORT_FORMAT = 2
# The reporting clock's status in the report's words; a report still due reads "open".
CLOCK_WORDS = {REPORTED: "reported on time", REPORTED_LATE: "reported late", OVERDUE: "overdue"}
# The products of the clinic's lots with the most reactions across the registry, at most.
SIGNAL_PRODUCTS = 5


def gather(clinic: Clinic, as_of: date) -> dict:
    """Everything the report prints, limited to what was on record as of the date."""
    checklist = compliance.checklist(clinic.id, as_of).to_dict()
    head = AuditChainHead.get_or_none(AuditChainHead.chain == chain_for(clinic.id))
    return {
        "format": REPORT_FORMAT,
        "as_of": as_of.isoformat(),
        "clinic": _clinic(clinic, as_of),
        "checklist": checklist,
        "requirements": by_requirement(checklist["items"]),
        "practitioners": _practitioners(clinic, as_of),
        "lots": _lots(clinic, as_of),
        "procedures": _procedures(clinic, as_of),
        "reactions": _reactions(clinic, as_of),
        "signals": _signals(clinic, as_of),
        "inspections": _inspections(clinic, as_of),
        "audit_head": {"chain": chain_for(clinic.id), "seq": head.seq if head else 0,
                       "mac": head.mac if head else None},
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


def _on_record(query, model, as_of):
    return query.where((model.issued_on.is_null()) | (model.issued_on <= as_of))


def _clinic(clinic: Clinic, as_of: date) -> dict:
    licences = _on_record(Credential.select().where(Credential.clinic == clinic), Credential,
                          as_of).order_by(Credential.kind, Credential.issued_on)
    return {
        "id": clinic.id, "name": clinic.name, "state": clinic.state, "county": clinic.county,
        "city": clinic.city, "address": clinic.address,
        "licences": [_credential(c, as_of) for c in licences],
    }


def _practitioners(clinic: Clinic, as_of: date) -> list[dict]:
    affiliations = list(
        Affiliation.select(Affiliation, Practitioner).join(Practitioner)
        .where((Affiliation.clinic == clinic) & (Affiliation.starts_on <= as_of))
        .order_by(Practitioner.last_name, Practitioner.first_name, Affiliation.starts_on))
    ids = {a.practitioner_id for a in affiliations}
    held = defaultdict(list)
    query = _on_record(Credential.select().where(Credential.practitioner.in_(ids or [0])),
                       Credential, as_of).order_by(Credential.kind, Credential.issued_on)
    for credential in query:
        held[credential.practitioner_id].append(_credential(credential, as_of))
    return [{
        "name": f"{a.practitioner.first_name} {a.practitioner.last_name}",
        "title": a.title, "starts_on": _iso(a.starts_on),
        "ends_on": _iso(a.ends_on) if a.ends_on and a.ends_on <= as_of else None,
        "credentials": held[a.practitioner_id],
    } for a in affiliations]


def _lots(clinic: Clinic, as_of: date) -> list[dict]:
    lots = list(
        PigmentLot.select(PigmentLot, PigmentProduct, Manufacturer)
        .join(PigmentProduct).join(Manufacturer)
        .where((PigmentLot.clinic == clinic) & (PigmentLot.received_on <= as_of))
        .order_by(PigmentLot.received_on, PigmentLot.id))
    ids = [lot.id for lot in lots] or [0]
    status = {}
    for change in (LotStatusChange.select()
                   .where(LotStatusChange.lot.in_(ids) & (LotStatusChange.effective_on <= as_of))
                   .order_by(LotStatusChange.effective_on, LotStatusChange.id)):
        status[change.lot_id] = change.status
    recalls = defaultdict(list)
    for match in (RecallMatch.select(RecallMatch, Recall).join(Recall)
                  .where(RecallMatch.lot.in_(ids)).order_by(RecallMatch.id)):
        if match.matched_at.date() <= as_of:
            recalls[match.lot_id].append({
                "recall_number": match.recall.recall_number,
                "classification": match.recall.classification,
                "firm": match.recall.recalling_firm, "matched_text": match.matched_text})
    return [{
        "lot_number": lot.lot_number, "brand": lot.product.brand, "product": lot.product.name,
        "manufacturer": lot.product.manufacturer.name, "received_on": _iso(lot.received_on),
        "expires_on": _iso(lot.expires_on), "status": status.get(lot.id, "received"),
        "expired": bool(lot.expires_on and lot.expires_on < as_of),
        "recalls": recalls[lot.id],
    } for lot in lots]


def _procedures(clinic: Clinic, as_of: date) -> dict:
    performed = (Procedure.select(Procedure.id, Procedure.performed_on)
                 .where((Procedure.clinic == clinic) & (Procedure.performed_on <= as_of)))
    by_month = Counter(p.performed_on.strftime("%Y-%m") for p in performed)
    uses = (ProcedureLot.select(PigmentLot.lot_number, Procedure.performed_on)
            .join(PigmentLot).switch(ProcedureLot).join(Procedure)
            .where((Procedure.clinic == clinic) & (Procedure.performed_on <= as_of))
            .order_by(PigmentLot.lot_number, Procedure.performed_on).tuples())
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


def _reactions(clinic: Clinic, as_of: date) -> list[dict]:
    reactions = list(AdverseReaction.select()
                     .where((AdverseReaction.clinic == clinic)
                            & (AdverseReaction.aware_on <= as_of))
                     .order_by(AdverseReaction.event_on, AdverseReaction.id))
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


def _inspections(clinic: Clinic, as_of: date) -> list[dict]:
    inspections = list(Inspection.select()
                       .where((Inspection.clinic == clinic) & (Inspection.inspected_on <= as_of))
                       .order_by(Inspection.inspected_on, Inspection.id))
    ids = [i.id for i in inspections] or [0]
    findings = defaultdict(list)
    actions = defaultdict(list)
    for action in (CorrectiveAction.select().join(Finding)
                   .where(Finding.inspection.in_(ids)).order_by(CorrectiveAction.due_on)):
        done = action.completed_on if action.completed_on and action.completed_on <= as_of \
            else None
        actions[action.finding_id].append({
            "description": action.description, "due_on": _iso(action.due_on),
            "completed_on": _iso(done),
            "state": "done" if done else ("overdue" if action.due_on < as_of else "open")})
    for finding in Finding.select().where(Finding.inspection.in_(ids)).order_by(Finding.id):
        findings[finding.inspection_id].append({
            "severity": finding.severity, "requirement_id": finding.requirement_id,
            "description": finding.description, "actions": actions[finding.id]})
    return [{"inspected_on": _iso(i.inspected_on), "kind": i.kind, "result": i.result,
             "findings": findings[i.id]} for i in inspections]


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
