"""Roster rows as imported: looked up and written a chunk at a time, in plain SQL.

Roster rows are public reference data, not a clinic's records: each import run is their
record (counts, rejected rows), so they are not audited row by row; what they change about a
credential is recorded through practitioners.record_verification, which is.
"""

from registry.db import db, is_postgresql
from registry.models import RosterEntry

COLUMNS = ("roster", "key", "number", "name", "credential_type", "status", "status_text", "active",
           "issued_on", "expires_on", "digest", "raw", "run_id", "updated_at")


def existing(roster: str, keys: list[str]) -> dict:
    """key → (id, digest, run id) of the rows already held, in one plain query."""
    marks = ", ".join([db.param] * len(keys))
    cursor = db.execute_sql(
        f"SELECT key, id, digest, run_id FROM {RosterEntry._meta.table_name} "
        f"WHERE roster = {db.param} AND key IN ({marks})", [roster, *keys])
    return {key: (pk, digest, run) for key, pk, digest, run in cursor.fetchall()}


def write(inserts: list[tuple], updates: list[tuple]) -> None:
    """Write a chunk's rows with one statement each way (SQLite executemany, PostgreSQL
    execute_values): peewee's query builder cost more than the writes at this volume."""
    cursor = db.cursor()
    table = RosterEntry._meta.table_name
    assignments = ", ".join(f"{c} = %s" for c in COLUMNS[2:])
    if is_postgresql():
        from psycopg2.extras import execute_values

        if inserts:
            execute_values(cursor, f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES %s",
                           inserts, page_size=len(inserts))
        if updates:
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", updates)
        return
    marks = ", ".join("?" * len(COLUMNS))
    if inserts:
        cursor.executemany(f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({marks})",
                           inserts)
    if updates:
        cursor.executemany(
            f"UPDATE {table} SET {assignments.replace('%s', '?')} WHERE id = ?", updates)
