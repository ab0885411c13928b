"""The audit trail: append-only in both databases, chained per clinic, verifiable."""

import json
from datetime import date

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from peewee import DatabaseError

from registry import demo
from registry.db import db, is_postgresql
from registry.models import AuditChainHead, AuditEvent
from registry.services import audit
from tests.factories import ACTOR, make_clinic, make_lot


def test_each_clinic_has_its_own_chain(app):
    first, second = make_clinic(), make_clinic()
    make_lot(first, received_on=date(2025, 1, 1))
    chains = {r.chain: r for r in audit.verify()}
    assert chains[f"clinic:{first.id}"].ok and chains[f"clinic:{second.id}"].ok
    assert chains[f"clinic:{first.id}"].events > chains[f"clinic:{second.id}"].events
    events = list(AuditEvent.select().where(AuditEvent.chain == f"clinic:{first.id}")
                  .order_by(AuditEvent.seq))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert all(later.prev_mac == earlier.mac
               for earlier, later in zip(events, events[1:], strict=False))


def test_events_are_stamped_with_server_utc_time(app):
    from registry.clock import utcnow

    before = utcnow()
    make_clinic()
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).get()
    assert before <= event.occurred_at <= utcnow()


def test_appending_outside_a_transaction_is_refused(app):
    with pytest.raises(RuntimeError):
        audit.append(ACTOR, "create", "clinic", 1, {}, clinic_id=1)


# The triggers hold even for the tables' owner (the runtime role has no such privilege).
@pytest.mark.database_owner
@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET actor = 'someone else'",
    "DELETE FROM audit_event",
])
def test_raw_update_or_delete_on_the_audit_table_fails(app, statement):
    make_clinic()
    before = list(AuditEvent.select().dicts())
    with pytest.raises(DatabaseError, match="append-only"), db.atomic():
        db.execute_sql(statement)
    assert list(AuditEvent.select().dicts()) == before


@pytest.mark.database_owner
@pytest.mark.postgresql
def test_truncate_on_the_audit_table_fails_in_postgresql(app):
    make_clinic()
    with pytest.raises(DatabaseError, match="append-only"), db.atomic():
        db.execute_sql("TRUNCATE audit_event")
    assert AuditEvent.select().count() == 1


def test_a_secret_is_never_written_to_the_trail(app):
    from registry.services.accounts import create_user

    create_user({"email": "Someone@Example.test", "display_name": "S"}, ACTOR,
                password="a long enough password")
    events = AuditEvent.select().where(AuditEvent.entity == "user_account")
    hashes = [e.changes["password_hash"] for e in events if "password_hash" in e.changes]
    assert hashes == [[audit.REDACTED, audit.REDACTED]]


def _without_guards():
    """Let a test tamper with the trail inside its own transaction (rolled back after)."""
    if is_postgresql():
        db.execute_sql("ALTER TABLE audit_event DISABLE TRIGGER USER")
        db.execute_sql("ALTER TABLE audit_chain_head DISABLE TRIGGER USER")
    else:
        for trigger in ("audit_event_no_update", "audit_event_no_delete",
                        "audit_chain_head_forward_only", "audit_chain_head_no_delete"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS {trigger}")


def _tamper(kind: str, target: dict, other: dict | None, value: str, field: str) -> None:
    if kind == "change":
        db.execute_sql(f"UPDATE audit_event SET {field} = %s WHERE id = %s"  # noqa: S608
                       .replace("%s", "%s" if is_postgresql() else "?"), (value, target["id"]))
    elif kind == "delete":
        db.execute_sql(_sql("DELETE FROM audit_event WHERE id = %s"), (target["id"],))
    else:
        update = _sql("UPDATE audit_event SET seq = %s WHERE id = %s")
        db.execute_sql(update, (-1, target["id"]))
        db.execute_sql(update, (target["seq"], other["id"]))
        db.execute_sql(update, (other["seq"], target["id"]))


def _sql(statement: str) -> str:
    return statement if is_postgresql() else statement.replace("%s", "?")


@pytest.fixture
def demo_trail(app):
    demo.load()
    assert all(report.ok for report in audit.verify())
    return list(AuditEvent.select().order_by(AuditEvent.id).dicts())


TEXT_FIELDS = ("actor", "action", "entity", "entity_id", "reason", "changes", "key_id")


# The trail is built once per test; every example tampers inside a transaction it rolls back.
@pytest.mark.database_owner
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), kind=st.sampled_from(["change", "delete", "reorder"]),
       field=st.sampled_from(TEXT_FIELDS),
       value=st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"),
                     min_size=1, max_size=12))
