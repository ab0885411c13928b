"""Measures roster imports: speed against raw executemany, unchanged re-imports, peak memory.

Three figures, each a ratio of two runs made by this one invocation:

1. import / executemany: `registry import`'s pipeline (CSV parse, mapping, normalisation,
   digest, marshmallow validation of every new row, chunked upsert) against the same CSV rows
   read with `csv.reader` and written with one `executemany` per chunk of the same size, in the
   same number of transactions, into an identical fresh database. Budget: at most 3x.
2. unchanged re-import / first import: the same file again; every row is compared by digest
   and nothing is written. Budget: at most 0.3x.
3. peak memory at 1,000,000 rows / at 100,000 rows: each import runs in a fresh child process
   and reports its peak resident set size (ru_maxrss). Budget: at most 1.5x. The growth over
   the child's resident size before the import is printed too.

The roster is the bloodborne-pathogens training roster (bbp-training), on SQLite in WAL mode
with synchronous=FULL, as the registry runs it.

    .venv/bin/python bench/import_roster.py [--rows 100000] [--memory-rows 1000000]
"""

import argparse
import csv
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scratch import scratch_app

HEADER = ("certificate_number", "first_name", "last_name", "course", "completed_on",
          "expires_on", "status")
CHUNK = 1000
BUDGETS = {"speed": 3.0, "unchanged": 0.3, "memory": 1.5}


def write_roster(path: Path, rows: int) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(1, rows + 1):
            writer.writerow((f"BBP-{n:07d}", "Ann", f"Lee{n}", "OSHA bloodborne pathogens",
                             f"{1 + n % 12:02d}/{1 + n % 28:02d}/2025",
                             f"{1 + n % 12:02d}/{1 + n % 28:02d}/2027", "Completed"))
    return path


def make_app(folder: Path, database: Path):
    return scratch_app(folder, database, import_chunk_size=CHUNK)


def migrated(folder: Path) -> Path:
    """A migrated empty database, to be copied for each measured run."""
    from registry import schema
    from registry.db import db

    template = folder / "template.sqlite3"
    app = make_app(folder, template)
    with app.app_context(), db.connection_context():
        schema.upgrade()
    db.obj.close_all()
    return template


def fresh(template: Path, name: str) -> Path:
    path = template.with_name(name)
    shutil.copyfile(template, path)
    return path


def timed_import(app, roster: Path) -> tuple[float, dict]:
    from importers import pipeline, sources
    from registry.db import db

    with app.app_context(), db.connection_context():
        source = sources.available(app.config["REGISTRY_SETTINGS"])["bbp-training"]
        started = time.perf_counter()
        outcome = pipeline.run(source, file=roster)
        elapsed = time.perf_counter() - started
    assert outcome.status == "succeeded", outcome.message
    return elapsed, outcome.counts


def timed_executemany(app, roster: Path) -> float:
    """The same rows, as read, straight into roster_entry with executemany per chunk."""
    from registry.clock import utcnow
    from registry.db import db

    statement = ("INSERT INTO roster_entry (roster, key, number, name, credential_type, status, "
                 "status_text, active, issued_on, expires_on, digest, raw, run_id, updated_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    with app.app_context(), db.connection_context():
        started = time.perf_counter()
        now = utcnow().isoformat(" ")
        with open(roster, newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            chunk = []
            for row in reader:
                chunk.append(("bbp-training", row[0], row[0], f"{row[1]} {row[2]}", row[3],
                              "active", row[6], True, row[4], row[5], "0" * 32,
                              json.dumps(dict(zip(header, row, strict=True))), None, now))
                if len(chunk) == CHUNK:
                    with db.atomic("IMMEDIATE"):
                        db.cursor().executemany(statement, chunk)
                    chunk = []
            if chunk:
                with db.atomic("IMMEDIATE"):
                    db.cursor().executemany(statement, chunk)
        return time.perf_counter() - started


def child_peak(rows: int) -> tuple[int, int]:
    """(peak RSS, RSS before the import) in KiB of a fresh process importing `rows` rows."""
    result = subprocess.run([sys.executable, __file__, "--child", str(rows)],  # noqa: S603
                            capture_output=True, text=True, check=True)
    peak, before = result.stdout.split()
    return int(peak), int(before)


def child(rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        roster = write_roster(folder / "roster.csv", rows)
        app = make_app(folder, fresh(migrated(folder), "child.sqlite3"))
        before = _rss_now()
        elapsed, counts = timed_import(app, roster)
        assert counts["created"] == rows
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, before)


def _rss_now() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--memory-rows", type=int, default=1_000_000)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        roster = write_roster(folder / "roster.csv", args.rows)
        template = migrated(folder)
        # A warm-up of each path on a small file, so imports and caches are in place.
        small = write_roster(folder / "small.csv", 2_000)
        timed_import(make_app(folder, fresh(template, "warm-a.sqlite3")), small)
        timed_executemany(make_app(folder, fresh(template, "warm-b.sqlite3")), small)

        raw = timed_executemany(make_app(folder, fresh(template, "raw.sqlite3")), roster)
        app = make_app(folder, fresh(template, "import.sqlite3"))
        first, counts = timed_import(app, roster)
        assert counts["created"] == args.rows, counts
        again, counts = timed_import(app, roster)
        assert counts["unchanged"] == args.rows and counts["created"] == 0, counts

    small_peak, small_before = child_peak(args.rows)
    large_peak, large_before = child_peak(args.memory_rows)

    speed, unchanged = first / raw, again / first
    memory = large_peak / small_peak
    growth = (large_peak - large_before) / max(1, small_peak - small_before)
    print(f"roster rows: {args.rows:,} (memory: {args.memory_rows:,} against {args.rows:,})")
    print(f"raw executemany:      {raw:8.2f} s")
    print(f"import:               {first:8.2f} s   {speed:5.2f}x executemany "
          f"(budget {BUDGETS['speed']}x) {'met' if speed <= BUDGETS['speed'] else 'NOT met'}")
    print(f"unchanged re-import:  {again:8.2f} s   {unchanged:5.2f}x first import "
          f"(budget {BUDGETS['unchanged']}x) "
          f"{'met' if unchanged <= BUDGETS['unchanged'] else 'NOT met'}")
    print(f"peak RSS:  {small_peak / 1024:7.1f} MiB at {args.rows:,}, "
          f"{large_peak / 1024:7.1f} MiB at {args.memory_rows:,}: {memory:5.2f}x "
          f"(budget {BUDGETS['memory']}x) {'met' if memory <= BUDGETS['memory'] else 'NOT met'}")
    print(f"growth over the resident size before importing: "
          f"{(small_peak - small_before) / 1024:.1f} MiB and "
          f"{(large_peak - large_before) / 1024:.1f} MiB ({growth:.2f}x)")


if __name__ == "__main__":
    main()
