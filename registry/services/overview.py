"""A clinic at a glance: what expires soon, what is set aside, what is still open."""

from dataclasses import dataclass
from datetime import date, timedelta

from peewee import JOIN

from registry.models import (
    Affiliation,
    CorrectiveAction,
    Credential,
    Finding,
    Inspection,
    Manufacturer,
    PigmentLot,
    PigmentProduct,
    Practitioner,
    Recall,
    RecallMatch,
)

HORIZONS = (30, 60, 90)
SET_ASIDE = ("recalled", "quarantined")
GONE = ("disposed",)


@dataclass(frozen=True)
class Expiring:
    """A credential or lot that expires within the longest horizon."""

    record: object
    expires_on: date
    days_left: int

    @property
    def horizon(self) -> int:
        return next(h for h in HORIZONS if self.days_left <= h)


def _current_staff(clinic_ids, day: date):
    return Affiliation.select(Affiliation.practitioner).where(
        Affiliation.clinic.in_(clinic_ids) & (Affiliation.starts_on <= day)
        & (Affiliation.ends_on.is_null() | (Affiliation.ends_on >= day)))


def _credentials_expiring(clinic_ids, day: date, within: int):
    return (Credential.select(Credential, Practitioner)
            .join(Practitioner, JOIN.LEFT_OUTER)
            .where((Credential.clinic.in_(clinic_ids)
                    | Credential.practitioner.in_(_current_staff(clinic_ids, day)))
                   & Credential.revoked_on.is_null()
                   & Credential.expires_on.between(day, day + timedelta(days=within))))


def _lots_expiring(clinic_ids, day: date, within: int):
    return (PigmentLot.select(PigmentLot, PigmentProduct)
            .join(PigmentProduct)
            .where(PigmentLot.clinic.in_(clinic_ids) & PigmentLot.status.not_in(GONE)
                   & PigmentLot.expires_on.between(day, day + timedelta(days=within))))


def expiring_credentials(clinic_id: int, day: date) -> list[Expiring]:
    rows = _credentials_expiring([clinic_id], day, HORIZONS[-1]).order_by(Credential.expires_on)
    return [Expiring(c, c.expires_on, (c.expires_on - day).days) for c in rows]


def expiring_lots(clinic_id: int, day: date) -> list[Expiring]:
    rows = _lots_expiring([clinic_id], day, HORIZONS[-1]).order_by(PigmentLot.expires_on)
    return [Expiring(lot, lot.expires_on, (lot.expires_on - day).days) for lot in rows]


def by_horizon(items: list[Expiring]) -> dict[int, list[Expiring]]:
    """Items grouped by the first horizon (30, 60 or 90 days) they fall within."""
    groups = {h: [] for h in HORIZONS}
    for item in items:
        groups[item.horizon].append(item)
    return groups


def lots_set_aside(clinic_id: int):
    """Recalled or quarantined lots still on hand (not yet disposed)."""
    return (PigmentLot.select(PigmentLot, PigmentProduct).join(PigmentProduct)
            .where((PigmentLot.clinic == clinic_id) & PigmentLot.status.in_(SET_ASIDE))
            .order_by(PigmentLot.status, PigmentLot.lot_number))


def open_actions(clinic_id: int):
    """Corrective actions not yet done, the earliest due first."""
    return (CorrectiveAction.select(CorrectiveAction, Finding, Inspection)
            .join(Finding).join(Inspection)
            .where((Inspection.clinic == clinic_id) & (CorrectiveAction.status == "open"))
            .order_by(CorrectiveAction.due_on))


def recent_recall_matches(clinic_id: int, limit: int = 10):
    """The latest recalls matched to the clinic's lots."""
    return (RecallMatch.select(RecallMatch, Recall, PigmentLot, PigmentProduct, Manufacturer)
            .join(Recall).switch(RecallMatch).join(PigmentLot).join(PigmentProduct)
            .join(Manufacturer)
            .where(PigmentLot.clinic == clinic_id)
            .order_by(RecallMatch.matched_at.desc(), RecallMatch.id.desc()).limit(limit))


def open_recall_reviews(clinic_id: int):
    """Possible recall matches of the clinic's lots that no one has decided, oldest first."""
    from registry.services.recall_reviews import open_reviews

    return open_reviews().where(PigmentLot.clinic == clinic_id)


def clinics_holding_set_aside(clinic_ids, statuses=("recalled",)) -> set[int]:
    """Of these clinics, those with a lot on hand in one of the statuses."""
    rows = PigmentLot.select(PigmentLot.clinic).distinct().where(
        PigmentLot.clinic.in_(clinic_ids) & PigmentLot.status.in_(statuses))
    return {row.clinic_id for row in rows}


def clinics_with_expiring_credentials(clinic_ids, day: date, within: int = 60) -> set[int]:
    """Of these clinics, those where a credential of the clinic or its current staff expires
    within the given days."""
    ids = list(clinic_ids)
    held = {c.clinic_id for c in _credentials_expiring(ids, day, within).where(
        Credential.clinic.is_null(False))}
    staff = (Affiliation.select(Affiliation.clinic).distinct()
             .join(Credential, on=(Credential.practitioner == Affiliation.practitioner))
             .where(Affiliation.clinic.in_(ids) & (Affiliation.starts_on <= day)
                    & (Affiliation.ends_on.is_null() | (Affiliation.ends_on >= day))
                    & Credential.revoked_on.is_null()
                    & Credential.expires_on.between(day, day + timedelta(days=within))))
    return held | {row.clinic_id for row in staff}
