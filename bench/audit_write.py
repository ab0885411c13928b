"""Measures what the audit trail costs a write: audited service calls against raw SQL inserts.

Both paths write the same Client rows (same column values, each path into its own clinic so the
unique (clinic, reference) index never clashes) and commit once per row, so they pay the same
durability: SQLite in WAL mode with synchronous=FULL (registry/db.py), or PostgreSQL's default
synchronous commit. Per-change commit on both sides is the fair comparison: batching the raw
inserts into one transaction would measure fsync amortisation, not the audit trail.

The audited path is `procedures.create_client`: schema validation, a foreign-key check, the
insert, and an HMAC-chained audit event with its chain head, in one write transaction. The raw
path is one `INSERT INTO client` through `db.execute_sql` inside `db.atomic()`.

After a short warm-up of each path, the measured rows run in interleaved blocks (audited and raw
alternating, and which goes first alternating too) so that drift on a small machine falls on both
paths alike; the times are summed per path.

    .venv/bin/python bench/audit_write.py [--rows N] [--postgresql postgresql://user@host/db]
"""

import argparse
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
from psycopg2 import sql

from registry import create_app, schema
from registry.clock import utcnow
from registry.db import db
from registry.models import AuditEvent, Client
from registry.services import audit, clinics, procedures
from registry.services.audit import Actor
from registry.settings import load_settings

WARMUP_ROWS = 200
BLOCKS = 10
BUDGET_RATIO = 3.0
ACTOR = Actor.system("bench")
SEXES = ("female", "male", "undifferentiated", "declined")
CLIENT_COLUMNS = (
    "clinic_id", "reference", "initials", "birth_date", "sex", "email", "phone", "created_at",
)


@dataclass(frozen=True)
class Result:
    backend: str
    rows: int
    audited_seconds: float
    raw_seconds: float
    chains: int
    events: int

    @property
    def ratio(self) -> float:
        return self.audited_seconds / self.raw_seconds


def client_values(index: int) -> dict:
    """The columns a clinic enters for client number `index`, as Python values."""
    return {
        "reference": f"BENCH-{index:06d}",
        "initials": "AB",
        "birth_date": date(1960, 1, 1) + timedelta(days=index % 15000),
        "sex": SEXES[index % len(SEXES)],
        "email": f"client{index}@example.com",
        "phone": "+1 555 0100",
    }


def audited_writer(clinic_id: int) -> Callable[[int], None]:
    def write(index: int) -> None:
        values = client_values(index)
        data = {**values, "clinic_id": clinic_id, "birth_date": values["birth_date"].isoformat()}
        procedures.create_client(data, ACTOR)

    return write


def raw_writer(clinic_id: int) -> Callable[[int], None]:
    placeholders = ", ".join([db.param] * len(CLIENT_COLUMNS))
    statement = f"INSERT INTO client ({', '.join(CLIENT_COLUMNS)}) VALUES ({placeholders})"

    def write(index: int) -> None:
        row = {**client_values(index), "clinic_id": clinic_id, "created_at": utcnow()}
        with db.atomic():
            db.execute_sql(statement, [row[column] for column in CLIENT_COLUMNS])

    return write


class WritePath:
    """One write path: a writer and the next row index it will write."""

    def __init__(self, write: Callable[[int], None]):
        self.write = write
        self.next_index = 0
        self.seconds = 0.0

    def run(self, count: int) -> float:
        start = time.perf_counter()
        for index in range(self.next_index, self.next_index + count):
            self.write(index)
        elapsed = time.perf_counter() - start
        self.next_index += count
        return elapsed

    def measure(self, count: int) -> None:
        self.seconds += self.run(count)


def block_sizes(rows: int, blocks: int) -> list[int]:
    blocks = max(1, min(blocks, rows))
    size, extra = divmod(rows, blocks)
    return [size + (1 if block < extra else 0) for block in range(blocks)]


def interleave(audited: WritePath, raw: WritePath, rows: int) -> None:
    for block, size in enumerate(block_sizes(rows, BLOCKS)):
        order = (audited, raw) if block % 2 == 0 else (raw, audited)
        for path in order:
            path.measure(size)


def create_bench_clinic(name: str) -> int:
    clinic = clinics.create_clinic({"name": name, "state": "NY"}, ACTOR)
    return clinic.id


