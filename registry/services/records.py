"""Validated, audited create and update of any record: the one write path every service uses."""

from contextlib import nullcontext
from datetime import date, datetime
from functools import cache

from marshmallow import Schema, ValidationError
from peewee import ForeignKeyField, IntegrityError, Model

from registry.db import is_postgresql, write_transaction
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


@cache
def _instance(schema_class: type[Schema]) -> Schema:
    # Building a schema deep-copies its fields; one instance per class serves every load.
    return schema_class()


def load(schema: type[Schema], data, *, partial: bool = False, many: bool = False):
    """Validate input with a schema, turning marshmallow's error into InvalidInput."""
    try:
        return _instance(schema).load(data, partial=partial, many=many)
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
            if not _row_exists(target, value):
                errors[name] = [f"No {target.__name__} with id {value}."]
    if errors:
        raise InvalidInput(errors)


def require_at_clinic(model: type[Model], pk, clinic_id: int, field: str, **match) -> None:
    """The row (matching any further fields) belongs to the clinic, or the field is reported:
    another clinic's row gets the same message as one that does not exist."""
    query = model.select().where((model._meta.primary_key == pk) & (model.clinic == clinic_id))
    for name, value in match.items():
        query = query.where(getattr(model, name) == value)
    if not query.exists():
        raise InvalidInput({field: [f"No {model.__name__.lower()} {pk} at this clinic."]})


def _row_exists(model: type[Model], pk) -> bool:
    quote = model._meta.database.quote
    table, column = model._meta.table_name, model._meta.primary_key.column_name
    statement = (f"SELECT 1 FROM {quote[0]}{table}{quote[1]} "
                 f"WHERE {column} = {model._meta.database.param}")
    return model._meta.database.execute_sql(statement, (pk,)).fetchone() is not None


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
    schema: type[Schema],
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
        return add(model, values, actor, clinic_id=clinic_id, reason=reason, action=action)


def insert(model: type[Model], values: dict) -> Model:
    """Insert a row already validated, reporting a uniqueness clash as a field error."""
    database = model._meta.database
    # Inside a caller's wider transaction a savepoint keeps that transaction usable after a
    # clash (PostgreSQL aborts the whole transaction otherwise); alone, rolling back suffices.
    guard = database.atomic() if database.transaction_depth() > 1 else nullcontext()
    try:
        with guard:
            return _insert_row(model(**values))
    except IntegrityError as exc:
        raise InvalidInput({"_schema": [f"This {model.__name__} conflicts with one on record."]}) \
            from exc


@cache
def _insert_statement(model: type[Model], names: tuple[str, ...], postgresql: bool) -> str:
    meta = model._meta
    quote = meta.database.quote
    columns = ", ".join(f"{quote[0]}{meta.fields[n].column_name}{quote[1]}" for n in names)
    marks = ", ".join([meta.database.param] * len(names))
    returning = f" RETURNING {meta.primary_key.column_name}" if postgresql else ""
    return f"INSERT INTO {quote[0]}{meta.table_name}{quote[1]} ({columns}) VALUES ({marks})" \
        + returning


def _insert_row(instance: Model) -> Model:
    """Insert a new instance with a statement built once per model and column set.

    Every audited write goes through here; peewee's query builder cost more than the insert.
    """
    meta = type(instance)._meta
    postgresql = is_postgresql()
    names = tuple(n for n in instance.__data__ if n != meta.primary_key.name)
    params = [_bindable(meta.fields[n].db_value(instance.__data__[n]), postgresql)
              for n in names]
    cursor = meta.database.execute_sql(_insert_statement(type(instance), names, postgresql),
                                       params)
    instance.__data__[meta.primary_key.name] = (
        cursor.fetchone()[0] if postgresql else cursor.lastrowid)
    instance._dirty.clear()
    return instance


def _bindable(value, postgresql: bool):
    # SQLite keeps dates as ISO text (as peewee writes them); psycopg2 adapts them itself.
    if not postgresql and isinstance(value, date):
        return value.isoformat(" ", "microseconds") if isinstance(value, datetime) \
            else value.isoformat()
    return value


def add(model: type[Model], values: dict, actor: Actor, *, clinic_id: int | None = None,
        reason: str | None = None, action: str = "create") -> Model:
    """Insert and audit a row whose values the calling service has already checked."""
    with write_transaction():
        instance = insert(model, values)
        record_creation(instance, values, actor, clinic_id=clinic_id, reason=reason,
                        action=action)
    return instance


def record_creation(instance, values, actor, *, clinic_id=None, reason=None, action="create"):
    model = type(instance)
    changes = {name: [None, getattr(instance, name)] for name in values}
    audit.append(
        actor, action, model._meta.table_name, instance.get_id(),
        audit.redact(model, changes), clinic_id=clinic_of(instance, clinic_id), reason=reason,
    )


def update(
    instance: Model,
    schema: type[Schema],
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


def merged_input(schema: type[Schema], instance: Model, data: dict) -> dict:
    """The record as input, with the given fields replaced, so cross-field rules see the whole."""
    schema = _instance(schema)
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
    database = model._meta.database
    guard = database.atomic() if database.transaction_depth() > 1 else nullcontext()
    try:
        with guard:
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
