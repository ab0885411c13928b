"""Appending audit events to per-clinic HMAC chains, and verifying those chains."""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from peewee import Model

from registry.clock import utcnow
from registry.db import db, is_postgresql
from registry.models import AuditChainHead, AuditEvent, Clinic
from registry.models.audit import GLOBAL_CHAIN

GENESIS_MAC = "0" * 64
REDACTED = "[redacted]"


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a signed-in user, or a named system process."""

    label: str
    user_id: int | None = None

    @classmethod
    def system(cls, name: str) -> "Actor":
        return cls(label=f"system:{name}")


def chain_for(clinic_id: int | None) -> str:
    return f"clinic:{clinic_id}" if clinic_id else GLOBAL_CHAIN


def jsonable(value):
    """A value as it appears in an event's changes."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Model):
        return value.get_id()
    return value


def _keys() -> tuple[str, dict[str, bytes]]:
    config = current_app.config
    return config["AUDIT_KEY_ID"], config["AUDIT_KEYS"]


def compute_mac(key: bytes, fields: dict) -> str:
    """HMAC-SHA256 over the event's canonical JSON (sorted keys, fixed separators)."""
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def _mac_fields(event: dict) -> dict:
    return {
        "chain": event["chain"],
        "seq": event["seq"],
        "occurred_at": jsonable(event["occurred_at"]),
        "actor_id": event["actor_id"],
        "actor": event["actor"],
        "action": event["action"],
        "entity": event["entity"],
        "entity_id": str(event["entity_id"]),
        "changes": event["changes"],
        "reason": event["reason"],
        "key_id": event["key_id"],
        "prev_mac": event["prev_mac"],
    }


# Appends run on every write, so their statements are plain SQL prepared once per placeholder
# style: building them with the query builder cost more than running them. The chain's head
# is advanced by the database (a trigger on audit_event, migration 0008), never by the service.
_HEAD_SQL = "SELECT seq, mac FROM audit_chain_head WHERE chain = {p}"
_EVENT_COLUMNS = ("chain", "seq", "occurred_at", "actor_id", "actor", "action", "entity",
                  "entity_id", "changes", "reason", "key_id", "prev_mac", "mac")
_EVENT_SQL = "INSERT INTO audit_event ({}) VALUES ({})".format(
    ", ".join(_EVENT_COLUMNS), ", ".join(["{p}"] * len(_EVENT_COLUMNS)))


def _sql(template: str) -> str:
    return template.replace("{p}", db.obj.param)


