"""The public journey in a real browser: home page → search an organization → its profile → its credit
card (信用名片) and QR → the double-publicity listing (双公示) with a filter.

Drives Debian's Chromium through Playwright against pytest-django's live server (the ``browser`` fixture of
the test kit, gongxin.testing.browser: a missing Chromium is a failure unless GONGXIN_SKIP_BROWSER=1).
"""

from __future__ import annotations

import pytest
from django.db import connections

from gongxin.catalog.seed import catalog_seed
from gongxin.scoring.seed import scoring_seed
from gongxin.scoring.selectors import grade_public
from gongxin.testing import factories

pytestmark = [
    pytest.mark.browser,
    # The live server reads committed rows from another thread, so the test commits (transactional_db).
    # No serialized rollback: another transactional test's flush may have emptied the database (and the
    # post-migrate signal then re-created content types under new ids, which a restore collides with).
    pytest.mark.django_db(transaction=True),
]


def test_search_an_organization_and_read_its_penalty(live_server, browser, tmp_path):
    catalog_seed()  # idempotent: brings the seeded catalog back if an earlier transactional test flushed it
    scoring_seed()  # likewise the scoring models, whose grade the card shows
    source_unit = factories.source_unit_create()
    acme = factories.organization_create(name="宁波市北仑区旅程演示机械有限公司")
    factories.organization_create(name="宁波市镇海区无关贸易有限公司")
    penalty = factories.penalty_create(subject=acme, source_unit=source_unit)
    publicity_end = f"{penalty.current_version.publicity_max_end:%Y-%m-%d}"

    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    try:
        page.goto(live_server.url + "/")
        assert "公信 · 公共信用信息平台" in page.title()
        assert page.locator('[data-figure="records"]').inner_text() == "1"

        page.fill("input[name=q]", "旅程演示")
        page.click("form.search-form button[type=submit]")
        page.wait_for_url("**/search/?q=*")
        results = page.locator("li.result")
        assert results.count() == 1
        assert acme.organization.uscc in results.first.inner_text()

        results.first.locator("a.result-name").click()
        page.wait_for_url(f"**/org/{acme.organization.uscc}/")
        assert page.locator("h1").inner_text() == acme.name
        record = page.locator(f'[data-record="{penalty.pk}"]')
        assert record.is_visible()
        assert "公示截止" in record.inner_text()
        assert record.locator("[data-publicity-end]").inner_text() == publicity_end
        page.screenshot(path=str(tmp_path / "profile-zh.png"), full_page=True)

        # The language switcher keeps the visitor on the page, now in English.
        page.click('.lang-switch button[value="en"]')
        page.wait_for_load_state()
        assert "Publicity end" in page.locator(f'[data-record="{penalty.pk}"]').inner_text()
        page.screenshot(path=str(tmp_path / "profile-en.png"), full_page=True)

        # The credit card: the organization's current status, and a QR code carrying the card's own URL.
        uscc = acme.organization.uscc
        page.click("[data-card-link]")
        page.wait_for_url(f"**/card/{uscc}/")
        assert page.locator("[data-uscc]").inner_text() == uscc
        assert page.locator('[data-count="penalties"] strong').inner_text() == "1"
        grade = grade_public(subject=acme)  # the penalty's event rescored the firm (scoring.consumers)
        assert grade is not None and page.locator("[data-grade]").inner_text() == grade.name_en
        assert page.locator("[data-qr] svg").is_visible()
        assert page.locator("[data-card-url]").inner_text() == f"{live_server.url}/card/{uscc}/"
        qr_png = page.request.get(f"{live_server.url}/card/{uscc}/qr.png")
        assert qr_png.ok and qr_png.body().startswith(b"\x89PNG")
        page.screenshot(path=str(tmp_path / "card-en.png"), full_page=True)

        # Double publicity: the penalty is listed city-wide; filtering to licences leaves nothing.
        page.click('.site-nav a[href="/publicity/"]')
        page.wait_for_url("**/publicity/")
        assert page.locator(f'tr[data-record="{penalty.pk}"]').is_visible()
        page.screenshot(path=str(tmp_path / "publicity-en.png"), full_page=True)
        page.select_option("#f-kind", "licence")
        page.click(".filter-actions button[type=submit]")
        page.wait_for_url("**/publicity/?kind=licence*")
        assert page.locator("[data-empty]").is_visible()
        assert page.locator(f'tr[data-record="{penalty.pk}"]').count() == 0
    finally:
        page.close()
        # Under Playwright's sync API the ORM calls above ran in their own context and so on their own
        # database connection; close it, or PostgreSQL refuses to drop the test database afterwards.
        connections.close_all()
    assert (tmp_path / "profile-zh.png").stat().st_size > 0
    assert (tmp_path / "card-en.png").stat().st_size > 0
