"""Browser tests: the registry served on an ephemeral port, driven by Debian's Chromium through
Playwright."""

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser")
# CI sets this so that a missing browser fails the run instead of skipping.
BROWSER_REQUIRED = os.environ.get("REGISTRY_TEST_BROWSER") == "required"


def chromium_path() -> str | None:
    configured = os.environ.get("REGISTRY_TEST_CHROMIUM")
    if configured:
        return configured
    return next((found for name in CHROMIUM_CANDIDATES if (found := shutil.which(name))), None)


# Module scope, not session: Playwright's synchronous API keeps an asyncio loop running in the
# main thread while it is open, which other tests' asyncio.run() (signing, SMTP) cannot share.
@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        executable = None
    if executable is None:
        if BROWSER_REQUIRED:
            pytest.fail("Chromium and Playwright are required for the browser tests")
        pytest.skip("Chromium or Playwright is not installed")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield launched
        launched.close()


@pytest.fixture
def live_server(app):
    """The test's application on 127.0.0.1 at a port the system picks; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def new_page(browser, request):
    """Pages in fresh browser contexts (one per user), closed after the test."""
    contexts = []

    def make(**options):
        context = browser.new_context(accept_downloads=True, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()

