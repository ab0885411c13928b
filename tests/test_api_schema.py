"""Every operation in the OpenAPI document, fuzzed in-process: no 5xx, answers as documented."""

import os

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from registry.auth.principal import cookie_name
from tests.api_world import build_world, client_for

EXAMPLES = int(os.environ.get("REGISTRY_FUZZ_EXAMPLES", "15"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# Derandomized so that every run tries the same requests; generation speed is the machine's.
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])


def credentials(app: Flask, caller: str) -> dict:
    """What every request sends: the administrator's bearer token, or the cookies of clinic
    A's officer signed in, with the CSRF token that cookie-authenticated changes need."""
    world = build_world()
    if caller == "admin":
        return {"headers": {"Authorization": f"Bearer {world.admin_token}"}}
    client = client_for(app, world, caller)
    csrf_token = client.get("/api/v1/session").get_json()["csrf_token"]
    names = (cookie_name(), app.config["SESSION_COOKIE_NAME"])
    cookies = {name: client.get_cookie(name).value for name in names}
    return {"headers": {"X-CSRFToken": csrf_token}, "cookies": cookies}


@pytest.mark.parametrize("caller", ["admin", "officer_a"])
def test_api_answers_as_documented(app: Flask, caller: str, subtests):
    sent = credentials(app, caller)
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    api.config.generation.update(with_security_parameters=False)  # the caller's own are sent
    for result in api.get_all_operations():
        operation = result.ok()
        # Signing out ends the cookie session that every later request relies on; the
        # bearer-token run covers it.
        if caller != "admin" and operation.label == "DELETE /api/v1/session":
            continue

        @FUZZ
        @given(case=operation.as_strategy())
        def answers_as_documented(case):
            # A fresh g for each request, and each response read and closed, as in production.
            with app.app_context():
                case.call_and_validate(checks=CHECKS, buffered=True, **sent)

        with subtests.test(msg=operation.label):
            answers_as_documented()
