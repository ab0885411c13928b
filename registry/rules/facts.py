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
    CredentialPeriod,
    CredentialVerification,
    HoldRelease,
    Inspection,
    LotHold,
    LotStatusChange,
    Manufacturer,
    PigmentLot,
    PigmentProduct,
    Practitioner,
    Procedure,
    ProcedureLot,
    Recall,
    RecallReview,
    ReviewDecision,
)
from registry.rules.knowledge import Knowledge


@dataclass(slots=True)
class CredentialFact:
    """One validity period of a credential (key: the credential's id)."""

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
    # (checked_on, state, source) of each check of this period, oldest first.
    verifications: list = field(default_factory=list)

    def verification_on(self, day: date) -> tuple[str, str | None]:
        """The verification state and source that stood on a day."""
        state, source = self.verification_state, self.verification_source
        for checked_on, value, checked_source in self.verifications:
            if checked_on > day:
                break
            state, source = value, checked_source
        return state, source


@dataclass(slots=True)
class PractitionerFact:
    key: object
    name: str
    starts_on: date
    ends_on: date | None = None
    credentials: list = field(default_factory=list)

    def works_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


LIFECYCLE_STATUSES = ("received", "in_use", "expired", "disposed")
USABLE_STATUSES = ("received", "in_use")


@dataclass(slots=True)
class HoldFact:
    """A hold on a lot: in force from starts_on, known to the registry from placed_on."""

    kind: str
    starts_on: date
    placed_on: date
    recall_number: str | None = None
    recall_id: int | None = None
    released_on: date | None = None
    grounds: str | None = None
    key: object = None

    def stands_on(self, day: date) -> bool:
        if day < self.starts_on or (self.released_on is not None and day >= self.released_on):
            return False
        # A lot shown not to be affected was never under the recall before it was held.
        return not (self.grounds == "lot_not_affected" and day < self.placed_on)

    def label(self) -> str:
        if self.kind == "recall":
            return f"recalled (FDA recall {self.recall_number})" if self.recall_number \
                else "recalled"
        return "quarantined"


@dataclass(slots=True)
class LotFact:
    key: object
    lot_number: str
    product: str
    received_on: date
    expires_on: date | None = None
    description: str | None = None
    # (effective_on, status): received, in use, expired, disposed; oldest first.
    history: list = field(default_factory=list)
    holds: list = field(default_factory=list)
    # (found_on, decided_on or None, recall number, review id) of each possible recall match.
    reviews: list = field(default_factory=list)

    def lifecycle_on(self, day: date) -> str | None:
        status = None
        for effective_on, value in self.history:
            if effective_on > day:
                break
            status = value
        return status

    def holds_on(self, day: date) -> list:
        return [hold for hold in self.holds if hold.stands_on(day)]

    def status_on(self, day: date) -> tuple[str | None, str | None]:
        """(status, recall number) on a day: a standing hold outranks all but disposal."""
        status = self.lifecycle_on(day)
        if status in (None, "disposed"):
            return status, None
        held = self.holds_on(day)
        recalls = [h for h in held if h.kind == "recall"]
        if recalls:
            return "recalled", recalls[0].recall_number
        if held:
            return "quarantined", None
        return status, None

    def problem_on(self, day: date) -> str | None:
        """Why the lot could not be used on a day, as the registry knew it that day, or None.

        A hold counts from the day the registry placed it; a recall that began earlier makes
        the days between an exposure (see exposure_on), not a fault of the clinic's."""
        if self.expires_on and self.expires_on < day:
            return f"lot {self.lot_number} had expired on {self.expires_on.isoformat()}"
        if day < self.received_on:
            return f"lot {self.lot_number} was not yet received"
        status = self.lifecycle_on(day)
        if status not in USABLE_STATUSES:
            return f"lot {self.lot_number} was {status or 'not yet received'}"
        for hold in self.holds:
            # A clinic's own quarantine counts from the day it names; a recall from the day
            # the registry learned of it.
            known = hold.kind != "recall" or hold.placed_on <= day
            if known and hold.stands_on(day):
                return f"lot {self.lot_number} was {hold.label()} from {hold.starts_on}"
        return None

    def exposure_on(self, day: date):
        """The recall hold the lot was under on a day before the registry learned of it."""
        for hold in self.holds:
            if hold.kind == "recall" and day < hold.placed_on and hold.stands_on(day):
                return hold
        return None

    def on_hand(self, day: date) -> bool:
        return self.received_on <= day and self.lifecycle_on(day) != "disposed"


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


