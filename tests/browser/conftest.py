"""Browser fixtures: the app served by uvicorn in a thread, and Debian's Chromium driven by
Playwright. The server uses the same database as the rest of the suite (the session-wide
`database` fixture sets DATABASE_URL first); rows are emptied after every test, so each test
makes its own data."""

from __future__ import annotations

import os
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
HERE = Path(__file__).resolve().parent
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    """Every test in this folder drives a browser: mark it so `-m "not browser"` skips it."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _wait_until_up(base_url: str, thread: threading.Thread, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the test server stopped while starting (see the log above)")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the test server did not answer {base_url}/healthz in {seconds:.0f} s")


@pytest.fixture(scope="session")
def live_server(database) -> Iterator[str]:
    """The app on a free local port; yields its base URL."""
    import uvicorn

    from app.main import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port,
                                           log_level="warning"))
    # Handing uvicorn the bound socket leaves no gap in which another process takes the port.
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name="fieldbench-live-server")
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url, thread)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's, never a downloaded one)."""
    if not CHROMIUM.exists():
        message = f"Chromium not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}: CI must run the browser tests", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking"])
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) and page per test, pointed at the live server."""
    context = browser.new_context(base_url=live_server, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def log_in(page):
    """Sign in through the real form: log_in('coder@example.org')."""
    def sign_in(email: str, password: str = PASSWORD) -> None:
        page.goto("/login")
        page.get_by_label("E-mail", exact=True).fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        assert "/login" not in page.url, f"signing in as {email} failed"
    return sign_in
