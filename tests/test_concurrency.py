"""Reads of a clinic while lots are received and procedures recorded, over real HTTP."""

import logging
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import count

import pytest
import requests

from registry.db import db
from registry.services import tokens
from tests.api_world import PASSWORD, build_world
from tests.factories import ACTOR, make_clinic, make_lot, make_practitioner

SECONDS = float(os.environ.get("REGISTRY_TEST_CONCURRENCY_SECONDS", "30"))
# One writer never races itself; several also race the procedure's own credential check.
WRITERS = int(os.environ.get("REGISTRY_TEST_CONCURRENCY_WRITERS", "1"))
TIMEOUT = 60


@dataclass
class Tally:
    """What every thread saw: responses by (what, status), 5xx bodies, client-side failures."""

    responses: Counter = field(default_factory=Counter)
    server_errors: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, what: str, response: requests.Response) -> None:
        with self.lock:
            self.responses[what, response.status_code] += 1
            if response.status_code >= 500:
                self.server_errors.append((what, response.status_code, response.text[:300]))

    def count(self, what: str, low: int = 0, high: int = 999) -> int:
        return sum(n for (name, status), n in self.responses.items()
                   if name == what and low <= status <= high)


class Collected(logging.Handler):
    """Every record at ERROR or above, from any thread."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)



@pytest.fixture
def errors_logged(app):
    handler = Collected()
    targets = [logging.getLogger()] + ([] if app.logger.propagate else [app.logger])
    werkzeug = logging.getLogger("werkzeug")
    level = werkzeug.level
    werkzeug.setLevel(logging.WARNING)   # one line per request would drown a failure's report
    for logger in targets:
        logger.addHandler(handler)
    yield handler.records
    for logger in targets:
        logger.removeHandler(handler)
    werkzeug.setLevel(level)


def signed_in(base: str, email: str) -> requests.Session:
    """A browser-like session signed in through the API (its cookie serves pages too)."""
    session = requests.Session()
    csrf = session.get(f"{base}/api/v1/session", timeout=TIMEOUT).json()["csrf_token"]
    response = session.post(f"{base}/api/v1/session", json={"email": email, "password": PASSWORD},
                            headers={"X-CSRFToken": csrf}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return session


def with_token(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def test_reads_stay_whole_while_lots_and_procedures_are_written(app, live_server,
                                                                errors_logged):
    world = build_world()
    clinic, ids = world.clinic_a, world.ids
    for _ in range(3):   # neighbours in the same state, so the worklist sweeps several clinics
        neighbour = make_clinic(state=clinic.state)
        make_practitioner(neighbour)
        make_lot(neighbour)
    officer, inspector = world.users["officer_a"], world.users["inspector_a"]
    writer_token, _row = tokens.issue(officer, "lot intake", ["read", "write"], ACTOR)
    reader_token, _row = tokens.issue(inspector, "worklist", ["read"], ACTOR)

    base, cid = live_server, clinic.id
    readers = {
        "officer checklist": (signed_in(base, officer.email),
                              [f"/api/v1/clinics/{cid}/checklist", f"/clinics/{cid}/checklist"]),
        "officer dashboard": (signed_in(base, officer.email), [f"/clinics/{cid}/"]),
        "inspector pages": (signed_in(base, inspector.email),
                            ["/inspect/", f"/inspect/clinics/{cid}"]),
        "inspector api": (with_token(reader_token),
                          [f"/api/v1/clinics?state={clinic.state}",
                           f"/api/v1/clinics/{cid}/checklist"]),
    }
    tally, deadline = Tally(), time.monotonic() + SECONDS
    serial = count(1)

    def guarded(work):
        def run():
            try:
                work()
            except Exception as exc:  # a dropped connection or timeout is a failure too
                with tally.lock:
                    tally.failures.append(f"{threading.current_thread().name}: {exc!r}")
        return run

    def write():
        with with_token(writer_token) as writer:
            while time.monotonic() < deadline:
                write_once(writer)

    def write_once(writer):
        received = writer.post(f"{base}/api/v1/lots", json={
            "product_id": ids["pigment_id"], "clinic_id": cid,
            "lot_number": f"RUSH-{next(serial)}", "received_on": "2025-01-01",
            "expires_on": "2029-01-01"}, timeout=TIMEOUT)
        tally.add("POST lot", received)
        if received.status_code == 201:
            tally.add("POST procedure", writer.post(f"{base}/api/v1/procedures", json={
                "clinic_id": cid, "practitioner_id": ids["practitioner_id"],
                "client_id": ids["client_id"], "performed_on": "2025-06-01",
                "body_area": "scalp", "lot_ids": [received.json()["id"]]}, timeout=TIMEOUT))

    def read(session, paths):
        while time.monotonic() < deadline:
            for path in paths:
                tally.add(f"GET {path}", session.get(f"{base}{path}", timeout=TIMEOUT))

    threads = [threading.Thread(target=guarded(write), name=f"writer {n}")
               for n in range(WRITERS)]
    threads += [threading.Thread(target=guarded(lambda s=session, p=paths: read(s, p)),
                                 name=name)
                for name, (session, paths) in readers.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 5 * TIMEOUT)
    for session, _paths in readers.values():
        session.close()

    print(f"\n[{db.obj.__class__.__name__}, {SECONDS:g} s, {WRITERS} writer(s)]")
    for (what, status), n in sorted(tally.responses.items()):
        print(f"  {what}: {status} x {n}")
    tracebacks = [logging.Formatter().format(record) for record in errors_logged]
    for text in tracebacks:
        print(text)
    assert not any(thread.is_alive() for thread in threads)
    assert tally.failures == []
    assert tally.server_errors == [], tally.server_errors[:5]
    assert tracebacks == [], "\n\n".join(tracebacks[:3])
    # Enough happened for the absence of errors to mean something.
    least = max(3, int(SECONDS / 3))
    assert tally.count("POST lot", 201, 201) >= least
    assert tally.count("POST lot", 300, 599) == 0
    assert tally.count("POST procedure", 201, 201) >= least
    assert tally.count("POST procedure", 400, 499) == tally.count("POST procedure", 422, 422)
    for _session, paths in readers.values():
        for path in paths:
            assert tally.count(f"GET {path}", 200, 200) >= least, path
            assert tally.count(f"GET {path}", 300, 599) == 0, path
