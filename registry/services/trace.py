"""The reverse trace of pigment lots: the procedures, clients and clinics a recalled lot reached."""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from registry.auth.principal import ANONYMOUS, Principal
from registry.auth.tenancy import may_see_contacts, visible_clinics
from registry.db import db
from registry.models import (
    Client,
    Clinic,
    PigmentLot,
    PigmentProduct,
    Procedure,
    ProcedureLot,
    Recall,
    RecallMatch,
)
from registry.models.clients import CONTACT_FIELDS

# A procedure recorded by mistake and voided reached no one.
VOIDED = "voided"
CSV_HEADER = ("client_reference", *CONTACT_FIELDS, "procedure_date", "lot_number", "product")
# A spreadsheet reads a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class TraceRow(NamedTuple):
    """One use of a traced lot in a procedure, with the client and the clinic."""

    clinic_id: int
    clinic_name: str
    clinic_state: str
    procedure_id: int
    performed_on: date
    body_area: str
    client_id: int
    client_reference: str
    lot_id: int
    lot_number: str
    product: str


class _ContactRow(NamedTuple):
    trace: TraceRow
    initials: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class LotUse:
    """A procedure on a client with one of the recalled lots."""

    procedure_id: int
    performed_on: date
    body_area: str
    lot_id: int
    lot_number: str
    product: str


@dataclass(frozen=True)
class ClientNotice:
    """A client to notify; initials and contact details are None for those not shown them."""

    client_id: int
    reference: str
    initials: str | None
    email: str | None
    phone: str | None
    uses: tuple[LotUse, ...]


@dataclass(frozen=True)
class ClinicImpact:
    """The clients of one clinic who received a recalled lot."""

    clinic_id: int
    name: str
    state: str
    contacts_shown: bool
    clients: tuple[ClientNotice, ...]

    @property
    def client_count(self) -> int:
        return len(self.clients)

    @property
    def procedure_count(self) -> int:
        return len({use.procedure_id for client in self.clients for use in client.uses})


@dataclass(frozen=True)
class RecallImpact:
    recall_id: int
    lot_ids: tuple[int, ...]
    clinics: tuple[ClinicImpact, ...]

    @property
    def client_count(self) -> int:
        return sum(clinic.client_count for clinic in self.clinics)

    @property
    def procedure_count(self) -> int:
        return sum(clinic.procedure_count for clinic in self.clinics)


_TRACE_FIELDS = (Clinic.id, Clinic.name, Clinic.state, Procedure.id, Procedure.performed_on,
                 Procedure.body_area, Client.id, Client.reference, PigmentLot.id,
                 PigmentLot.lot_number, PigmentProduct.name)
_CONTACT_FIELDS = tuple(getattr(Client, name) for name in CONTACT_FIELDS)


def _trace_query(lot_ids: list[int], *, contacts: bool = False, clinics=None):
    fields = _TRACE_FIELDS + (_CONTACT_FIELDS if contacts else ())
    query = (Procedure.select(*fields)
             .join(ProcedureLot).join(PigmentLot).join(PigmentProduct)
             .switch(Procedure).join(Client)
             .switch(Procedure).join(Clinic)
             .where(ProcedureLot.lot.in_(lot_ids) & (Procedure.status != VOIDED)))
    if clinics is not None:
        query = query.where(Clinic.id.in_(clinics))
    return query.order_by(Clinic.name, Clinic.id, Procedure.performed_on, Procedure.id,
                          PigmentLot.id)


@lru_cache(maxsize=64)
def _trace_sql(database_type: type, lots: int) -> str:
    """The trace statement for a number of lots, built once per database kind; its
    parameters are the lot ids, then the voided status."""
    sql, params = _trace_query(list(range(lots))).sql()
    assert params == [*range(lots), VOIDED]
    return sql