def _known_rows(query, column, knowledge: Knowledge):
    """The query's rows recorded by the knowledge's day (its recorded-time column)."""
    if knowledge.until is not None:
        query = query.where(column < knowledge.until)
    return _rows(query)


def load_clinics(clinic_ids, known_on: date | None = None) -> list[ClinicFact]:
    """Facts for the clinics whose ids the query or list yields, in a fixed number of queries,
    as on record now or (known_on) by the end of a past day.

    Call inside one snapshot (registry.db.read_snapshot) for a consistent answer; rows that
    refer to rows the reads did not see are passed over rather than failing the read."""
    clinics = {}
    for cid, name, state, city in _rows(
            Clinic.select(Clinic.id, Clinic.name, Clinic.state, Clinic.city)
            .where(Clinic.id.in_(clinic_ids)).order_by(Clinic.id)):
        clinics[cid] = ClinicFact(cid, name, state, city)
    if not clinics:
        return []
    knowledge = Knowledge.load(list(clinics), known_on)
    if known_on is not None:
        for cid, fact in clinics.items():
            fact.name = knowledge.value("clinic", cid, "name", fact.name)
            fact.state = knowledge.value("clinic", cid, "state", fact.state)
            fact.city = knowledge.value("clinic", cid, "city", fact.city)
    ids = list(clinics)

    by_practitioner = defaultdict(list)
    for aid, cid, pid, first, last, starts, ends in _rows(
            Affiliation.select(Affiliation.id, Affiliation.clinic, Affiliation.practitioner,
                               Practitioner.first_name, Practitioner.last_name,
                               Affiliation.starts_on, Affiliation.ends_on)
            .join(Practitioner).where(Affiliation.clinic.in_(ids))
            .order_by(Affiliation.practitioner, Affiliation.starts_on)):
        if cid not in clinics or not knowledge.knows("affiliation", aid):
            continue
        fact = PractitionerFact(pid, f"{first} {last}",
                                knowledge.value("affiliation", aid, "starts_on", starts),
                                knowledge.value("affiliation", aid, "ends_on", ends))
        clinics[cid].practitioners.append(fact)
        by_practitioner[pid].append(fact)

    affiliated = Affiliation.select(Affiliation.practitioner).where(Affiliation.clinic.in_(ids))
    credentials = _credential_periods(
        Credential.practitioner.in_(affiliated) | Credential.clinic.in_(ids), knowledge)
    for pid, cid, fact in credentials:
        if cid in clinics:
            clinics[cid].credentials.append(fact)
        for practitioner in by_practitioner.get(pid, ()):
            practitioner.credentials.append(fact)

    lots = _lots(PigmentLot.clinic.in_(ids), knowledge)
    for cid, fact in lots.values():
        if cid in clinics:
            clinics[cid].lots.append(fact)

    procedures = {}
    statuses = ("completed",) if known_on is None else ("completed", "voided")
    procedure_rows = _known_rows(
        Procedure.select(Procedure.id, Procedure.clinic, Procedure.performed_on,
                         Procedure.practitioner, Procedure.client, Client.birth_date,
                         Procedure.consent_on_file, Procedure.parental_consent_on_file,
                         Procedure.aftercare_given, Procedure.is_cover_up, Procedure.status)
        .join(Client, JOIN.INNER, on=(Procedure.client == Client.id))
        .where(Procedure.clinic.in_(ids) & Procedure.status.in_(statuses))
        .order_by(Procedure.performed_on, Procedure.id), Procedure.created_at, knowledge)
    for key, cid, performed, pid, client, born, consent, parental, aftercare, cover, status in \
            procedure_rows:
        if cid not in clinics:
            continue
        if known_on is not None:
            if knowledge.value("procedure", key, "status", status) != "completed":
                continue
            performed = knowledge.value("procedure", key, "performed_on", performed)
            born = knowledge.value("client", client, "birth_date", born)
            consent = knowledge.value("procedure", key, "consent_on_file", consent)
            parental = knowledge.value("procedure", key, "parental_consent_on_file", parental)
            aftercare = knowledge.value("procedure", key, "aftercare_given", aftercare)
            cover = knowledge.value("procedure", key, "is_cover_up", cover)
        fact = ProcedureFact(key, performed, pid, client, born, consent, parental, aftercare,
                             cover)
        procedures[key] = fact
        clinics[cid].procedures.append(fact)
    if known_on is not None:
        for clinic in clinics.values():
            clinic.procedures.sort(key=lambda p: (p.performed_on, p.key))
    for procedure_id, lot_id in _rows(
            ProcedureLot.select(ProcedureLot.procedure, ProcedureLot.lot)
            .join(Procedure).where(Procedure.clinic.in_(ids))):
        if procedure_id in procedures:
            procedures[procedure_id].lot_keys.append(lot_id)

    for key, cid, event, aware, serious, to_maker, to_fda, to_state in _known_rows(
            AdverseReaction.select(AdverseReaction.id, AdverseReaction.clinic,
                                   AdverseReaction.event_on, AdverseReaction.aware_on,
                                   AdverseReaction.serious,
                                   AdverseReaction.reported_to_manufacturer_on,
                                   AdverseReaction.reported_to_fda_on,
                                   AdverseReaction.reported_to_state_on)
            .where(AdverseReaction.clinic.in_(ids)).order_by(AdverseReaction.id),
            AdverseReaction.created_at, knowledge):
        if cid not in clinics:
            continue
        values = [knowledge.value("adverse_reaction", key, name, value) for name, value in (
            ("event_on", event), ("aware_on", aware), ("serious", serious),
            ("reported_to_manufacturer_on", to_maker), ("reported_to_fda_on", to_fda),
            ("reported_to_state_on", to_state))]
        clinics[cid].reactions.append(ReactionFact(key, *values))

    for key, cid, inspected in _known_rows(
            Inspection.select(Inspection.id, Inspection.clinic, Inspection.inspected_on)
            .where(Inspection.clinic.in_(ids)).order_by(Inspection.inspected_on),
            Inspection.created_at, knowledge):
        if cid in clinics:
            clinics[cid].inspections.append(InspectionFact(
                key, knowledge.value("inspection", key, "inspected_on", inspected)))

    chains = {f"clinic:{cid}": cid for cid in clinics}
    for key, chain, entity, occurred, changes in _known_rows(
            AuditEvent.select(AuditEvent.entity_id, AuditEvent.chain, AuditEvent.entity,
                              AuditEvent.occurred_at, AuditEvent.changes)
            .where((AuditEvent.action == "delete") & AuditEvent.chain.in_(list(chains))),
            AuditEvent.occurred_at, knowledge):
        record_on = AuditEvent.changes.python_value(changes).get("created_at", [None])[0]
        clinics[chains[chain]].deletions.append(DeletionFact(
            key, entity, _date(record_on) or _date(occurred), _date(occurred)))
    return list(clinics.values())


