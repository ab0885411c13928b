"""How far recalls reached: the matched lots a principal sees, and the clinics and clients hit."""

from dataclasses import dataclass

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
    ClientNotice,
    ClinicImpact,
    LotUse,
    RecallImpact,
    recall_impact,
    recall_lots,
    trace_lots,
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


def operator_impact(recall: Recall | int) -> RecallImpact:
    """Every clinic the recall reached, with client references and counts but no contact
    details: whoever runs the command line is no clinic's officer."""
    recall_id = recall.id if isinstance(recall, Recall) else int(recall)
    lot_ids = recall_lots(recall_id)
    clinics: dict[int, tuple] = {}
    for row in trace_lots(lot_ids):
        _first, clients = clinics.setdefault(row.clinic_id, (row, {}))
        _reference, uses = clients.setdefault(row.client_id, (row.client_reference, []))
        uses.append(LotUse(row.procedure_id, row.performed_on, row.body_area, row.lot_id,
                           row.lot_number, row.product))
    impacts = []
    for clinic_id, (first, clients) in clinics.items():
        notices = sorted((ClientNotice(client_id, reference, None, None, None, tuple(uses))
                          for client_id, (reference, uses) in clients.items()),
                         key=lambda notice: notice.reference)
        impacts.append(ClinicImpact(clinic_id, first.clinic_name, first.clinic_state, False,
                                    tuple(notices)))
    return RecallImpact(recall_id, tuple(lot_ids), tuple(impacts))