def test_verify_detects_any_single_changed_deleted_or_reordered_event(
        demo_trail, data, kind, field, value):
    target = data.draw(st.sampled_from(demo_trail))
    same_chain = [e for e in demo_trail if e["chain"] == target["chain"] and e is not target]
    other = data.draw(st.sampled_from(same_chain)) if kind == "reorder" else None
    if field == "changes":
        value = json.dumps({"tampered": [value, None]})
    if kind == "change":
        assume(str(target[field] if field != "changes" else "") != value)
    with db.atomic() as transaction:
        _without_guards()
        _tamper(kind, target, other, value, field)
        reports = {r.chain: r for r in audit.verify()}
        transaction.rollback()
    broken = [r for r in reports.values() if not r.ok]
    assert [r.chain for r in broken] == [target["chain"]]
    first_touched = min(target["seq"], other["seq"]) if other else target["seq"]
    assert broken[0].seq == first_touched


@pytest.mark.database_owner
def test_an_event_whose_changes_no_longer_parse_is_reported_not_crashed_on(app):
    clinic = make_clinic()
    first = AuditEvent.get(AuditEvent.chain == f"clinic:{clinic.id}")
    with db.atomic() as transaction:
        _without_guards()
        db.execute_sql(_sql("UPDATE audit_event SET changes = %s WHERE id = %s"),
                       ('{"state": ["OR", \x01', first.id))
        report = audit.verify(f"clinic:{clinic.id}")[0]
        transaction.rollback()
    assert not report.ok and report.seq == 1 and "unreadable" in report.problem


@pytest.mark.database_owner
def test_a_truncated_chain_is_noticed_through_its_head(app):
    clinic = make_clinic()
    make_lot(clinic)
    last = AuditEvent.select().where(AuditEvent.chain == f"clinic:{clinic.id}") \
        .order_by(AuditEvent.seq.desc()).get()
    with db.atomic() as transaction:
        _without_guards()
        db.execute_sql(_sql("DELETE FROM audit_event WHERE id = %s"), (last.id,))
        report = audit.verify(f"clinic:{clinic.id}")[0]
        transaction.rollback()
    assert not report.ok and report.seq == last.seq
    assert "head records" in report.problem


@pytest.mark.database_owner
def test_cli_verify_names_the_first_broken_link(app, runner):
    clinic = make_clinic()
    make_lot(clinic)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"clinic:{clinic.id}: 3 events, intact" in result.output

    target = AuditEvent.select().where(AuditEvent.chain == f"clinic:{clinic.id}",
                                       AuditEvent.seq == 2).get()
    with db.atomic() as transaction:
        _without_guards()
        db.execute_sql(_sql("UPDATE audit_event SET actor = %s WHERE id = %s"),
                       ("intruder", target.id))
        result = runner.invoke(args=["audit", "verify"])
        transaction.rollback()
    assert result.exit_code == 1
    assert f"clinic:{clinic.id}: BROKEN at event 2: event altered (MAC mismatch)" in result.output


def test_verify_needs_the_key_kept_outside_the_database(app):
    make_clinic()
    app.config["AUDIT_KEYS"] = {app.config["AUDIT_KEY_ID"]: b"a different key"}
    assert not any(r.ok for r in audit.verify())
    assert AuditChainHead.select().count() == 1


def _chain_events(clinic) -> list:
    return list(AuditEvent.select().where(AuditEvent.chain == f"clinic:{clinic.id}")
                .order_by(AuditEvent.seq))


@pytest.mark.database_owner
def test_a_clinic_whose_whole_chain_and_head_are_gone_is_reported(app, runner):
    clinic = make_clinic()
    make_lot(clinic)
    with db.atomic() as transaction:
        _without_guards()
        db.execute_sql(_sql("DELETE FROM audit_event WHERE chain = %s"), (f"clinic:{clinic.id}",))
        db.execute_sql(_sql("DELETE FROM audit_chain_head WHERE chain = %s"),
                       (f"clinic:{clinic.id}",))
        reports = {r.chain: r for r in audit.verify()}
        result = runner.invoke(args=["audit", "verify"])
        transaction.rollback()
    report = reports[f"clinic:{clinic.id}"]
    assert not report.ok and "missing" in report.problem
    assert result.exit_code == 1 and f"clinic:{clinic.id}: BROKEN" in result.output


