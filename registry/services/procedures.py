"""Clients and the procedures performed on them, with the lots each procedure used."""

from datetime import date

from registry.db import write_transaction
from registry.models import (
    Affiliation,
    Client,
    LotStatusChange,
    PigmentLot,
    Procedure,
    ProcedureLot,
)
from registry.models.pigments import UNUSABLE_LOT_STATUSES
from registry.schemas.clients import ClientSchema, ProcedureSchema
from registry.services import compliance, records
from registry.services.audit import Actor


def create_client(data: dict, actor: Actor) -> Client:
    return records.create(Client, ClientSchema, data, actor)


def update_client(client: Client, data: dict, actor: Actor, *, reason: str | None) -> dict:
    return records.update(client, ClientSchema, data, actor, reason=reason)


def lot_status_on(lot: PigmentLot, day: date) -> str | None:
    """The lot's status in force on a day, from its history (None before it was received)."""
    change = (
        LotStatusChange.select(LotStatusChange.status)
        .where((LotStatusChange.lot == lot) & (LotStatusChange.effective_on <= day))
        .order_by(LotStatusChange.effective_on.desc(), LotStatusChange.id.desc())
        .first()
    )
    return change.status if change else None


def lot_problem(lot: PigmentLot, day: date) -> str | None:
    """Why a lot may not be used on a day, or None when it may."""
    status = lot_status_on(lot, day)
    if status is None:
        return f"lot {lot.lot_number} had not been received by {day.isoformat()}"
    if status in UNUSABLE_LOT_STATUSES:
        return f"lot {lot.lot_number} was {status} on {day.isoformat()}"
    if lot.expires_on and lot.expires_on < day:
        return f"lot {lot.lot_number} expired on {lot.expires_on.isoformat()}"
    return None


def record_procedure(data: dict, actor: Actor) -> Procedure:
    """Record a completed procedure; refused if a lot was unusable that day, or if the
    practitioner's credentials did not meet the clinic's critical rules that day."""
    values = records.load(ProcedureSchema, data)
    lot_ids = values.pop("lot_ids")
    with write_transaction():
        records.check_references(Procedure, values)
        _check_belongs_to_clinic(values)
        lots = list(PigmentLot.select().where(PigmentLot.id.in_(lot_ids))) if lot_ids else []
        errors = [f"No lot {i} at this clinic." for i in set(lot_ids) - {lot.id for lot in lots}]
        errors += [f"Lot {lot.lot_number} belongs to another clinic." for lot in lots
                   if lot.clinic_id != values["clinic_id"]]
        errors += [p for lot in lots if (p := lot_problem(lot, values["performed_on"]))]
        if errors:
            raise records.InvalidInput({"lot_ids": errors})
        credential_problems = compliance.practitioner_problems(
            values["clinic_id"], values["practitioner_id"], values["performed_on"])
        if credential_problems:
            raise records.InvalidInput({"practitioner_id": credential_problems})
        procedure = records.add(Procedure, values, actor)
        for lot in lots:
            records.add(ProcedureLot, {"procedure_id": procedure.id, "lot_id": lot.id}, actor,
                        clinic_id=procedure.clinic_id)
    return procedure


def _check_belongs_to_clinic(values: dict) -> None:
    clinic_id, day = values["clinic_id"], values["performed_on"]
    client = Client.get_by_id(values["client_id"])
    if client.clinic_id != clinic_id:
        raise records.InvalidInput({"client_id": ["This client belongs to another clinic."]})
    affiliated = Affiliation.select().where(
        (Affiliation.practitioner == values["practitioner_id"])
        & (Affiliation.clinic == clinic_id)
        & (Affiliation.starts_on <= day)
        & (Affiliation.ends_on.is_null() | (Affiliation.ends_on >= day))
    ).exists()
    if not affiliated:
        raise records.InvalidInput(
            {"practitioner_id": ["This practitioner did not work at the clinic on that day."]}
        )
