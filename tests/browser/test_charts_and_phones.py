"""Charts and narrow screens in a real browser (Chromium from the test kit, gongxin.testing.browser).

- The home page's charts are drawn by the locally served chart library over their tables (decision 052), with no
  Content-Security-Policy violation, and the tables stay readable by screen readers (hidden from sight only).
- On a 375 px wide phone no page scrolls sideways and no button, link-button or field runs out of its card.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.staticfiles import finders

from gongxin.accounts.choices import Role
from gongxin.catalog.seed import catalog_seed
from gongxin.portal.statistics import figures_refresh
from gongxin.testing import factories
from gongxin.testing.browser import log_in
from gongxin.testing.personas import user_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}

# What runs out of its box: the page wider than the screen, or a control wider than (or outside) its card.
OVERFLOW_SCRIPT = """() => {
  const found = [];
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width + 1) {
    found.push('page ' + document.documentElement.scrollWidth + ' > ' + width);
  }
  document.querySelectorAll('.card, .todo, .chart, .entrances a, .result, .record').forEach((card) => {
    const box = card.getBoundingClientRect();
    card.querySelectorAll('button, a.button, input:not([type=hidden]), select, textarea').forEach((control) => {
      const own = control.getBoundingClientRect();
      if (own.width && (own.right > box.right + 1 || own.left < box.left - 1)) {
        found.push(control.outerHTML.slice(0, 120) + ' in ' + card.className);
      }
    });
  });
  return found;
}"""


def _city() -> tuple[Any, Any]:
    catalog_seed()  # idempotent: an earlier transactional test may have flushed the seeded catalog
    unit = factories.source_unit_create()
    firm = factories.organization_create(name="宁波市海曙区手机屏幕测试科技股份有限公司")
    for _n in range(3):
        factories.penalty_create(subject=firm, source_unit=unit)
    factories.licence_create(subject=firm, source_unit=unit)
    figures_refresh()
    return unit, firm


def test_the_home_charts_are_drawn_under_the_policy(live_server, browser):
    _city()
    if finders.find("vendor/chart.js/chart.umd.min.js") is None:
        pytest.fail("the chart library is not installed: run `make setup` (npm ci)")
    violations: list[str] = []
    page = browser.new_page(locale="zh-CN")
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    try:
        page.goto(live_server.url + "/")
        page.wait_for_selector('[data-chart-figure="by_month"].chart-drawn canvas', timeout=15_000)
        page.wait_for_selector('[data-chart-figure="by_unit"].chart-drawn canvas', timeout=15_000)
        table = page.locator('table[data-chart-name="by_month"]')
        assert table.count() == 1 and table.get_attribute("data-chart-drawn") == "1"
        assert table.locator("tbody tr").count() == 12  # still in the page for screen readers
        assert page.locator('[data-chart-figure="by_month"] canvas').get_attribute("role") == "img"
    finally:
        page.close()
    assert violations == []


def test_nothing_runs_out_of_the_screen_on_a_phone(live_server, browser):
    _unit, firm = _city()
    uscc = firm.organization.uscc
    user_create("phone-agent", role=Role.ORG_AGENT, subject=firm)
    public_pages = ["/", "/search/?q=手机屏幕", f"/org/{uscc}/", f"/card/{uscc}/", "/publicity/", "/verify/",
                    "/accounts/login/"]
    agent_pages = ["/me/", "/objections/", "/repairs/", "/commitments/", "/commitments/sign/", "/benefits/",
                   "/lending/", "/notices/", "/me/consents/"]
    found: dict[str, list[str]] = {}
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    try:
        page = context.new_page()
        for path in public_pages:
            page.goto(live_server.url + path)
            if problems := page.evaluate(OVERFLOW_SCRIPT):
                found[path] = problems
        log_in(page, live_server.url, "phone-agent", "/me/")
        for path in agent_pages:
            page.goto(live_server.url + path)
            if problems := page.evaluate(OVERFLOW_SCRIPT):
                found[path] = problems
    finally:
        context.close()
    assert found == {}
