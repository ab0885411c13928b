"""Creating and editing clinics."""

from registry.models import Clinic
from registry.schemas.clinics import ClinicSchema
from registry.services import records
from registry.services.audit import Actor


def create_clinic(data: dict, actor: Actor) -> Clinic:
    return records.create(Clinic, ClinicSchema, data, actor)


def update_clinic(clinic: Clinic, data: dict, actor: Actor, *, reason: str | None) -> dict:
    return records.update(clinic, ClinicSchema, data, actor, reason=reason)