def client_count(clinic_id: int) -> int:
    return Client.select().where(Client.clinic_id == clinic_id).count()


def check_sanity(audited_clinic: int, raw_clinic: int, expected_rows: int) -> tuple[int, int]:
    """Both clinics hold every row written, and every audit chain verifies; (chains, events)."""
    for label, clinic_id in (("audited", audited_clinic), ("raw", raw_clinic)):
        found = client_count(clinic_id)
        if found != expected_rows:
            raise RuntimeError(f"{label} clinic holds {found} clients, expected {expected_rows}")
    reports = audit.verify()
    broken = [report for report in reports if not report.ok]
    if broken:
        raise RuntimeError(f"audit chains broken: {broken}")
    return len(reports), AuditEvent.select().count()


def backend_label() -> str:
    if db.param == "?":
        return f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=FULL)"
    version = db.execute_sql("SHOW server_version").fetchone()[0]
    return f"PostgreSQL {version.split()[0]} (synchronous_commit=on)"


def run_benchmark(rows: int) -> Result:
    """Run both paths on the connected, migrated database."""
    audited_clinic = create_bench_clinic("Bench audited clinic")
    raw_clinic = create_bench_clinic("Bench raw clinic")
    audited = WritePath(audited_writer(audited_clinic))
    raw = WritePath(raw_writer(raw_clinic))
    audited.run(WARMUP_ROWS)
    raw.run(WARMUP_ROWS)
    interleave(audited, raw, rows)
    chains, events = check_sanity(audited_clinic, raw_clinic, rows + WARMUP_ROWS)
    return Result(backend_label(), rows, audited.seconds, raw.seconds, chains, events)


def run_on(database_url: str, rows: int) -> Result:
    with tempfile.TemporaryDirectory(prefix="registry-bench-") as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        settings = load_settings(
            environ={}, env="testing", instance_path=Path(tmp) / "instance", database_url=url,
            secret_key="b" * 40, audit_key="a" * 40,
        )
        app = create_app(settings)
        with app.app_context():
            db.connect()
            try:
                schema.upgrade()
                return run_benchmark(rows)
            finally:
                db.close()


def with_database_name(url: str, name: str) -> str:
    return urlsplit(url)._replace(path=f"/{name}").geturl()


@contextmanager
def fresh_postgresql_database(server_url: str) -> Iterator[str]:
    """Create registry_bench_<random> on the server in server_url; drop it afterwards."""
    name = f"registry_bench_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(server_url, connect_timeout=5)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield with_database_name(server_url, name)
        finally:
            with admin.cursor() as cursor:
                cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    finally:
        admin.close()


def print_report(result: Result, *, budget: float | None) -> None:
    print(f"{result.backend}: {result.rows:,} rows per path, one commit per row, "
          f"{WARMUP_ROWS} warm-up rows each, {len(block_sizes(result.rows, BLOCKS))} "
          "interleaved blocks")
    for label, seconds in (
        ("audited (create_client + audit event)", result.audited_seconds),
        ("raw INSERT (execute_sql in atomic)", result.raw_seconds),
    ):
        print(f"  {label:<40} {result.rows / seconds:>9,.0f} rows/s  ({seconds:.2f} s)")
    if budget is None:
        verdict = "(the budget applies to SQLite only)"
    else:
        outcome = "PASS" if result.ratio <= budget else "OVER BUDGET"
        verdict = f"(budget: at most {budget:.1f}x on SQLite)  {outcome}"
    print(f"  {'audited / raw time':<40} {result.ratio:>9.2f}x  {verdict}")
    print(f"  audit chains intact: {result.chains} chains, {result.events:,} events verified")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="measured rows per path")
    parser.add_argument(
        "--postgresql", metavar="URL",
        help="also run on a fresh database created on this PostgreSQL server",
    )
    args = parser.parse_args()
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    return args


def main() -> None:
    args = parse_args()
    print_report(run_on("", args.rows), budget=BUDGET_RATIO)
    if args.postgresql:
        with fresh_postgresql_database(args.postgresql) as url:
            result = run_on(url, args.rows)
        print_report(result, budget=None)


if __name__ == "__main__":
    main()
