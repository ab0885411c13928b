"""Clients and the procedures performed on them, with the lots each procedure used."""

from registry.db import is_postgresql, write_transaction
from registry.models import Affiliation, Client, PigmentLot, Procedure, ProcedureLot
from registry.schemas.clients import ClientSchema, ProcedureSchema
from registry.services import compliance, records
from registry.services.audit import Actor


def create_client(data: dict, actor: Actor) -> Client:
    return records.create(Client, ClientSchema, data, actor)


def update_client(client: Client, data: dict, actor: Actor, *, reason: str | None) -> dict:
    return records.update(client, ClientSchema, data, actor, reason=reason)


def record_procedure(data: dict, actor: Actor) -> Procedure:
    """Record a completed procedure; refused if a lot was unusable that day, or if the
    practitioner's credentials did not meet the clinic's critical rules that day."""
    values = records.load(ProcedureSchema, data)
    lot_ids = values.pop("lot_ids")
    with write_transaction():
        _check_belongs_to_clinic(values)
        records.check_references(Procedure, values)
        _lock_lots(lot_ids)
        # The same facts, and the same rules, as the checklist reads.
        facts = compliance.clinic_facts(values["clinic_id"])
        held = {lot.key: lot for lot in facts.lots}
        day = values["performed_on"]
        errors = [f"No lot {i} at this clinic." for i in sorted(set(lot_ids) - set(held))]
        errors += [p for i in dict.fromkeys(lot_ids) if i in held
                   and (p := held[i].problem_on(day))]
        if errors:
            raise records.InvalidInput({"lot_ids": errors})
        credential_problems = compliance.practitioner_problems(
            facts, values["practitioner_id"], day)
        if credential_problems:
            raise records.InvalidInput({"practitioner_id": credential_problems})
        procedure = records.add(Procedure, values, actor)
        for lot_id in dict.fromkeys(lot_ids):
            records.add(ProcedureLot, {"procedure_id": procedure.id, "lot_id": lot_id}, actor,
                        clinic_id=procedure.clinic_id)
    return procedure


def _lock_lots(lot_ids) -> None:
    """On PostgreSQL, hold the lots' rows until the procedure is saved: a hold placed
    meanwhile updates the lot's row, so it waits for this check or this check waits for it."""
    if is_postgresql() and lot_ids:
        list(PigmentLot.select(PigmentLot.id).where(PigmentLot.id.in_(list(lot_ids)))
             .order_by(PigmentLot.id).for_update("FOR SHARE"))


def _check_belongs_to_clinic(values: dict) -> None:
    """The client is the clinic's and the practitioner worked there that day; another
    clinic's client or practitioner reads like a missing one."""
    clinic_id, day = values["clinic_id"], values["performed_on"]
    records.require_at_clinic(Client, values["client_id"], clinic_id, "client_id")
    affiliated = Affiliation.select().where(
        (Affiliation.practitioner == values["practitioner_id"])
        & (Affiliation.clinic == clinic_id)
        & (Affiliation.starts_on <= day)
        & (Affiliation.ends_on.is_null() | (Affiliation.ends_on >= day))
    ).exists()
    if not affiliated:
        raise records.InvalidInput(
            {"practitioner_id": [f"No practitioner {values['practitioner_id']} worked at this "
                                 "clinic on that day."]}
        )
