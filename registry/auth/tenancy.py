"""Tenancy in one place: which clinics a principal sees, and queries scoped to them."""

from flask import abort
from peewee import Model

from registry.auth.principal import Principal
from registry.models import (
    Affiliation,
    Clinic,
    CorrectiveAction,
    Credential,
    Finding,
    Inspection,
    Practitioner,
)


def visible_clinics(principal: Principal):
    """A subquery of the clinic ids the principal may see (empty for anyone else)."""
    query = Clinic.select(Clinic.id)
    if principal.is_admin:
        return query
    if principal.via == "token" and "read" not in principal.scopes:
        return query.where(Clinic.id.is_null())
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
    if model is CorrectiveAction:
        return CorrectiveAction.finding.in_(
            Finding.select(Finding.id).join(Inspection).where(Inspection.clinic.in_(clinics)))
    return model.clinic.in_(clinics)


def scoped(model: type[Model], principal: Principal):
    """model.select() limited to the rows of clinics the principal may see."""
    return model.select().where(_clinic_filter(model, visible_clinics(principal)))


def get_or_404(model: type[Model], pk, principal: Principal):
    """A row the principal may see, or 404: another tenant's row is indistinguishable from
    one that does not exist."""
    row = scoped(model, principal).where(model._meta.primary_key == pk).first()
    if row is None:
        abort(404)
    return row


def may_edit_clinic(principal: Principal, clinic_id: int) -> bool:
    """Officers of the clinic and administrators change its records; tokens need 'write'."""
    if not principal.may_use_token_scope("write"):
        return False
    return principal.is_admin or clinic_id in principal.officer_clinics


def may_inspect(principal: Principal, clinic: Clinic) -> bool:
    if not principal.may_use_token_scope("write"):
        return False
    return principal.is_admin or clinic.state in principal.jurisdictions
