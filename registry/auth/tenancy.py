"""Tenancy in one place: which clinics a principal sees, and queries scoped to them."""

from flask import abort
from peewee import SQL, Model

from registry.auth.principal import Principal
from registry.clock import today
from registry.models import (
    Affiliation,
    Clinic,
    Colorant,
    CorrectiveAction,
    Credential,
    Finding,
    ImportRun,
    Inspection,
    Manufacturer,
    PigmentLot,
    PigmentProduct,
    Practitioner,
    Recall,
    RecallReview,
    RejectedRow,
    Reminder,
)
from registry.models.clients import CONTACT_FIELDS
from registry.services.records import InvalidInput

# Shared by every clinic: any reader of clinic records sees them.
CATALOGUE = (Manufacturer, PigmentProduct, Colorant, Recall)
# What importers feed and read back: administrators and importers see them.
IMPORTS = (ImportRun, RejectedRow)
# One user's own notices about a clinic's records: visible to that user alone, not even to
# administrators, and only while the user still sees the clinic; tokens need the 'read' scope.
PERSONAL = (Reminder,)
# A client's contact value as shown to someone who may not see it.
HIDDEN = "[hidden]"


def may_read_records(principal: Principal) -> bool:
    """Administrators, officers and inspectors read records; tokens need the 'read' scope."""
    if not principal.authenticated or not principal.may_use_token_scope("read"):
        return False
    return principal.is_admin or bool(principal.officer_clinics or principal.jurisdictions)


def may_read_imports(principal: Principal) -> bool:
    """Administrators and importers read import runs; tokens need the 'import' scope."""
    if principal.via == "token" and not {"import", "read"} & principal.scopes:
        return False
    return principal.is_admin or (principal.is_importer
                                  and principal.may_use_token_scope("import"))


def visible_clinics(principal: Principal):
    """A subquery of the clinic ids the principal may see (empty for anyone else)."""
    query = Clinic.select(Clinic.id)
    if not may_read_records(principal):
        return query.where(Clinic.id.is_null())
    if principal.is_admin:
        return query
    condition = Clinic.id.in_(list(principal.officer_clinics) or [0])
    if principal.jurisdictions:
        condition |= Clinic.state.in_(list(principal.jurisdictions))
    return query.where(condition)


def _clinic_filter(model: type[Model], clinics):
    """How a model's rows reach their clinic."""
    if model is Clinic:
        return Clinic.id.in_(clinics)
    if model is Practitioner:
        return Practitioner.id.in_(Affiliation.select(Affiliation.practitioner)
                                   .where(Affiliation.clinic.in_(clinics)))
    if model is Credential:
        return (Credential.clinic.in_(clinics) | Credential.practitioner.in_(
            Affiliation.select(Affiliation.practitioner).where(Affiliation.clinic.in_(clinics))))
    if model is Finding:
        return Finding.inspection.in_(Inspection.select(Inspection.id)
                                      .where(Inspection.clinic.in_(clinics)))
    if model is RecallReview:
        return RecallReview.lot.in_(PigmentLot.select(PigmentLot.id)
                                    .where(PigmentLot.clinic.in_(clinics)))
    if model is CorrectiveAction:
        return CorrectiveAction.finding.in_(
            Finding.select(Finding.id).join(Inspection).where(Inspection.clinic.in_(clinics)))
    return model.clinic.in_(clinics)


def rows_of_clinics(model: type[Model], clinics):
    """A condition on model: its rows that reach one of the clinics (ids or a subquery)."""
    return _clinic_filter(model, clinics)