def _checkpoint(runner, directory) -> dict:
    result = runner.invoke(args=["audit", "checkpoint", "--directory", str(directory)])
    assert result.exit_code == 0, result.output
    [path] = directory.glob("*.json")
    return json.loads(path.read_text())


def _verify_with(runner, directory):
    return runner.invoke(args=["audit", "verify", "--checkpoints", str(directory)])


@pytest.mark.database_owner
def test_a_chain_cut_back_behind_a_checkpoint_is_reported(app, runner, tmp_path):
    clinic = make_clinic()
    make_lot(clinic)
    checkpoint = _checkpoint(runner, tmp_path / "checkpoints")
    heads = {h["chain"]: h for h in checkpoint["heads"]}
    assert heads[f"clinic:{clinic.id}"]["seq"] == 3
    assert checkpoint["signature"]["method"] == "hmac-sha256"
    result = _verify_with(runner, tmp_path / "checkpoints")
    assert result.exit_code == 0, result.output
    assert "1 checkpoints, intact" in result.output

    last = _chain_events(clinic)[-1]
    with db.atomic() as transaction:
        _without_guards()
        # The last event and the head cut back consistently: only the checkpoint can tell.
        db.execute_sql(_sql("DELETE FROM audit_event WHERE id = %s"), (last.id,))
        db.execute_sql(_sql("UPDATE audit_chain_head SET seq = 2, mac = %s WHERE chain = %s"),
                       (last.prev_mac, last.chain))
        assert all(r.ok for r in audit.verify())
        result = _verify_with(runner, tmp_path / "checkpoints")
        transaction.rollback()
    assert result.exit_code == 1
    assert f"clinic:{clinic.id}: BEHIND checkpoint" in result.output


@pytest.mark.database_owner
def test_a_chain_rewritten_under_a_checkpoint_is_reported(app, runner, tmp_path):
    clinic = make_clinic()
    _checkpoint(runner, tmp_path / "checkpoints")
    first = _chain_events(clinic)[0]
    with db.atomic() as transaction:
        _without_guards()
        db.execute_sql(_sql("UPDATE audit_event SET mac = %s WHERE id = %s"), ("f" * 64, first.id))
        db.execute_sql(_sql("UPDATE audit_chain_head SET mac = %s WHERE chain = %s"),
                       ("f" * 64, first.chain))
        result = _verify_with(runner, tmp_path / "checkpoints")
        transaction.rollback()
    assert result.exit_code == 1
    assert f"clinic:{clinic.id}: BEHIND checkpoint" in result.output
    assert "different event" in result.output


def test_a_checkpoint_edited_after_signing_is_refused(app, runner, tmp_path):
    make_clinic()
    directory = tmp_path / "checkpoints"
    checkpoint = _checkpoint(runner, directory)
    checkpoint["heads"][0]["seq"] = 0
    [path] = directory.glob("*.json")
    path.write_text(json.dumps(checkpoint))
    result = _verify_with(runner, directory)
    assert result.exit_code == 1 and "signature is not valid" in result.output


def test_a_checkpoint_is_signed_with_the_report_signing_key(app, runner, tmp_path):
    import dataclasses

    from registry.reports import signing

    key, cert = signing.ensure_development_key(tmp_path / "keys")
    settings = app.config["REGISTRY_SETTINGS"]
    app.config["REGISTRY_SETTINGS"] = dataclasses.replace(
        settings, report_signing_key=key, report_signing_cert=cert)
    make_clinic()
    checkpoint = _checkpoint(runner, tmp_path / "checkpoints")
    assert checkpoint["signature"]["method"] == "rsa-pss-sha256"
    assert _verify_with(runner, tmp_path / "checkpoints").exit_code == 0


def test_the_scheduled_checkpoint_writes_to_the_configured_directory(app, tmp_path):
    import dataclasses

    from registry.scheduler.jobs import job_target, resolve

    directory = tmp_path / "configured"
    app.config["REGISTRY_SETTINGS"] = dataclasses.replace(
        app.config["REGISTRY_SETTINGS"], audit_checkpoint_dir=directory)
    make_clinic()
    summary = resolve(job_target("audit_checkpoint"))()
    assert "1 chains" in summary
    assert len(list(directory.glob("*.json"))) == 1
