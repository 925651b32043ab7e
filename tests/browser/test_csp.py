"""The Content-Security-Policy in a real browser: the pages and the API's Swagger UI work under it, and the
browser reports no violation (the policy is gongxin.core.csp; Chromium from the test kit, gongxin.testing.browser)."""

from __future__ import annotations

import pytest

from gongxin.catalog.seed import catalog_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_and_the_swagger_ui_run_under_the_policy(live_server, browser):
    catalog_seed()
    violations: list[str] = []
    page = browser.new_page(locale="zh-CN")
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    try:
        for path in ("/", "/accounts/login/", "/admin/login/"):
            response = page.goto(live_server.url + path)
            assert response is not None and response.ok, path
            assert "default-src 'self'" in response.headers["content-security-policy"]

        page.goto(live_server.url + "/api/v1/docs")
        page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)  # the UI rendered the operations
        assert page.locator(".swagger-ui .opblock").count() > 10
        page.locator(".swagger-ui .opblock-summary").first.click()  # expanding an operation works too
        page.wait_for_selector(".swagger-ui .opblock-body", timeout=10_000)
    finally:
        page.close()
    assert violations == []