def scoped(model: type[Model], principal: Principal):
    """model.select() limited to the rows the principal may see."""
    if model in CATALOGUE:
        return model.select().where(SQL("1 = 1" if may_read_records(principal) else "1 = 0"))
    if model in IMPORTS:
        return model.select().where(SQL("1 = 1" if may_read_imports(principal) else "1 = 0"))
    if model in PERSONAL:
        if not principal.authenticated or not principal.may_use_token_scope("read"):
            return model.select().where(SQL("1 = 0"))
        return model.select().where((model.user == principal.user.id) & (
            model.clinic.is_null() | model.clinic.in_(visible_clinics(principal))))
    if principal.is_admin and may_read_records(principal):
        return model.select()
    return model.select().where(_clinic_filter(model, visible_clinics(principal)))


def get_or_404(model: type[Model], pk, principal: Principal):
    """A row the principal may see, or 404: another tenant's row is indistinguishable from
    one that does not exist."""
    row = scoped(model, principal).where(model._meta.primary_key == pk).first()
    if row is None:
        abort(404)
    return row


def may_see_contacts(principal: Principal, clinic_id: int) -> bool:
    """Clients' initials and contact details go to the officers of the client's own clinic
    alone: not to its inspectors, not to administrators."""
    return may_read_records(principal) and clinic_id in principal.officer_clinics


def without_contacts(values: dict, hidden=None) -> dict:
    """A client's values with its contact fields replaced by hidden."""
    return {name: hidden if name in CONTACT_FIELDS else value for name, value in values.items()}


def may_edit_clinic(principal: Principal, clinic_id: int) -> bool:
    """Officers of the clinic and administrators change its records; tokens need 'write'."""
    if not principal.may_use_token_scope("write"):
        return False
    return principal.is_admin or clinic_id in principal.officer_clinics


def may_inspect(principal: Principal, clinic: Clinic) -> bool:
    """Inspectors of the clinic's state and administrators record inspections."""
    if not principal.may_use_token_scope("write"):
        return False
    return principal.is_admin or clinic.state in principal.jurisdictions


def may_waive_action(principal: Principal, clinic: Clinic) -> bool:
    """Both sides update a corrective action, but only the inspectors waive one: a clinic
    does not excuse itself."""
    return may_inspect(principal, clinic)


def may_edit_catalogue(principal: Principal) -> bool:
    """Officers and administrators add manufacturers and products to the shared catalogue."""
    if not principal.may_use_token_scope("write"):
        return False
    return principal.is_admin or bool(principal.officer_clinics)


def clinic_to_edit(principal: Principal, clinic_id, field: str = "clinic_id") -> Clinic:
    """The clinic named in a request body, if the principal may change its records.

    A clinic the principal cannot see is reported like one that does not exist."""
    clinic = scoped(Clinic, principal).where(Clinic.id == clinic_id).first() \
        if isinstance(clinic_id, int) else None
    if clinic is None:
        raise InvalidInput({field: [f"No clinic with id {clinic_id}."]})
    if not may_edit_clinic(principal, clinic.id):
        abort(403)
    return clinic


def practitioner_clinics(principal: Principal, practitioner_id: int) -> list[int]:
    """The clinics the principal may edit where the practitioner works today: a former
    employer reads the record but no longer changes it."""
    day = today()
    rows = Affiliation.select(Affiliation.clinic).distinct().where(
        (Affiliation.practitioner == practitioner_id) & (Affiliation.starts_on <= day)
        & (Affiliation.ends_on.is_null() | (Affiliation.ends_on >= day))
    ).order_by(Affiliation.clinic)
    return [row.clinic_id for row in rows if may_edit_clinic(principal, row.clinic_id)]


def may_download_report(principal: Principal, clinic: Clinic) -> bool:
    """Audit reports go to the clinic's officers and its state's inspectors only."""
    if not may_read_records(principal):
        return False
    return clinic.id in principal.officer_clinics or clinic.state in principal.jurisdictions


def may_decide_on_lots(principal: Principal, clinic_id: int) -> bool:
    """Only the clinic's own officers lift a hold on its lot or decide whether a possible
    recall match affects it: they answer for using the lot."""
    if not principal.may_use_token_scope("write"):
        return False
    return clinic_id in principal.officer_clinics