def _lock_chain(chain: str) -> None:
    # SQLite already holds the database write lock (write_transaction); PostgreSQL
    # serialises appends per chain with a transaction-scoped advisory lock.
    if is_postgresql():
        db.execute_sql("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (chain,))


def _stored_time(moment: datetime):
    """A timestamp as bound to a statement: SQLite keeps text, PostgreSQL a timestamp."""
    return moment if is_postgresql() else moment.isoformat(" ", "microseconds")


def append(
    actor: Actor,
    action: str,
    entity: str,
    entity_id,
    changes: dict,
    *,
    clinic_id: int | None = None,
    reason: str | None = None,
) -> dict:
    """Add one event to the clinic's chain. Call inside the transaction of the change."""
    if not db.in_transaction():
        raise RuntimeError("audit events are appended inside the change's transaction")
    key_id, keys = _keys()
    chain = chain_for(clinic_id)
    _lock_chain(chain)
    head = db.execute_sql(_sql(_HEAD_SQL), (chain,)).fetchone()
    event = {
        "chain": chain,
        "seq": (head[0] + 1) if head else 1,
        "occurred_at": utcnow(),
        "actor_id": actor.user_id,
        "actor": actor.label,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "changes": {name: [jsonable(v) for v in pair] for name, pair in changes.items()},
        "reason": reason,
        "key_id": key_id,
        "prev_mac": head[1] if head else GENESIS_MAC,
    }
    event["mac"] = compute_mac(keys[key_id], _mac_fields(event))
    stored = {**event, "occurred_at": _stored_time(event["occurred_at"]),
              "changes": AuditEvent.changes.db_value(event["changes"])}
    db.execute_sql(_sql(_EVENT_SQL), [stored[c] for c in _EVENT_COLUMNS])
    return event


@dataclass(frozen=True)
class ChainReport:
    chain: str
    events: int
    ok: bool
    problem: str | None = None
    seq: int | None = None


def verify_chain(chain: str, rows, head: AuditChainHead | None, keys: dict[str, bytes]):
    """Walk one chain in stored order; report the first broken link."""
    expected_prev, expected_seq, count = GENESIS_MAC, 1, 0
    for row in rows:
        count += 1
        if row["seq"] != expected_seq:
            return ChainReport(chain, count, False, f"event {expected_seq} is missing",
                               expected_seq)
        if row["prev_mac"] != expected_prev:
            return ChainReport(chain, count, False, "link to the previous event broken", row["seq"])
        if row["changes"] is _UNREADABLE:
            return ChainReport(chain, count, False, "event altered (unreadable changes)",
                               row["seq"])
        key = keys.get(row["key_id"])
        if key is None:
            return ChainReport(chain, count, False, f"unknown key id {row['key_id']}", row["seq"])
        if not hmac.compare_digest(compute_mac(key, _mac_fields(row)), row["mac"]):
            return ChainReport(chain, count, False, "event altered (MAC mismatch)", row["seq"])
        expected_prev, expected_seq = row["mac"], expected_seq + 1
    last_seq = expected_seq - 1
    if count == 0 and head is None:
        return ChainReport(chain, 0, False, "the chain is missing: no events and no head", 1)
    if head is None or head.seq != last_seq or head.mac != expected_prev:
        recorded = head.seq if head else 0
        return ChainReport(
            chain, count, False, f"chain ends at event {last_seq}, head records {recorded}",
            last_seq + 1,
        )
    return ChainReport(chain, count, True)


def verify(chain: str | None = None) -> list[ChainReport]:
    """Verify every chain (or one); each report names the first broken link, if any."""
    _key_id, keys = _keys()
    heads = {h.chain: h for h in AuditChainHead.select()}
    chains_query = AuditEvent.select(AuditEvent.chain).distinct()
    # Creating a clinic is audited on its chain, so every clinic row means a chain must exist.
    expected = {chain_for(clinic_id) for (clinic_id,) in Clinic.select(Clinic.id).tuples()}
    chains = set(heads) | {row.chain for row in chains_query} | expected
    if chain is not None:
        chains &= {chain}
    return [verify_chain(name, _stored_events(name), heads.get(name), keys)
            for name in sorted(chains)]


_UNREADABLE = object()
_STORED_COLUMNS = ("id", "chain", "seq", "occurred_at", "actor_id", "actor", "action", "entity",
                   "entity_id", "changes", "reason", "key_id", "prev_mac", "mac")


def _stored_events(chain: str):
    """A chain's rows as stored, read without trusting their contents to parse."""
    query = (AuditEvent.select(*[getattr(AuditEvent, c) for c in _STORED_COLUMNS])
             .where(AuditEvent.chain == chain).order_by(AuditEvent.seq))
    cursor = db.execute(query.tuples())
    for values in cursor:
        row = dict(zip(_STORED_COLUMNS, values, strict=True))
        row["occurred_at"] = AuditEvent.occurred_at.python_value(row["occurred_at"])
        try:
            row["changes"] = json.loads(row["changes"])
        except (TypeError, ValueError):
            row["changes"] = _UNREADABLE
        yield row


def redact(model_class, changes: dict) -> dict:
    hidden = getattr(model_class, "audit_redact", ())
    return {k: ([REDACTED, REDACTED] if k in hidden else v) for k, v in changes.items()}
