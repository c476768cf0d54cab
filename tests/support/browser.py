"""Debian's chromium driven by Playwright (never a downloaded browser), as a pytest fixture."""

from __future__ import annotations

import gc

import pytest
from django.db.backends.base.base import BaseDatabaseWrapper
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture
def browser(monkeypatch):
    """A headless chromium for one test. Use it with pytest-django's live_server."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()
    # While Playwright runs, ORM calls may open connections in a context of their own that
    # pytest-django never sees, and the test database could not be dropped: close them all
    # (the next query reconnects).
    for wrapper in [obj for obj in gc.get_objects() if isinstance(obj, BaseDatabaseWrapper)]:
        if wrapper.connection is not None:
            wrapper.close()


def log_in(page, base_url: str, path: str, username: str, password: str) -> None:
    """Open `path`, which sends us to the admin login, log in and land back on `path`."""
    page.goto(f"{base_url}{path}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base_url}{path}")
