"""Measures the JSON API's throughput against a bare Flask JSON route, on one gunicorn server.

A fresh SQLite database gets the demonstration data (its Oregon clinic has practitioners,
credentials, lots, procedures, reactions and an inspection), plain clinics up to --clinics, an
administrator and a bearer token with the read scope. One gunicorn server (--workers gthread
workers of one thread each; gthread keeps client connections alive) serves the real application,
built by `wsgi_app()` below, which adds one route. Three sides, each sent the same bearer token:

- plain: GET /plain/, the same ten dicts from a separate, empty Flask app mounted in the same
  server process: Flask and JSON alone, no hooks, no database, no authentication;
- bare: GET /bench/bare, the same ten dicts from a route of the registry; it runs no query, but
  the application's before-request hooks run for it (database connection, principal from token);
- list: GET /api/v1/clinics, flask-smorest, the first page at the default page size;
- checklist: GET /api/v1/clinics/<id>/checklist for the Oregon demo clinic, as of today.

Four client threads, each with its own keep-alive connection, hit one side for --seconds; after a
short warm-up of each side the sides take turns (bare, list, checklist, bare, ...) for --rounds,
so that drift on the machine falls on all three alike. The median requests/second per side is
reported. Budget: the list endpoint serves at least 40% of the bare route's rate; its rate
against the plain app is printed beside it.

    .venv/bin/python bench/api_throughput.py [--seconds S] [--rounds R] [--clinics N] [--workers W]
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flask import Flask, jsonify
from registry.serving import wait_until_healthy
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from registry import create_app, demo, schema
from registry.db import db, write_transaction
from registry.models import Clinic
from registry.services import accounts, clinics, tokens
from registry.services.audit import Actor
from registry.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
ACTOR = Actor.system("bench")
CONCURRENCY = 4
WARMUP_SECONDS = 1.0
BUDGET = 0.40
BARE_PATH = "/bench/bare"
PLAIN_PATH = "/plain/"
STATES = ("OR", "CA", "TX", "WA", "NY")


def clinic_fields(n: int) -> dict:
    """The fields of plain clinic number n, as a clinic enters them."""
    return {"name": f"Bench Clinic {n}", "state": STATES[n % len(STATES)], "county": "Bench",
            "city": "Springfield", "address": f"{n} Main St, Springfield",
            "timezone": "America/Los_Angeles", "disciplines": "smp,pmu"}


def wsgi_app():
    """The application from REGISTRY_* variables plus the bare route, with the plain app
    mounted beside it (gunicorn's factory)."""
    app = create_app()
    rows = [{"id": n, **clinic_fields(n)} for n in range(1, 11)]
    app.add_url_rule(BARE_PATH, "bench_bare", lambda: jsonify(rows))
    plain = Flask("plain")
    plain.add_url_rule("/", "plain", lambda: jsonify(rows))
    return DispatcherMiddleware(app, {PLAIN_PATH.rstrip("/"): plain})


def settings_environ(folder: Path) -> dict[str, str]:
    """The REGISTRY_* variables both this process and the server read their settings from."""
    return {
        "REGISTRY_ENV": "testing",
        "REGISTRY_INSTANCE_PATH": str(folder / "instance"),
        "REGISTRY_DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "REGISTRY_SECRET_KEY": "b" * 40,
        "REGISTRY_AUDIT_KEY": "a" * 40,
    }


def prepare(environ: dict[str, str], count: int) -> tuple[str, int]:
    """Migrate and load the database; (bearer token, id of the checklist clinic)."""
    app = create_app(load_settings(environ=environ))
    with app.app_context():
        db.connect()
        schema.upgrade()
        demo.load()
        with write_transaction():
            for n in range(Clinic.select().count() + 1, count + 1):
                clinics.create_clinic(clinic_fields(n), ACTOR)
        admin = accounts.create_user({"email": "bench@example.test",
                                      "display_name": "Bench"}, ACTOR)
        accounts.grant_role({"user_id": admin.id, "role": "administrator"}, ACTOR)
        token, _row = tokens.issue(admin, "throughput bench", ["read"], ACTOR)
        clinic_id = Clinic.get(Clinic.name == demo.CLINICS[0]["name"]).id
        db.close()
    return token, clinic_id


def free_port() -> int:
    """A localhost port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(environ: dict[str, str], workers: int, port: int) -> subprocess.Popen:
    """gunicorn serving wsgi_app() on the port, once /healthz answers."""
    command = [
        sys.executable, "-m", "gunicorn", "bench.api_throughput:wsgi_app()",
        "--chdir", str(ROOT), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--worker-class", "gthread", "--threads", "1", "--log-level", "warning",
    ]
    process = subprocess.Popen(command, env={**os.environ, **environ})  # noqa: S603
    if not wait_until_healthy(f"http://127.0.0.1:{port}/healthz", process, 60):
        process.terminate()
        process.wait()
        raise RuntimeError("gunicorn did not become healthy")
    return process


def fetch(connection: http.client.HTTPConnection, path: str, headers: dict) -> bytes:
    """One GET on a kept-alive connection; the body, or an error unless 200."""
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status}: {body[:200]!r}")
    return body


def hammer(port: int, path: str, headers: dict, deadline: float) -> int:
    """GETs on one connection until the deadline; how many were answered."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    done = 0
    while time.perf_counter() < deadline:
        fetch(connection, path, headers)
        done += 1
    connection.close()
    return done


def rate(port: int, path: str, headers: dict, seconds: float) -> float:
    """Requests a second that CONCURRENCY clients get from the path over `seconds`."""
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        start = time.perf_counter()
        futures = [pool.submit(hammer, port, path, headers, start + seconds)
                   for _ in range(CONCURRENCY)]
        done = sum(future.result() for future in futures)
        return done / (time.perf_counter() - start)


def describe(port: int, paths: dict[str, str], headers: dict) -> None:
    """One answer from each side: its size, and the list's page against the total."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    for side, path in paths.items():
        body = fetch(connection, path, headers)
        print(f"  {side:<10} GET {path}  {len(body):,} bytes")
    connection.request("GET", paths["list"], headers=headers)
    response = connection.getresponse()
    page = json.loads(response.read())
    total = json.loads(response.getheader("X-Pagination"))["total"]
    print(f"  list page: {len(page)} of {total} clinics")
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clinics", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="registry-bench-") as folder:
        environ = settings_environ(Path(folder))
        token, clinic_id = prepare(environ, args.clinics)
        paths = {"plain": PLAIN_PATH, "bare": BARE_PATH, "list": "/api/v1/clinics",
                 "checklist": f"/api/v1/clinics/{clinic_id}/checklist"}
        headers = {"Authorization": f"Bearer {token}"}
        port = free_port()
        process = start_server(environ, args.workers, port)
        try:
            print(f"gunicorn: {args.workers} gthread workers x 1 thread; {CONCURRENCY} "
                  f"keep-alive clients; {args.rounds} rounds of {args.seconds:g} s a side")
            describe(port, paths, headers)
            for path in paths.values():
                rate(port, path, headers, WARMUP_SECONDS)
            rates: dict[str, list[float]] = {side: [] for side in paths}
            for _ in range(args.rounds):
                for side, path in paths.items():
                    rates[side].append(rate(port, path, headers, args.seconds))
        finally:
            process.terminate()
            process.wait()
    medians = {side: statistics.median(values) for side, values in rates.items()}
    for side, values in rates.items():
        rounds = " ".join(f"{value:,.0f}" for value in values)
        print(f"  {side:<10} {medians[side]:>8,.0f} req/s median   (rounds: {rounds})")
    list_ratio = medians["list"] / medians["bare"]
    print(f"  bare / plain       {medians['bare'] / medians['plain']:6.1%}")
    print(f"  list / plain       {medians['list'] / medians['plain']:6.1%}")
    print(f"  checklist / bare   {medians['checklist'] / medians['bare']:6.1%}")
    verdict = "PASS" if list_ratio >= BUDGET else "UNDER BUDGET"
    print(f"  list / bare        {list_ratio:6.1%}  (budget: at least {BUDGET:.0%})  {verdict}")
    sys.exit(0 if list_ratio >= BUDGET else 1)


if __name__ == "__main__":
    main()
