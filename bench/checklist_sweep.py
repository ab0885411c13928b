"""Measures a state-wide compliance sweep against a raw SQL fetch of the same rows.

2,000 clinics in Oregon, each with 5 practitioners holding 6 credentials, 30 pigment lots and
200 procedures (each with a lot), plus clients, reactions and an inspection, are written
straight into a fresh SQLite database. Then, in the same process and interleaved:

- raw: the SQL statements the sweep issues, run through the sqlite3 cursor with fetchall(),
  nothing built from the rows;
- sweep: `compliance.sweep("OR", as_of)`: the same fetch, plus building the facts and every
  checklist item for every clinic.

    .venv/bin/python bench/checklist_sweep.py [--clinics N] [--rounds R]
"""

import argparse
import random
import time
from datetime import date, timedelta

from playhouse.test_utils import count_queries
from scratch import migrated_app

from registry.db import db
from registry.services import compliance

AS_OF = date(2026, 6, 1)
BUDGET = 3.0
CREDENTIALS = (
    ("practitioner_license", "OR"), ("bloodborne_pathogens_training", None),
    ("hepatitis_b_vaccination", None), ("first_aid_cpr", None),
    ("continuing_education", None), ("spcp_cpcp", None),
)


def build(clinics: int) -> dict[str, int]:
    """Write the bench data with executemany, one transaction per table."""
    rng = random.Random(7)
    connection = db.connection()
    created = "2026-01-01 00:00:00"
    rows: dict[str, list] = {name: [] for name in (
        "clinic", "practitioner", "affiliation", "credential", "manufacturer",
        "pigment_product", "pigment_lot", "lot_status_change", "client", "procedure",
        "procedure_lot", "adverse_reaction", "inspection")}
    rows["manufacturer"].append((1, "Bench Pigments", created))
    rows["pigment_product"].append((1, 1, "Bench", "Onyx", created))
    practitioner_id = lot_id = client_id = procedure_id = credential_id = 0
    for clinic_id in range(1, clinics + 1):
        rows["clinic"].append((clinic_id, f"Clinic {clinic_id}", "OR", "America/Los_Angeles",
                               "smp", created))
        rows["inspection"].append((clinic_id, clinic_id, "2025-09-01", "routine", created))
        people = []
        for _ in range(5):
            practitioner_id += 1
            people.append(practitioner_id)
            rows["practitioner"].append((practitioner_id, "Pat", f"Artist{practitioner_id}",
                                         created))
            rows["affiliation"].append((practitioner_id, clinic_id, "practitioner",
                                        "2020-01-01"))
            for kind, state in CREDENTIALS:
                credential_id += 1
                issued = date(2025, 9, 1) + timedelta(days=rng.randrange(200))
                rows["credential"].append((
                    credential_id, practitioner_id, kind, "Issuer", state, issued.isoformat(),
                    (issued + timedelta(days=365)).isoformat(), "document_on_file", created))
        lots = []
        for _ in range(30):
            lot_id += 1
            lots.append(lot_id)
            expires = date(2026, 1, 1) + timedelta(days=rng.randrange(900))
            rows["pigment_lot"].append((lot_id, 1, clinic_id, f"L{lot_id}",
                                        expires.isoformat(), "2025-01-01", "in_use", created))
            rows["lot_status_change"].append((lot_id, "received", "2025-01-01", created))
            rows["lot_status_change"].append((lot_id, "in_use", "2025-01-02", created))
        clients = []
        for _ in range(50):
            client_id += 1
            clients.append(client_id)
            born = date(1960, 1, 1) + timedelta(days=rng.randrange(15000))
            rows["client"].append((client_id, clinic_id, f"C{client_id}", born.isoformat(),
                                   created))
        for index in range(200):
            procedure_id += 1
            performed = date(2025, 1, 5) + timedelta(days=rng.randrange(500))
            rows["procedure"].append((
                procedure_id, clinic_id, people[index % 5], clients[index % 50],
                performed.isoformat(), "smp", "scalp", 1, True, False, True, False,
                "completed", created))
            rows["procedure_lot"].append((procedure_id, lots[index % 30]))
        for index in range(2):
            serious = index == 0
            rows["adverse_reaction"].append((
                clinic_id, clients[index], "2026-04-01", "2026-04-02", "Redness.", serious,
                serious, "2026-04-10" if serious else None, created))
    statements = {
        "clinic": "INSERT INTO clinic (id, name, state, timezone, disciplines, created_at) "
                  "VALUES (?, ?, ?, ?, ?, ?)",
        "inspection": "INSERT INTO inspection (id, clinic_id, inspected_on, kind, created_at) "
                      "VALUES (?, ?, ?, ?, ?)",
        "practitioner": "INSERT INTO practitioner (id, first_name, last_name, created_at) "
                        "VALUES (?, ?, ?, ?)",
        "affiliation": "INSERT INTO affiliation (practitioner_id, clinic_id, title, starts_on) "
                       "VALUES (?, ?, ?, ?)",
        "credential": "INSERT INTO credential (id, practitioner_id, kind, issuer, state, "
                      "issued_on, expires_on, verification_state, created_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "manufacturer": "INSERT INTO manufacturer (id, name, created_at) VALUES (?, ?, ?)",
        "pigment_product": "INSERT INTO pigment_product (id, manufacturer_id, brand, name, "
                           "created_at) VALUES (?, ?, ?, ?, ?)",
        "pigment_lot": "INSERT INTO pigment_lot (id, product_id, clinic_id, lot_number, "
                       "expires_on, received_on, status, created_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        "lot_status_change": "INSERT INTO lot_status_change (lot_id, status, effective_on, "
                             "recorded_at) VALUES (?, ?, ?, ?)",
        "client": "INSERT INTO client (id, clinic_id, reference, birth_date, created_at) "
                  "VALUES (?, ?, ?, ?, ?)",
        "procedure": "INSERT INTO procedure (id, clinic_id, practitioner_id, client_id, "
                     "performed_on, discipline, body_area, session_number, consent_on_file, "
                     "parental_consent_on_file, aftercare_given, is_cover_up, status, "
                     "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "procedure_lot": "INSERT INTO procedure_lot (procedure_id, lot_id) VALUES (?, ?)",
        "adverse_reaction": "INSERT INTO adverse_reaction (clinic_id, client_id, event_on, "
                            "aware_on, description, serious, outcome_infection, "
                            "reported_to_fda_on, created_at, patient_age_unit, status, "
                            "outcome_death, outcome_life_threatening, outcome_hospitalization, "
                            "outcome_disability, outcome_congenital_anomaly, "
                            "outcome_disfigurement, outcome_intervention_required, "
                            "outcome_other_serious) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'years', 'open', "
                            "0, 0, 0, 0, 0, 0, 0, 0)",
    }
    for table, statement in statements.items():
        with db.atomic():
            connection.executemany(statement, rows[table])
    with db.atomic():
        # Each credential's dates are its first recorded period, as the service records them.
        connection.execute(
            "INSERT INTO credential_period (credential_id, action, kind, issuer, state, "
            "issued_on, expires_on, verification_state, recorded_at, recorded_by) "
            "SELECT id, 'record', kind, issuer, state, issued_on, expires_on, "
            "verification_state, created_at, 'bench' FROM credential")
    connection.execute("ANALYZE")
    return {table: len(values) for table, values in rows.items()}


def sweep_statements() -> list[tuple[str, list]]:
    """The SQL the sweep runs, captured from one run."""
    with count_queries() as captured:
        compliance.sweep("OR", AS_OF)
    return [record.msg for record in captured.get_queries()]


def raw_fetch(statements) -> int:
    cursor = db.connection().cursor()
    total = 0
    for sql, params in statements:
        total += len(cursor.execute(sql, params).fetchall())
    return total


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clinics", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with migrated_app():
        built_in, counts = timed(lambda: build(args.clinics))
        print(f"built {sum(counts.values()):,} rows in {built_in:.1f} s: "
              + ", ".join(f"{n:,} {t}" for t, n in counts.items() if n > 1))
        statements = sweep_statements()
        raw_total = sweep_total = 0.0
        rows = items = 0
        for _ in range(args.rounds):
            seconds, rows = timed(lambda: raw_fetch(statements))
            raw_total += seconds
            seconds, checklists = timed(lambda: compliance.sweep("OR", AS_OF))
            sweep_total += seconds
            items = sum(len(c.items) for c in checklists)
            del checklists
    print(f"raw fetch ({len(statements)} statements, {rows:,} rows)   "
          f"{raw_total / args.rounds:6.2f} s a round")
    print(f"sweep ({args.clinics:,} clinics, {items:,} checklist items)   "
          f"{sweep_total / args.rounds:6.2f} s a round")
    ratio = sweep_total / raw_total
    verdict = "PASS" if ratio <= BUDGET else "OVER BUDGET"
    print(f"sweep / raw fetch  {ratio:.2f}x  (budget: at most {BUDGET:.1f}x)  {verdict}")


if __name__ == "__main__":
    main()
