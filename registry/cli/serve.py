"""`registry serve`: the service under gunicorn, announced once it is healthy."""

import os
import signal
import subprocess
import sys
import time
import urllib.request

import click
from flask.cli import with_appcontext

from registry import demo
from registry.db import connection

READY_TIMEOUT_SECONDS = 60


def wait_until_healthy(url: str, process: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - local URL
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def run(host: str, port: int, workers: int) -> int:
    """Start gunicorn, wait for /healthz, print the sign-ins; return gunicorn's exit code."""
    base = f"http://{host}:{port}"
    command = [
        sys.executable, "-m", "gunicorn", "wsgi:app",
        "--bind", f"{host}:{port}", "--workers", str(workers),
        "--worker-class", "gthread", "--threads", "4", "--timeout", "120",
        "--access-logfile", "-",
    ]
    process = subprocess.Popen(command, env=os.environ.copy())  # noqa: S603
    # Stopping this command stops gunicorn with it, never leaving it orphaned.
    signal.signal(signal.SIGTERM, lambda *_: process.terminate())
    try:
        if not wait_until_healthy(base + "/healthz", process, READY_TIMEOUT_SECONDS):
            print(f"the service did not become healthy at {base}/healthz", file=sys.stderr)
            process.terminate()
            return process.wait() or 1
        with connection():
            logins = demo.login_lines()
        print(f"\nready: {base}")
        if logins:
            print("demo sign-ins (role, email / password):")
        for line in logins:
            print(line)
        sys.stdout.flush()
        return process.wait()
    except KeyboardInterrupt:
        process.send_signal(signal.SIGTERM)
        return process.wait()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@with_appcontext
def serve(host, port, workers):
    """Serve with gunicorn; print "ready" once /healthz answers."""
    sys.exit(run(host, port, workers))
