"""`make run`: upgrade, load the demo once, serve under gunicorn, keep data across restarts."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REGISTRY = str(Path(sys.executable).with_name("registry"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def environment(tmp_path):
    return {**os.environ, "REGISTRY_INSTANCE_PATH": str(tmp_path / "instance"),
            "REGISTRY_DATABASE_URL": "", "REGISTRY_ENV": "development"}


def run(environment, *args) -> str:
    result = subprocess.run([REGISTRY, *args], env=environment, capture_output=True, text=True,
                            timeout=120, check=True)
    return result.stdout


def get(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local server
        return response.status, response.read().decode()


def serve_until_ready(environment, port):
    process = subprocess.Popen([REGISTRY, "serve", "--port", str(port), "--workers", "1"],
                               env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    lines, deadline = [], time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if line.startswith("ready:"):
            for _ in range(5):
                lines.append(process.stdout.readline())
            return process, "".join(lines)
    process.kill()
    process.wait()
    process.stdout.close()
    raise AssertionError("the service never printed ready: " + "".join(lines))


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        assert process.wait(timeout=30) == 0
    finally:
        process.stdout.close()


def start(environment):
    run(environment, "db", "upgrade")
    loaded = run(environment, "demo", "load", "--if-empty")
    port = free_port()
    process, banner = serve_until_ready(environment, port)
    return process, banner, loaded, f"http://127.0.0.1:{port}"


def test_run_serves_demo_data_and_keeps_it_across_restarts(environment):
    process, banner, loaded, base = start(environment)
    try:
        assert "demo data loaded" in loaded
        assert f"ready: {base}" in banner
        assert "officer@demo.pigment-registry.test" in banner
        status, body = get(base + "/healthz")
        assert status == 200 and json.loads(body)["status"] == "ok"
        assert "<dt>Clinics</dt><dd>3</dd>" in get(base + "/")[1]
    finally:
        stop(process)

    process, _banner, loaded, base = start(environment)
    try:
        assert "demo not loaded" in loaded
        assert "<dt>Clinics</dt><dd>3</dd>" in get(base + "/")[1]
        assert "4 chains checked, 0 broken" in run(environment, "audit", "verify")
    finally:
        stop(process)
