"""How far recalls reached: the matched lots a principal sees, and the clinics and clients hit."""

from dataclasses import dataclass
from typing import NamedTuple

from peewee import fn

from registry.auth.principal import Principal
from registry.auth.tenancy import visible_clinics
from registry.models import (
    Clinic,
    PigmentLot,
    PigmentProduct,
    Procedure,
    ProcedureLot,
    Recall,
    RecallMatch,
)
from registry.services.trace import (
    VOIDED,
    ClinicImpact,
    RecallImpact,
    recall_impact,
)


@dataclass(frozen=True)
class Reach:
    """A recall's matched lots, and the clinics and clients they reached, as one viewer sees."""

    lots: int = 0
    clinics: int = 0
    clients: int = 0


def recalls_reaching(principal: Principal):
    """The recalls matched to at least one lot of a clinic the principal sees, newest first."""
    reached = (RecallMatch.select(RecallMatch.recall).join(PigmentLot)
               .where(PigmentLot.clinic.in_(visible_clinics(principal))))
    return (Recall.select().where(Recall.id.in_(reached))
            .order_by(Recall.report_date.desc(nulls="LAST"), Recall.id.desc()))


def matched_lots(recall: Recall | int, principal: Principal) -> list[RecallMatch]:
    """The recall's matches on lots of clinics the principal sees, each with its lot, the lot's
    product and clinic; other clinics' lots are left out."""
    return list(RecallMatch.select(RecallMatch, PigmentLot, PigmentProduct, Clinic)
                .join(PigmentLot).join(PigmentProduct).switch(PigmentLot).join(Clinic)
                .where((RecallMatch.recall == recall)
                       & PigmentLot.clinic.in_(visible_clinics(principal)))
                .order_by(Clinic.name, Clinic.id, PigmentLot.lot_number, PigmentLot.id))


class SeenImpact(NamedTuple):
    """A recall as a principal sees it: its matches at their clinics, and the clients reached."""

    matches: list[RecallMatch]
    impact: RecallImpact


def seen_impact(recall: Recall, principal: Principal) -> SeenImpact | None:
    """The recall's matches and impact at the principal's clinics; None when it reached none,
    so the caller answers as for a recall that does not exist."""
    matches = matched_lots(recall, principal)
    impact = recall_impact(recall, principal)
    if not matches and not impact.clinics:
        return None
    return SeenImpact(matches, impact)


def reach(recall_ids: list[int], principal: Principal) -> dict[int, Reach]:
    """For each recall: its matched lots, and the clinics and clients whose procedures used
    one, counting only the clinics the principal sees."""
    ids = list(recall_ids) or [0]
    clinics = visible_clinics(principal)
    lots = (RecallMatch.select(RecallMatch.recall, fn.COUNT(RecallMatch.id))
            .join(PigmentLot)
            .where(RecallMatch.recall.in_(ids) & PigmentLot.clinic.in_(clinics))
            .group_by(RecallMatch.recall).tuples())
    used = (ProcedureLot.select(RecallMatch.recall, fn.COUNT(Procedure.clinic.distinct()),
                                fn.COUNT(Procedure.client.distinct()))
            .join(RecallMatch, on=(RecallMatch.lot == ProcedureLot.lot))
            .switch(ProcedureLot).join(Procedure)
            .where(RecallMatch.recall.in_(ids) & Procedure.clinic.in_(clinics)
                   & (Procedure.status != VOIDED))
            .group_by(RecallMatch.recall).tuples())
    counts = {recall_id: [lot_count, 0, 0] for recall_id, lot_count in lots}
    for recall_id, clinic_count, client_count in used:
        counts.setdefault(recall_id, [0, 0, 0])[1:] = [clinic_count, client_count]
    return {recall_id: Reach(*values) for recall_id, values in counts.items()}


def clinic_impact(recall: Recall | int, clinic_id: int,
                  principal: Principal) -> ClinicImpact | None:
    """The clinic's part of the recall's impact as the principal sees it; None when no client
    of the clinic received a recalled lot, or the principal does not see the clinic."""
    clinics = recall_impact(recall, principal).clinics
    return next((impact for impact in clinics if impact.clinic_id == clinic_id), None)
