"""Signing a commitment in a real browser: the organization's agent signs in, chooses the matter and the
receiving department, reads the eligibility and the full text, signs; the commitment page shows it signed
with a valid platform signature; the department's operator finds it in the verification queue.

Same Chromium set-up as tests/browser/test_journey.py; its ``browser`` fixture is repeated here because the
top-level ``tests`` package is not importable when this app's tests run alone.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connections
from django.urls import reverse

from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.catalog.seed import catalog_seed
from gongxin.commitments.models import Commitment
from gongxin.commitments.seed import commitments_seed
from gongxin.portal.tests import factories
from gongxin.records.seed import list_types_seed

# Playwright's sync API runs an event loop in this thread; the test itself is synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "journey-password-1"


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("GONGXIN_SKIP_BROWSER") == "1":
            pytest.skip("GONGXIN_SKIP_BROWSER=1: browser journey skipped")
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium, or set GONGXIN_SKIP_BROWSER=1.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def _log_in(page, base: str, username: str, next_path: str) -> None:
    page.goto(f"{base}{reverse('accounts:login')}?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action*=login] button[type=submit]")
    page.wait_for_url(f"**{next_path}")


def test_sign_a_commitment_in_the_browser(live_server, browser, tmp_path):
    # Idempotent seeds: an earlier transactional test's flush may have emptied them.
    catalog_seed()
    list_types_seed()
    commitments_seed()
    unit = factories.source_unit_create()
    acme = factories.organization_create(name="宁波市江北区承诺旅程演示有限公司")
    User.objects.create_user(username="acme-agent", password=PASSWORD, role=Role.ORG_AGENT, subject=acme)
    User.objects.create_user(username="unit-operator", password=PASSWORD, role=Role.OPERATOR,
                             department=unit.department)

    subject_page = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    operator_page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    try:
        _log_in(subject_page, live_server.url, "acme-agent", reverse("commitments:mine"))
        assert subject_page.locator("h1").inner_text() == "我的承诺"
        subject_page.click('[data-nav="commitment-sign"]')
        subject_page.wait_for_url("**/commitments/sign/")
        subject_page.select_option("select[name=type]", "certification_notice")
        subject_page.select_option("select[name=department]", unit.department.code)
        subject_page.fill("input[name=matter_code]", "FOOD-LICENCE-NEW")
        subject_page.fill("input[name=matter_name]", "食品经营许可（新办）")
        subject_page.click("[data-matter-form] button[type=submit]")
        subject_page.wait_for_selector("[data-sign-form]")
        assert subject_page.locator("[data-eligible]").get_attribute("data-eligible") == "true"
        text = subject_page.locator("[data-commitment-text]").inner_text()
        assert acme.name in text and "食品经营许可（新办）" in text and "郑重承诺" in text
        subject_page.check("input[name=publish]")
        subject_page.check("input[name=accepted]")
        subject_page.fill("input[name=signer_name]", "王五")
        subject_page.screenshot(path=str(tmp_path / "sign.png"), full_page=True)
        subject_page.click("[data-sign-form] button[type=submit]")
        subject_page.wait_for_url("**/commitments/*/")
        assert subject_page.locator("[data-status]").first.get_attribute("data-status") == "signed"
        assert subject_page.locator("[data-signature-valid]").get_attribute("data-signature-valid") == "true"
        assert subject_page.locator("[data-commitment-text]").inner_text() == text

        _log_in(operator_page, live_server.url, "unit-operator", reverse("commitments:workbench"))
        row = operator_page.locator("tr[data-commitment]").first
        assert acme.name in row.inner_text()
        row.locator("[data-open]").click()
        operator_page.wait_for_url("**/commitments/workbench/*/")
        assert operator_page.locator("[data-verify-form]").count() == 1
    finally:
        subject_page.context.close()
        operator_page.context.close()
        connections.close_all()
    commitment = Commitment.objects.get()
    assert commitment.text == text and commitment.signer_name == "王五" and commitment.is_public