def trace_lots(lot_ids: Iterable[int]) -> list[TraceRow]:
    """Every use of these lots in a procedure, with its client and clinic, in one query,
    ordered by clinic, then date. Not limited to a principal: callers check access."""
    ids = sorted({int(i) for i in lot_ids})
    if not ids:
        return []
    cursor = db.execute_sql(_trace_sql(type(db.obj), len(ids)), [*ids, VOIDED])
    return list(map(TraceRow._make, cursor.fetchall()))


def lots_of_product(product_id: int) -> list[int]:
    """The ids of every clinic's lots of a product."""
    rows = (PigmentLot.select(PigmentLot.id).where(PigmentLot.product == product_id)
            .order_by(PigmentLot.id).tuples())
    return [lot_id for (lot_id,) in rows]


def recall_lots(recall: Recall | int) -> list[int]:
    """The ids of the lots matched to a recall."""
    rows = (RecallMatch.select(RecallMatch.lot).where(RecallMatch.recall == recall)
            .order_by(RecallMatch.lot).tuples())
    return [lot_id for (lot_id,) in rows]


def recall_impact(recall: Recall | int, principal: Principal) -> RecallImpact:
    """The clinics the principal sees whose clients received a lot matched to the recall,
    each with the clients to notify and the procedures and lots that reached them."""
    recall_id = recall.id if isinstance(recall, Recall) else int(recall)
    lot_ids = recall_lots(recall_id)
    if not lot_ids:
        return RecallImpact(recall_id, (), ())
    rows = [_ContactRow(TraceRow._make(row[:11]), *row[11:]) for row in _trace_query(
        lot_ids, contacts=True, clinics=visible_clinics(principal)).tuples()]
    return RecallImpact(recall_id, tuple(lot_ids), tuple(_by_clinic(rows, principal)))


def operator_impact(recall: Recall | int) -> RecallImpact:
    """Every clinic the recall reached, with client references and counts but no contact
    details: whoever runs the command line is no clinic's officer."""
    recall_id = recall.id if isinstance(recall, Recall) else int(recall)
    lot_ids = recall_lots(recall_id)
    rows = [_ContactRow(row, None, None, None) for row in trace_lots(lot_ids)]
    return RecallImpact(recall_id, tuple(lot_ids), tuple(_by_clinic(rows, ANONYMOUS)))


def _by_clinic(rows: list[_ContactRow], principal: Principal) -> list[ClinicImpact]:
    clinics: dict[int, tuple[TraceRow, dict[int, list[_ContactRow]]]] = {}
    for row in rows:
        _first, clients = clinics.setdefault(row.trace.clinic_id, (row.trace, {}))
        clients.setdefault(row.trace.client_id, []).append(row)
    impacts = []
    for clinic_id, (first, clients) in clinics.items():
        shown = may_see_contacts(principal, clinic_id)
        notices = [_notice(uses, shown) for uses in clients.values()]
        notices.sort(key=lambda notice: notice.reference)
        impacts.append(ClinicImpact(clinic_id, first.clinic_name, first.clinic_state, shown,
                                    tuple(notices)))
    return impacts


def _notice(rows: list[_ContactRow], shown: bool) -> ClientNotice:
    first = rows[0]
    uses = tuple(LotUse(r.trace.procedure_id, r.trace.performed_on, r.trace.body_area,
                        r.trace.lot_id, r.trace.lot_number, r.trace.product) for r in rows)
    if not shown:
        return ClientNotice(first.trace.client_id, first.trace.client_reference, None, None,
                            None, uses)
    return ClientNotice(first.trace.client_id, first.trace.client_reference, first.initials,
                        first.email, first.phone, uses)


def _cell(value) -> str:
    text = "" if value is None else value.isoformat() if isinstance(value, date) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def impact_csv(impact: ClinicImpact) -> str:
    """The clinic's notification list as CSV: one line per client and lot use; cells that a
    spreadsheet would run as a formula are prefixed with a quote."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for client in impact.clients:
        for use in client.uses:
            writer.writerow([_cell(v) for v in (
                client.reference, client.initials, client.email, client.phone,
                use.performed_on, use.lot_number, use.product)])
    return out.getvalue()
