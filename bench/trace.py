"""Measures the reverse trace of one pigment lot against a raw SQL fetch of the same rows.

5,000 clinics and 1,000,000 procedures (each with one procedure_lot row), with their clients,
practitioners and lots, are written straight into a fresh SQLite database with insert_many in
chunks, one transaction per table. Then, in the same process and interleaved:

- raw: a hand-written SELECT joining procedure_lot, procedure, pigment_lot, pigment_product,
  client and clinic on the lot, ordered like the trace, run through the sqlite3 cursor with
  fetchall(), nothing built from the rows;
- trace: `trace.trace_lots([lot])`: the same answer as a list of light rows.

Each figure is the median of the rounds, each round tracing every one of a sample of lots.

    .venv/bin/python bench/trace.py [--clinics N] [--procedures N] [--rounds R]
"""

import argparse
import random
import statistics
import time
from datetime import date, timedelta

from scratch import migrated_app

from registry.db import db
from registry.models import (
    Client,
    Clinic,
    Manufacturer,
    PigmentLot,
    PigmentProduct,
    Practitioner,
    Procedure,
    ProcedureLot,
)
from registry.services import trace

BUDGET = 2.0
LOTS_PER_CLINIC = 4
CLIENTS_PER_CLINIC = 50
SAMPLE = 50
CREATED = "2026-01-01 00:00:00"
RAW = """
SELECT c.id, c.name, c.state, p.id, p.performed_on, p.body_area, cl.id, cl.reference,
       l.id, l.lot_number, pp.name
FROM procedure_lot AS pl
JOIN procedure AS p ON p.id = pl.procedure_id
JOIN pigment_lot AS l ON l.id = pl.lot_id
JOIN pigment_product AS pp ON pp.id = l.product_id
JOIN client AS cl ON cl.id = p.client_id
JOIN clinic AS c ON c.id = p.clinic_id
WHERE pl.lot_id IN (?) AND p.status <> 'voided'
ORDER BY c.name, c.id, p.performed_on, p.id, l.id
"""


def insert(model, fields, rows, chunk: int) -> int:
    """Rows into a table with insert_many, `chunk` rows a statement, in one transaction."""
    with db.atomic():
        for start in range(0, len(rows), chunk):
            model.insert_many(rows[start:start + chunk], fields=fields).execute()
    return len(rows)


def build(clinics: int, procedures: int) -> dict[str, int]:
    rng = random.Random(11)
    counts = {
        "manufacturer": insert(Manufacturer, [Manufacturer.id, Manufacturer.name,
                                              Manufacturer.created_at],
                               [(1, "Bench Pigments", CREATED)], 1),
        "pigment_product": insert(
            PigmentProduct, [PigmentProduct.id, PigmentProduct.manufacturer, PigmentProduct.brand,
                             PigmentProduct.name, PigmentProduct.created_at],
            [(n, 1, "Bench", f"Shade {n}", CREATED) for n in range(1, LOTS_PER_CLINIC + 1)], 100),
        "clinic": insert(
            Clinic, [Clinic.id, Clinic.name, Clinic.state, Clinic.timezone, Clinic.disciplines,
                     Clinic.created_at],
            [(n, f"Clinic {n:05d}", "OR", "America/Los_Angeles", "smp", CREATED)
             for n in range(1, clinics + 1)], 2000),
        "practitioner": insert(
            Practitioner, [Practitioner.id, Practitioner.first_name, Practitioner.last_name,
                           Practitioner.created_at],
            [(n, "Pat", f"Artist{n}", CREATED) for n in range(1, clinics + 1)], 2000),
        "pigment_lot": insert(
            PigmentLot, [PigmentLot.id, PigmentLot.product, PigmentLot.clinic,
                         PigmentLot.lot_number, PigmentLot.received_on, PigmentLot.status,
                         PigmentLot.created_at],
            [((c - 1) * LOTS_PER_CLINIC + k, k, c, f"L{c}-{k}", "2025-01-01", "in_use", CREATED)
             for c in range(1, clinics + 1) for k in range(1, LOTS_PER_CLINIC + 1)], 2000),
        "client": insert(
            Client, [Client.id, Client.clinic, Client.reference, Client.email, Client.created_at],
            [((c - 1) * CLIENTS_PER_CLINIC + k, c, f"C{c}-{k}", f"c{c}-{k}@example.test",
              CREATED) for c in range(1, clinics + 1) for k in range(1, CLIENTS_PER_CLINIC + 1)],
            2000),
    }
    procedure_rows, use_rows = [], []
    start = date(2024, 1, 1)
    for n in range(procedures):
        clinic = n % clinics
        performed = (start + timedelta(days=rng.randrange(700))).isoformat()
        procedure_rows.append((
            n + 1, clinic + 1, clinic + 1, clinic * CLIENTS_PER_CLINIC
            + rng.randrange(CLIENTS_PER_CLINIC) + 1, performed, "smp", "scalp", 1, True, False,
            True, False, "completed", CREATED))
        use_rows.append((n + 1, clinic * LOTS_PER_CLINIC + rng.randrange(LOTS_PER_CLINIC) + 1))
    counts["procedure"] = insert(
        Procedure, [Procedure.id, Procedure.clinic, Procedure.practitioner, Procedure.client,
                    Procedure.performed_on, Procedure.discipline, Procedure.body_area,
                    Procedure.session_number, Procedure.consent_on_file,
                    Procedure.parental_consent_on_file, Procedure.aftercare_given,
                    Procedure.is_cover_up, Procedure.status, Procedure.created_at],
        procedure_rows, 2000)
    del procedure_rows
    counts["procedure_lot"] = insert(ProcedureLot, [ProcedureLot.procedure, ProcedureLot.lot],
                                     use_rows, 10000)
    db.execute_sql("ANALYZE")
    return counts


