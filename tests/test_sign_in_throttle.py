"""The password throttle under a parallel burst, over real HTTP: checks per window stay within
the limit whatever the concurrency, for signing in and for changing a password."""

import threading
import time

import pytest
import requests
from argon2 import PasswordHasher

from registry.services import throttle
from tests.api_world import PASSWORD, build_world
from tests.pages import error_for, page_client
from tests.pages import sign_in as page_sign_in

BURST = 24          # parallel requests; the connection pool holds 32
TIMEOUT = 60
# Production's argon2 takes about 50 ms; the tests' cheapest profile would hide the race.
CHECK_SECONDS = 0.05



@pytest.fixture
def checks(monkeypatch):
    """Every argon2 password verification, counted, each taking as long as in production."""
    calls = []
    lock = threading.Lock()
    verify = PasswordHasher.verify

    def counted(self, stored_hash, password):
        with lock:
            calls.append(password)
        time.sleep(CHECK_SECONDS)
        return verify(self, stored_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    return calls


def csrf_session(base: str) -> requests.Session:
    session = requests.Session()
    token = session.get(f"{base}/api/v1/session", timeout=TIMEOUT).json()["csrf_token"]
    session.headers["X-CSRFToken"] = token
    return session


def burst(base: str, path: str, bodies: list[dict], cookies=None, csrf=None) -> list[int]:
    """Post each body at once from its own thread; the statuses, in the bodies' order."""
    start = threading.Barrier(len(bodies))
    statuses = [None] * len(bodies)

    def post(n):
        with requests.Session() as session:
            session.cookies.update(cookies or {})
            session.headers["X-CSRFToken"] = csrf or ""
            start.wait()
            statuses[n] = session.post(f"{base}{path}", json=bodies[n], timeout=TIMEOUT
                                       ).status_code

    threads = [threading.Thread(target=post, args=(n,)) for n in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * TIMEOUT)
    return statuses


def anonymous_csrf(base: str) -> tuple[dict, str]:
    session = csrf_session(base)
    return session.cookies.get_dict(), session.headers["X-CSRFToken"]


def test_a_burst_of_sign_ins_gets_no_more_password_checks_than_the_limit(app, live_server,
                                                                          checks):
    world = build_world()
    email = world.users["officer_a"].email
    cookies, csrf = anonymous_csrf(live_server)
    guesses = [{"email": email, "password": f"guess {n}"} for n in range(BURST)]
    statuses = burst(live_server, "/api/v1/session", guesses, cookies, csrf)
    assert len(checks) <= throttle.ACCOUNT_FAILURES, statuses
    assert statuses.count(401) <= throttle.ACCOUNT_FAILURES
    assert set(statuses) <= {401, 429}, statuses
    # The right password, ninth in the next burst, is refused like the guesses around it.
    checks.clear()
    guesses[8] = {"email": email, "password": PASSWORD}
    statuses = burst(live_server, "/api/v1/session", guesses, cookies, csrf)
    assert statuses == [429] * BURST
    assert checks == []


def test_a_burst_from_one_address_gets_no_more_checks_than_the_address_limit(
        app, live_server, checks):
    build_world()
    bodies = [{"email": f"nobody{n}@example.test", "password": "guess"}
              for n in range(throttle.ADDRESS_FAILURES + 8)]
    cookies, csrf = anonymous_csrf(live_server)
    statuses = burst(live_server, "/api/v1/session", bodies, cookies, csrf)
    assert len(checks) <= throttle.ADDRESS_FAILURES, statuses
    assert statuses.count(429) >= 8


def test_a_burst_of_password_changes_gets_no_more_checks_than_the_limit(app, live_server,
                                                                        checks):
    world = build_world()
    user = world.users["officer_a"]
    session = csrf_session(live_server)
    assert session.post(f"{live_server}/api/v1/session", timeout=TIMEOUT,
                        json={"email": user.email, "password": PASSWORD}).status_code == 200
    csrf = session.get(f"{live_server}/api/v1/session", timeout=TIMEOUT).json()["csrf_token"]
    checks.clear()
    bodies = [{"current_password": f"guess {n}", "new_password": "another long password"}
              for n in range(BURST)]
    statuses = burst(live_server, "/api/v1/session/password", bodies,
                     session.cookies.get_dict(), csrf)
    assert len(checks) <= throttle.ACCOUNT_FAILURES, statuses
    assert set(statuses) <= {422, 429}, statuses
    right = session.post(f"{live_server}/api/v1/session/password", timeout=TIMEOUT,
                         headers={"X-CSRFToken": csrf},
                         json={"current_password": PASSWORD,
                               "new_password": "another long password"})
    assert right.status_code == 429


def test_wrong_current_passwords_are_throttled_through_the_api(app):
    from tests.api_world import CsrfClient, sign_in

    world = build_world()
    app.test_client_class = CsrfClient
    client = app.test_client()
    sign_in(client, world.users["officer_a"])
    body = {"current_password": "wrong", "new_password": "another long password"}
    answers = [client.post("/api/v1/session/password", json=body).status_code
               for _ in range(throttle.ACCOUNT_FAILURES + 2)]
    assert answers == [422] * throttle.ACCOUNT_FAILURES + [429, 429]
    right = client.post("/api/v1/session/password",
                        json={**body, "current_password": PASSWORD})
    assert right.status_code == 429
    assert "Too many attempts" in right.get_json()["message"]


def test_wrong_current_passwords_are_throttled_on_the_page(app):
    world = build_world()
    client = page_client(app)
    page_sign_in(client, world.users["officer_a"].email)
    body = {"current_password": "wrong", "new_password": "a brand new passphrase"}
    for _ in range(throttle.ACCOUNT_FAILURES):
        assert client.submit("/account/password", body).status_code == 422
    refused = client.submit("/account/password", {**body, "current_password": PASSWORD})
    assert refused.status_code == 429
    assert "Too many attempts" in error_for(refused, "current_password")
