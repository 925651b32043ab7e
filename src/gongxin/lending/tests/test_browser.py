"""In a real browser: a firm's agent authorizes a lender on /lending/, the lender pulls, the agent sees the
pull and revokes; staff enter a contribution on the fund page. Screenshots go to GONGXIN_SCREENSHOTS if set.

Uses the Chromium set-up of the commitments journey (its ``browser`` fixture and sign-in helper)."""

from __future__ import annotations

import os

import pytest
from django.db import connections

from gongxin.access.models import Consent
from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.lending.models import FundEntry
from gongxin.lending.tests.conftest import api
from gongxin.testing.browser import log_in
from gongxin.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    folder = os.environ.get("GONGXIN_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"lending-{name}.png"), full_page=True)


def test_firm_authorizes_sees_the_pull_and_revokes(live_server, browser, firm, bank):
    _lender, key = bank
    User.objects.create_user(username="lending-agent", password=PASSWORD, role=Role.ORG_AGENT, subject=firm)
    User.objects.create_user(username="lending-staff", password=PASSWORD, role=Role.STAFF)
    context = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-hans"})
    page = context.new_page()
    log_in(page, live_server.url, "lending-agent", "/lending/")
    page.locator('[data-lender="nbbank"] button[type=submit]').click()
    page.wait_for_url("**/lending/")
    assert page.locator('[data-lender="nbbank"] [data-authorized]').is_visible()
    assert api(key).get(f"/api/v1/lending/profiles/{firm.organization.uscc}").json()["authorized"] is True
    page.reload()
    assert "宁波银行" in page.locator("[data-pulls]").inner_text()
    _shot(page, "firm")
    page.locator('[data-state="active"] button[type=submit]').click()
    page.wait_for_url("**/lending/")
    assert Consent.objects.get().revoked_at is not None
    context.close()

    staff = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-hans"})
    desk = staff.new_page()
    log_in(desk, live_server.url, "lending-staff", "/lending/fund/")
    desk.fill("input[name=amount_yuan]", "2000000")
    desk.fill("input[name=note]", "市财政注资")
    desk.locator("form.form button[type=submit]").click()
    desk.wait_for_url("**/lending/fund/")
    assert desk.locator('[data-tile="balance"] .tile-value').inner_text() == "200"  # 万元
    assert desk.locator("[data-balance-after]").inner_text().replace(",", "") == "2000000.00"
    assert FundEntry.objects.count() == 1
    _shot(desk, "fund")
    desk.goto(f"{live_server.url}/lending/statistics/")
    assert "信易贷统计" in desk.content()
    _shot(desk, "statistics")
    staff.close()
    connections.close_all()  # the live server's threads leave connections that block the test database's teardown