def indexes_needed() -> list[str]:
    """The indexes the trace relies on that are missing, if any."""
    present = {(table, index.columns[0]) for table in ("procedure_lot", "procedure")
               for index in db.get_indexes(table)}
    wanted = [("procedure_lot", "lot_id"), ("procedure", "client_id"), ("procedure", "clinic_id")]
    return [f"{t}.{c}" for t, c in wanted if (t, c) not in present]


def raw_fetch(lot_ids) -> int:
    cursor = db.connection().cursor()
    return sum(len(cursor.execute(RAW, (lot_id,)).fetchall()) for lot_id in lot_ids)


def traced(lot_ids) -> int:
    return sum(len(trace.trace_lots([lot_id])) for lot_id in lot_ids)


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clinics", type=int, default=5000)
    parser.add_argument("--procedures", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with migrated_app():
        built_in, counts = timed(build, args.clinics, args.procedures)
        print(f"built {sum(counts.values()):,} rows in {built_in:.1f} s: "
              + ", ".join(f"{n:,} {t}" for t, n in counts.items() if n > 1))
        missing = indexes_needed()
        print("indexes: " + (f"MISSING {', '.join(missing)}" if missing
                             else "procedure_lot.lot_id, procedure.client_id, "
                                  "procedure.clinic_id present"))
        plan = db.execute_sql("EXPLAIN QUERY PLAN " + RAW, (1,)).fetchall()
        print("plan: " + "; ".join(row[-1] for row in plan))
        lots = random.Random(5).sample(range(1, counts["pigment_lot"] + 1), SAMPLE)
        assert trace.trace_lots([lots[0]]) == [
            trace.TraceRow._make(row) for row in
            db.connection().execute(RAW, (lots[0],)).fetchall()]
        raw_fetch(lots), traced(lots)  # warm-up
        raw_times, trace_times = [], []
        rows = 0
        for _ in range(args.rounds):
            seconds, rows = timed(raw_fetch, lots)
            raw_times.append(seconds)
            seconds, _count = timed(traced, lots)
            trace_times.append(seconds)
    raw, ours = statistics.median(raw_times), statistics.median(trace_times)
    per = 1e6 / SAMPLE
    print(f"raw SELECT ({SAMPLE} lots, {rows:,} rows)   {raw * per:8.1f} us a lot (median)")
    print(f"trace_lots ({SAMPLE} lots, {rows:,} rows)   {ours * per:8.1f} us a lot (median)")
    ratio = ours / raw
    verdict = "PASS" if ratio <= BUDGET else "OVER BUDGET"
    print(f"trace / raw SELECT  {ratio:.2f}x  (budget: at most {BUDGET:.1f}x)  {verdict}")


if __name__ == "__main__":
    main()
