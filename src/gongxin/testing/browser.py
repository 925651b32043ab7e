"""Browser tests: Debian's Chromium (/usr/bin/chromium) driven through Playwright's sync API against
pytest-django's live server, and signing in through the real login form.

No browser is downloaded: a missing Chromium is a failure, not a skip, unless GONGXIN_SKIP_BROWSER=1 says
so explicitly (``make browser`` installs it). A browser test is marked ``browser`` and
``django_db(transaction=True)`` (the live server reads committed rows from another thread).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from gongxin.testing.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser() -> Iterator[Any]:
    """A headless Chromium (a ``playwright.sync_api.Browser``); each test opens its own contexts and pages."""
    if not CHROMIUM.exists():
        if os.environ.get("GONGXIN_SKIP_BROWSER") == "1":
            pytest.skip("GONGXIN_SKIP_BROWSER=1: browser journey skipped")
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium (`make browser`, or "
            "`apt-get install chromium fonts-noto-cjk`), or set GONGXIN_SKIP_BROWSER=1 to skip this test."
        )
    # Playwright's sync API runs an event loop in this thread; Django then refuses ORM calls unless told
    # that this is deliberate (the test is synchronous, the loop only drives the browser).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def log_in(page: Any, base: str, username: str, next_path: str, *, password: str = PASSWORD) -> None:
    """Sign ``username`` in on the login page of the live server at ``base`` and wait for ``next_path``."""
    page.goto(f"{base}{reverse('accounts:login')}?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action*=login] button[type=submit]")
    page.wait_for_url(f"**{next_path}")
