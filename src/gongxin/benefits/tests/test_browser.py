"""In a real browser: a person opens My benefits in Chinese, reads why they qualify or not, authorizes the
library to check them; staff open the benefit statistics. Screenshots go to GONGXIN_SCREENSHOTS if set.

Uses the Chromium set-up of the commitments journey (its ``browser`` fixture and sign-in helper)."""

from __future__ import annotations

import os

import pytest
from django.db import connections

from gongxin.access.models import Consent
from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.testing.browser import log_in
from gongxin.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    folder = os.environ.get("GONGXIN_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"benefits-{name}.png"), full_page=True)


def test_person_reads_benefits_and_authorizes_the_library(live_server, browser, scenario, person,
                                                          library_key):
    User.objects.create_user(username="benefit-person", password=PASSWORD, role=Role.PERSON, subject=person)
    User.objects.create_user(username="benefit-staff", password=PASSWORD, role=Role.STAFF)
    context = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-hans"})
    page = context.new_page()
    log_in(page, live_server.url, "benefit-person", "/benefits/")
    card = page.locator(f'[data-scenario="{scenario.code}"]')
    assert card.locator('[data-eligible="yes"]').is_visible()
    assert "未被列入严重失信主体名单" in card.inner_text()
    assert page.locator('[data-scenario="pay_after_treatment"] [data-reason="grade_b_or_better"]').count() == 1
    _shot(page, "mine")
    card.locator("button[type=submit]").click()
    page.wait_for_url("**/benefits/")
    assert page.locator(f'[data-scenario="{scenario.code}"] [data-consented]').is_visible()
    assert Consent.objects.filter(subject=person, grantee_client=library_key[0]).exists()
    context.close()

    staff = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-hans"})
    desk = staff.new_page()
    log_in(desk, live_server.url, "benefit-staff", "/benefits/statistics/")
    assert "信用惠民统计" in desk.content()
    _shot(desk, "statistics")
    staff.close()
    connections.close_all()  # the live server's threads leave connections that block the test database's teardown
