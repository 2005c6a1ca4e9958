"""Browser fixtures: Debian's Chromium driven by Playwright, against `live_server` (the app
served by uvicorn in a thread, from tests/conftest.py). The server uses the same database as the rest of the suite (the session-wide
`database` fixture sets DATABASE_URL first); rows are emptied after every test, so each test
makes its own data."""

from __future__ import annotations

import os
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
