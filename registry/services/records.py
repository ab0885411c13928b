"""Validated, audited create and update of any record: the one write path every service uses."""

from marshmallow import Schema, ValidationError
from peewee import ForeignKeyField, IntegrityError, Model

from registry.db import write_transaction
from registry.services import audit
from registry.services.audit import Actor


class ServiceError(Exception):
    """A write was refused; nothing was changed."""


class InvalidInput(ServiceError):
    """Field errors, keyed by field name, as marshmallow reports them."""

    def __init__(self, errors: dict):
        super().__init__(_summary(errors))
        self.errors = errors


def _summary(errors: dict) -> str:
    return "; ".join(f"{name}: {' '.join(map(str, msgs))}" for name, msgs in errors.items())


def load(schema: Schema, data: dict, *, partial: bool = False) -> dict:
    """Validate input with a schema, turning marshmallow's error into InvalidInput."""
    try:
        return schema.load(data, partial=partial)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise InvalidInput(messages) from exc


def check_references(model: type[Model], values: dict) -> None:
    """Every foreign key in the input names an existing row, or the field is reported."""
    errors = {}
    for name, value in values.items():
        field = model._meta.combined.get(name)
        if isinstance(field, ForeignKeyField) and value is not None:
            target = field.rel_model
            if not target.select().where(target._meta.primary_key == value).exists():
                errors[name] = [f"No {target.__name__} with id {value}."]
    if errors:
        raise InvalidInput(errors)


def require_reason(model: type[Model], reason: str | None) -> None:
    if getattr(model, "regulated", False) and not (reason and reason.strip()):
        raise InvalidInput({"reason": ["A reason is required to change this record."]})


def clinic_of(instance: Model, clinic_id: int | None) -> int | None:
    """The clinic whose audit chain records a change: given, or the record's own."""
    if clinic_id is not None:
        return clinic_id
    owner = getattr(instance, "audit_clinic_id", None)
    if callable(owner):
        return owner()
    return getattr(instance, "clinic_id", None)


def create(
    model: type[Model],
    schema: Schema,
    data: dict,
    actor: Actor,
    *,
    clinic_id: int | None = None,
    reason: str | None = None,
    action: str = "create",
) -> Model:
    """Validate, insert and audit one record in one transaction."""
    values = load(schema, data)
    with write_transaction():
        check_references(model, values)
        instance = insert(model, values)
        record_creation(instance, values, actor, clinic_id=clinic_id, reason=reason, action=action)
    return instance


def insert(model: type[Model], values: dict) -> Model:
    """Insert a row already validated, reporting a uniqueness clash as a field error."""
    try:
        with model._meta.database.atomic():
            return model.create(**values)
    except IntegrityError as exc:
        raise InvalidInput({"_schema": [f"This {model.__name__} conflicts with one on record."]}) \
            from exc


def record_creation(instance, values, actor, *, clinic_id=None, reason=None, action="create"):
    model = type(instance)
    changes = {name: [None, getattr(instance, name)] for name in values}
    audit.append(
        actor, action, model._meta.table_name, instance.get_id(),
        audit.redact(model, changes), clinic_id=clinic_of(instance, clinic_id), reason=reason,
    )


def update(
    instance: Model,
    schema: Schema,
    data: dict,
    actor: Actor,
    *,
    clinic_id: int | None = None,
    reason: str | None = None,
    action: str = "update",
) -> dict:
    """Validate and apply a partial change; returns {field: [old, new]} ({} if no change)."""
    model = type(instance)
    values = load(schema, merged_input(schema, instance, data))
    values = {k: v for k, v in values.items() if k in model._meta.combined}
    with write_transaction():
        check_references(model, values)
        changes = apply_changes(instance, values, actor, clinic_id=clinic_id, reason=reason,
                                action=action)
    return changes


def merged_input(schema: Schema, instance: Model, data: dict) -> dict:
    """The record as input, with the given fields replaced, so cross-field rules see the whole."""
    current = schema.dump(instance)
    writable = {k: v for k, v in current.items() if not schema.fields[k].dump_only}
    return {**writable, **data}


def apply_changes(instance, values, actor, *, clinic_id=None, reason=None, action="update"):
    """Write the fields that differ and audit them; call inside a write transaction."""
    model = type(instance)
    changes = {}
    for name, new in values.items():
        old = getattr(instance, name)
        if old != new:
            changes[name] = [old, new]
    if not changes:
        return {}
    require_reason(model, reason)
    pk = model._meta.primary_key
    try:
        with model._meta.database.atomic():
            model.update({model._meta.combined[n]: v[1] for n, v in changes.items()}).where(
                pk == instance.get_id()
            ).execute()
    except IntegrityError as exc:
        raise InvalidInput({"_schema": [f"This {model.__name__} conflicts with one on record."]}) \
            from exc
    for name, (_old, new) in changes.items():
        setattr(instance, name, new)
    audit.append(
        actor, action, model._meta.table_name, instance.get_id(),
        audit.redact(model, changes), clinic_id=clinic_of(instance, clinic_id), reason=reason,
    )
    return changes