def _credential_periods(holders, knowledge: Knowledge) -> list[tuple]:
    """(practitioner id, clinic id, fact) for each credential period on record, its current
    version, with the checks made of it since it was recorded."""
    versions = list(_known_rows(
        CredentialPeriod.select(
            CredentialPeriod.id, CredentialPeriod.replaces, CredentialPeriod.credential,
            Credential.practitioner, Credential.clinic, CredentialPeriod.kind,
            CredentialPeriod.issuer, CredentialPeriod.number, CredentialPeriod.state,
            CredentialPeriod.issued_on, CredentialPeriod.expires_on, CredentialPeriod.revoked_on,
            CredentialPeriod.verification_state, CredentialPeriod.verification_source,
            CredentialPeriod.recorded_at)
        .join(Credential).where(holders).order_by(CredentialPeriod.id),
        CredentialPeriod.recorded_at, knowledge))
    replaced = {row[1]: row[0] for row in versions if row[1] is not None}
    root = {}
    for row in versions:
        root[row[0]] = root.get(row[1], row[14]) if row[1] is not None else row[14]
    current = [row for row in versions if row[0] not in replaced]
    checked = sorted({row[2] for row in current}) or [0]
    checks = defaultdict(list)
    for credential_id, state, source, checked_at in _known_rows(
            CredentialVerification.select(CredentialVerification.credential,
                                          CredentialVerification.state,
                                          CredentialVerification.source,
                                          CredentialVerification.checked_at)
            .where(CredentialVerification.credential.in_(checked))
            .order_by(CredentialVerification.checked_at, CredentialVerification.id),
            CredentialVerification.checked_at, knowledge):
        checks[credential_id].append((_moment(checked_at), state, source))
    out = []
    for (vid, _replaces, cid_key, pid, cid, kind, issuer, number, state, issued, expires,
         revoked, verification, source, _recorded) in current:
        since = _moment(root[vid])
        fact = CredentialFact(cid_key, kind, issuer, number, state, issued, expires, revoked,
                              verification, source,
                              [(at.date(), v, s) for at, v, s in checks[cid_key] if at >= since])
        out.append((pid, cid, fact))
    out.sort(key=lambda entry: (entry[2].issued_on or date.min, entry[2].key))
    return out


