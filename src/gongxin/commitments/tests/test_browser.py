"""Signing a commitment in a real browser: the organization's agent signs in, chooses the matter and the
receiving department, reads the eligibility and the full text, signs; the commitment page shows it signed
with a valid platform signature; the department's operator finds it in the verification queue.

Chromium and the sign-in come from the test kit (gongxin.testing.browser).
"""

from __future__ import annotations

import pytest
from django.db import connections
from django.urls import reverse

from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.accounts.viewer import Viewer
from gongxin.commitments.models import Commitment
from gongxin.rewards.choices import MatterType
from gongxin.rewards.services import matter_register, system_register
from gongxin.testing import factories
from gongxin.testing.browser import log_in
from gongxin.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_a_commitment_in_the_browser(live_server, browser, tmp_path, seeded):
    unit = factories.source_unit_create()
    acme = factories.organization_create(name="宁波市江北区承诺旅程演示有限公司")
    User.objects.create_user(username="acme-agent", password=PASSWORD, role=Role.ORG_AGENT, subject=acme)
    User.objects.create_user(username="unit-operator", password=PASSWORD, role=Role.OPERATOR,
                             department=unit.department)
    office = Viewer(label="user:staff", role=Role.STAFF, user_id=None)
    system = system_register(code="NB-SCJG-SP", name="食品经营许可系统", department=unit.department, client=None,
                             actor=office)
    matter_register(code="FOOD-LICENCE-NEW", name="食品经营许可（新办）", system=system,
                    matter_type=MatterType.LICENCE, actor=office)

    subject_page = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    operator_page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    try:
        log_in(subject_page, live_server.url, "acme-agent", reverse("commitments:mine"))
        assert subject_page.locator("h1").inner_text() == "我的承诺"
        subject_page.click('[data-nav="commitment-sign"]')
        subject_page.wait_for_url("**/commitments/sign/")
        subject_page.select_option("select[name=type]", "certification_notice")
        subject_page.select_option("select[name=department]", unit.department.code)
        # The matter by name: typed into the search box, the list narrows to it (core/picker.js).
        subject_page.fill("input.picker-search", "食品经营")
        subject_page.wait_for_selector("select[name=matter][size]")  # the answers shown as the select's options
        assert subject_page.locator("select[name=matter]").input_value() == "FOOD-LICENCE-NEW"  # the one answer
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

        log_in(operator_page, live_server.url, "unit-operator", reverse("commitments:workbench"))
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
