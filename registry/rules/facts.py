"""The facts the compliance engine reads: plain records, fetched in bulk or built from YAML."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from peewee import JOIN

from registry.db import db
from registry.models import (
    AdverseReaction,
    Affiliation,
    AuditEvent,
    Client,
    Clinic,
    Credential,
    Inspection,
    LotStatusChange,
    Manufacturer,
    PigmentLot,
    PigmentProduct,
    Practitioner,
    Procedure,
    ProcedureLot,
    Recall,
    RecallMatch,
)


@dataclass(slots=True)
class CredentialFact:
    key: object
    kind: str
    issuer: str
    number: str | None = None
    state: str | None = None
    issued_on: date | None = None
    expires_on: date | None = None
    revoked_on: date | None = None
    verification_state: str = "self_reported"
    verification_source: str | None = None


@dataclass(slots=True)
class PractitionerFact:
    key: object
    name: str
    starts_on: date
    ends_on: date | None = None
    credentials: list = field(default_factory=list)

    def works_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


USABLE_STATUSES = ("received", "in_use")


@dataclass(slots=True)
class LotFact:
    key: object
    lot_number: str
    product: str
    received_on: date
    expires_on: date | None = None
    description: str | None = None
    # (effective_on, status, recall_number), oldest first.
    history: list = field(default_factory=list)
    # (matched_on, recall_number)
    recall_matches: list = field(default_factory=list)
    # Whether the history holds any status other than received or in use (worked out once).
    ever_unusable: bool | None = None

    def status_on(self, day: date) -> tuple[str | None, str | None]:
        status, recall = None, None
        for effective_on, value, recall_number in self.history:
            if effective_on > day:
                break
            status, recall = value, recall_number or recall
        return status, recall

    def problem_on(self, day: date) -> str | None:
        """Why the lot could not be used on a day, or None."""
        if self.expires_on and self.expires_on < day:
            return f"lot {self.lot_number} had expired on {self.expires_on.isoformat()}"
        if day < self.received_on:
            return f"lot {self.lot_number} was not yet received"
        if self.ever_unusable is None:
            self.ever_unusable = any(s not in USABLE_STATUSES for _d, s, _r in self.history)
        if self.ever_unusable:
            status = self.status_on(day)[0]
            if status not in USABLE_STATUSES:
                return f"lot {self.lot_number} was {status or 'not yet received'}"
        return None

    def on_hand(self, day: date) -> bool:
        return self.received_on <= day and self.status_on(day)[0] != "disposed"


@dataclass(slots=True)
class ProcedureFact:
    key: object
    performed_on: date
    practitioner_key: str | None = None
    client_key: str | None = None
    client_birth_date: date | None = None
    consent_on_file: bool = False
    parental_consent_on_file: bool = False
    aftercare_given: bool = False
    is_cover_up: bool = False
    lot_keys: list = field(default_factory=list)


@dataclass(slots=True)
class ReactionFact:
    key: object
    event_on: date
    aware_on: date
    serious: bool = False
    reported_to_manufacturer_on: date | None = None
    reported_to_fda_on: date | None = None
    reported_to_state_on: date | None = None


@dataclass(slots=True)
class InspectionFact:
    key: object
    inspected_on: date


@dataclass(slots=True)
class DeletionFact:
    key: object
    entity: str
    record_on: date
    deleted_on: date


@dataclass(slots=True)
class ClinicFact:
    key: object
    name: str
    state: str
    city: str | None = None
    credentials: list = field(default_factory=list)
    practitioners: list = field(default_factory=list)
    lots: list = field(default_factory=list)
    procedures: list = field(default_factory=list)
    reactions: list = field(default_factory=list)
    inspections: list = field(default_factory=list)
    deletions: list = field(default_factory=list)


def _date(value) -> date | None:
    """The date of a timestamp column: SQLite returns text, PostgreSQL a datetime."""
    if value is None or isinstance(value, datetime):
        return value and value.date()
    return date.fromisoformat(value[:10])


def _rows(query):
    """Rows as the driver returns them: no model instances, DATE columns already dates."""
    return db.execute(query)


def load_clinics(clinic_ids) -> list[ClinicFact]:
    """Facts for the clinics whose ids the query or list yields, in a fixed number of queries."""
    clinics = {}
    for cid, name, state, city in _rows(
            Clinic.select(Clinic.id, Clinic.name, Clinic.state, Clinic.city)
            .where(Clinic.id.in_(clinic_ids)).order_by(Clinic.id)):
        clinics[cid] = ClinicFact(cid, name, state, city)
    if not clinics:
        return []

    by_practitioner = defaultdict(list)
    affiliation_rows = _rows(
        Affiliation.select(Affiliation.clinic, Affiliation.practitioner, Practitioner.first_name,
                           Practitioner.last_name, Affiliation.starts_on, Affiliation.ends_on)
        .join(Practitioner).where(Affiliation.clinic.in_(clinic_ids))
        .order_by(Affiliation.practitioner, Affiliation.starts_on))
    for cid, pid, first, last, starts, ends in affiliation_rows:
        fact = PractitionerFact(pid, f"{first} {last}", starts, ends)
        clinics[cid].practitioners.append(fact)
        by_practitioner[pid].append(fact)

    affiliated = Affiliation.select(Affiliation.practitioner).where(
        Affiliation.clinic.in_(clinic_ids))
    credential_rows = _rows(
        Credential.select(Credential.id, Credential.practitioner, Credential.clinic,
                          Credential.kind, Credential.issuer, Credential.number, Credential.state,
                          Credential.issued_on, Credential.expires_on, Credential.revoked_on,
                          Credential.verification_state, Credential.verification_source)
        .where(Credential.practitioner.in_(affiliated) | Credential.clinic.in_(clinic_ids))
        .order_by(Credential.issued_on, Credential.id))
    for (key, pid, cid, kind, issuer, number, state, issued, expires, revoked, verification,
         source) in credential_rows:
        fact = CredentialFact(key, kind, issuer, number, state, issued, expires, revoked,
                              verification, source)
        if cid in clinics:
            clinics[cid].credentials.append(fact)
        for practitioner in by_practitioner.get(pid, ()):
            practitioner.credentials.append(fact)

    lots = {}
    lot_rows = _rows(
        PigmentLot.select(PigmentLot.id, PigmentLot.clinic, PigmentLot.lot_number,
                          PigmentLot.received_on, PigmentLot.expires_on, PigmentProduct.brand,
                          PigmentProduct.name, PigmentProduct.shade, PigmentProduct.description,
                          Manufacturer.name)
        .join(PigmentProduct).join(Manufacturer)
        .where(PigmentLot.clinic.in_(clinic_ids)).order_by(PigmentLot.id))
    for key, cid, number, received, expires, brand, name, shade, description, maker in lot_rows:
        product = f"{maker} {name}" + (f" ({shade})" if shade else "")
        lots[key] = LotFact(key, number, product, received, expires, description or brand)
        clinics[cid].lots.append(lots[key])

    clinic_lots = PigmentLot.select(PigmentLot.id).where(PigmentLot.clinic.in_(clinic_ids))
    for lot_id, effective, status, recall in _rows(
            LotStatusChange.select(LotStatusChange.lot, LotStatusChange.effective_on,
                                   LotStatusChange.status, LotStatusChange.recall_number)
            .where(LotStatusChange.lot.in_(clinic_lots))
            .order_by(LotStatusChange.effective_on, LotStatusChange.id)):
        lots[lot_id].history.append((effective, status, recall))
    for lot_id, matched, number in _rows(
            RecallMatch.select(RecallMatch.lot, RecallMatch.matched_at, Recall.recall_number)
            .join(Recall).where(RecallMatch.lot.in_(clinic_lots)).order_by(RecallMatch.id)):
        lots[lot_id].recall_matches.append((_date(matched), number))

    procedures = {}
    procedure_rows = _rows(
        Procedure.select(Procedure.id, Procedure.clinic, Procedure.performed_on,
                         Procedure.practitioner, Procedure.client, Client.birth_date,
                         Procedure.consent_on_file, Procedure.parental_consent_on_file,
                         Procedure.aftercare_given, Procedure.is_cover_up)
        .join(Client, JOIN.INNER, on=(Procedure.client == Client.id))
        .where(Procedure.clinic.in_(clinic_ids) & (Procedure.status == "completed"))
        .order_by(Procedure.performed_on, Procedure.id))
    for key, cid, performed, pid, client, born, consent, parental, aftercare, cover in \
            procedure_rows:
        fact = ProcedureFact(key, performed, pid, client, born, consent, parental, aftercare,
                             cover)
        procedures[key] = fact
        clinics[cid].procedures.append(fact)
    for procedure_id, lot_id in _rows(
            ProcedureLot.select(ProcedureLot.procedure, ProcedureLot.lot)
            .join(Procedure).where(Procedure.clinic.in_(clinic_ids))):
        if procedure_id in procedures:
            procedures[procedure_id].lot_keys.append(lot_id)

    for key, cid, event, aware, serious, to_maker, to_fda, to_state in _rows(
            AdverseReaction.select(AdverseReaction.id, AdverseReaction.clinic,
                                   AdverseReaction.event_on, AdverseReaction.aware_on,
                                   AdverseReaction.serious,
                                   AdverseReaction.reported_to_manufacturer_on,
                                   AdverseReaction.reported_to_fda_on,
                                   AdverseReaction.reported_to_state_on)
            .where(AdverseReaction.clinic.in_(clinic_ids)).order_by(AdverseReaction.id)):
        clinics[cid].reactions.append(ReactionFact(
            key, event, aware, serious, to_maker, to_fda, to_state))

    for key, cid, inspected in _rows(
            Inspection.select(Inspection.id, Inspection.clinic, Inspection.inspected_on)
            .where(Inspection.clinic.in_(clinic_ids)).order_by(Inspection.inspected_on)):
        clinics[cid].inspections.append(InspectionFact(key, inspected))

    chains = {f"clinic:{cid}": cid for cid in clinics}
    for key, chain, entity, occurred, changes in _rows(
            AuditEvent.select(AuditEvent.entity_id, AuditEvent.chain, AuditEvent.entity,
                              AuditEvent.occurred_at, AuditEvent.changes)
            .where((AuditEvent.action == "delete") & AuditEvent.chain.in_(list(chains)))):
        record_on = AuditEvent.changes.python_value(changes).get("created_at", [None])[0]
        clinics[chains[chain]].deletions.append(DeletionFact(
            key, entity, _date(record_on) or _date(occurred), _date(occurred)))
    return list(clinics.values())