def _moment(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _lots(where, knowledge: Knowledge) -> dict:
    """{lot id: (clinic id, fact)} for the lots the condition selects, with status history
    and holds as on record."""
    lots = {}
    for key, cid, number, received, expires, brand, name, shade, description, maker in \
            _known_rows(
                PigmentLot.select(PigmentLot.id, PigmentLot.clinic, PigmentLot.lot_number,
                                  PigmentLot.received_on, PigmentLot.expires_on,
                                  PigmentProduct.brand, PigmentProduct.name,
                                  PigmentProduct.shade, PigmentProduct.description,
                                  Manufacturer.name)
                .join(PigmentProduct).join(Manufacturer).where(where).order_by(PigmentLot.id),
                PigmentLot.created_at, knowledge):
        product = f"{maker} {name}" + (f" ({shade})" if shade else "")
        expires = knowledge.value("pigment_lot", key, "expires_on", expires)
        received = knowledge.value("pigment_lot", key, "received_on", received)
        lots[key] = (cid, LotFact(key, number, product, received, expires, description or brand))
    selected = PigmentLot.select(PigmentLot.id).where(where)
    for lot_id, effective, status in _known_rows(
            LotStatusChange.select(LotStatusChange.lot, LotStatusChange.effective_on,
                                   LotStatusChange.status)
            .where(LotStatusChange.lot.in_(selected)
                   & LotStatusChange.status.in_(LIFECYCLE_STATUSES))
            .order_by(LotStatusChange.effective_on, LotStatusChange.id),
            LotStatusChange.recorded_at, knowledge):
        if lot_id in lots:
            lots[lot_id][1].history.append((effective, status))
    releases = {}
    for hold_id, released_on, grounds in _known_rows(
            HoldRelease.select(HoldRelease.hold, HoldRelease.released_on, HoldRelease.grounds)
            .join(LotHold).where(LotHold.lot.in_(selected)),
            HoldRelease.recorded_at, knowledge):
        releases[hold_id] = (released_on, grounds)
    for hold_id, lot_id, kind, starts, placed, number, recall_id in _known_rows(
            LotHold.select(LotHold.id, LotHold.lot, LotHold.kind, LotHold.starts_on,
                           LotHold.placed_at, LotHold.recall_number, LotHold.recall)
            .where(LotHold.lot.in_(selected)).order_by(LotHold.starts_on, LotHold.id),
            LotHold.placed_at, knowledge):
        if lot_id in lots:
            released_on, grounds = releases.get(hold_id, (None, None))
            lots[lot_id][1].holds.append(HoldFact(kind, starts, _date(placed), number,
                                                  recall_id, released_on, grounds, hold_id))
    decided = {review: _date(at) for review, at in _known_rows(
        ReviewDecision.select(ReviewDecision.review, ReviewDecision.decided_at)
        .join(RecallReview).where(RecallReview.lot.in_(selected)),
        ReviewDecision.decided_at, knowledge)}
    for review_id, lot_id, found, number in _known_rows(
            RecallReview.select(RecallReview.id, RecallReview.lot, RecallReview.found_at,
                                Recall.recall_number)
            .join(Recall).where(RecallReview.lot.in_(selected)).order_by(RecallReview.id),
            RecallReview.found_at, knowledge):
        if lot_id in lots:
            lots[lot_id][1].reviews.append((_date(found), decided.get(review_id), number,
                                            review_id))
    return lots


def load_lots(clinic_id: int) -> dict:
    """{lot id: facts} for every lot of a clinic, as on record now."""
    return {key: fact for key, (_cid, fact) in
            _lots(PigmentLot.clinic == clinic_id, Knowledge()).items()}


def load_lot(lot_id: int, known_on: date | None = None) -> LotFact | None:
    """One lot's facts: its status history and holds."""
    found = _lots(PigmentLot.id == lot_id, Knowledge.load([], known_on))
    return found[lot_id][1] if lot_id in found else None
