"""Inspections, their findings and corrective actions."""

from registry.models import CorrectiveAction, Finding, Inspection
from registry.schemas.inspections import CorrectiveActionSchema, FindingSchema, InspectionSchema
from registry.services import records
from registry.services.audit import Actor


def record_inspection(data: dict, actor: Actor) -> Inspection:
    return records.create(Inspection, InspectionSchema, data, actor)


def add_finding(data: dict, actor: Actor) -> Finding:
    inspection = _parent(Inspection, data.get("inspection_id"), "inspection_id")
    return records.create(Finding, FindingSchema, data, actor, clinic_id=inspection.clinic_id)


def add_corrective_action(data: dict, actor: Actor) -> CorrectiveAction:
    finding = _parent(Finding, data.get("finding_id"), "finding_id")
    return records.create(CorrectiveAction, CorrectiveActionSchema, data, actor,
                          clinic_id=finding.inspection.clinic_id)


def _parent(model, pk, field):
    parent = model.get_or_none(model.id == pk) if isinstance(pk, int) else None
    if parent is None:
        raise records.InvalidInput({field: [f"No {model.__name__} with id {pk}."]})
    return parent


def update_corrective_action(action: CorrectiveAction, data: dict, actor: Actor, *,
                             reason: str | None) -> dict:
    """Mark an action done, move its due date, or reword it; the finding stays the same."""
    if "finding_id" in data and data["finding_id"] != action.finding_id:
        raise records.InvalidInput({"finding_id": ["Cannot be changed on an action."]})
    return records.update(action, CorrectiveActionSchema, data, actor, reason=reason,
                          clinic_id=action.finding.inspection.clinic_id)
