"""The credit repair journey in a real browser: the subject signs in, applies for the repair of its penalty
(eligibility explained, commitment signed, evidence attached) → the source unit's operator finds it on the
workbench and approves it → the subject's own profile marks the record 已修复 and the public profile no
longer shows it.

Chromium and the sign-in come from the test kit (gongxin.testing.browser). The /me/ profile links each negative
record to the application form when the page has that link; otherwise the journey opens the form's URL.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connections
from django.urls import reverse

from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.catalog.seed import catalog_seed
from gongxin.core import clock
from gongxin.records.models import Record
from gongxin.records.seed import list_types_seed
from gongxin.repairs.seed import repair_policies_seed
from gongxin.testing import factories
from gongxin.testing.browser import log_in
from gongxin.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"



def test_apply_approve_and_the_record_is_repaired(live_server, browser, tmp_path):
    # Idempotent seeds: an earlier transactional test's flush may have emptied them.
    catalog_seed()
    list_types_seed()
    repair_policies_seed()
    unit = factories.source_unit_create()
    acme = factories.organization_create(name="宁波市北仑区修复旅程演示有限公司")
    # Decided 200 days ago: the minimum publicity (3 months) is served, the maximum (1 year) is not.
    penalty = factories.penalty_create(subject=acme, source_unit=unit, decided=clock.today() - timedelta(days=200))
    User.objects.create_user(username="acme-agent", password=PASSWORD, role=Role.ORG_AGENT, subject=acme)
    User.objects.create_user(username="unit-operator", password=PASSWORD, role=Role.OPERATOR,
                             department=unit.department)
    uscc = acme.organization.uscc
    evidence = tmp_path / "缴款凭证.pdf"
    evidence.write_bytes(PDF)
    apply_path = f"{reverse('repairs:apply')}?record={penalty.pk}"

    subject_page = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    operator_page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    try:
        # The public sees the penalty.
        subject_page.goto(f"{live_server.url}/org/{uscc}/")
        assert subject_page.locator(f'[data-record="{penalty.pk}"]').count() == 1

        # The subject signs in and opens the form from its own profile (or by its URL).
        log_in(subject_page, live_server.url, "acme-agent", "/me/")
        link = subject_page.locator(f'a[href="{apply_path}"]')
        if link.count():
            link.first.click()
            subject_page.wait_for_url("**/repairs/apply/**")
        else:
            subject_page.goto(live_server.url + apply_path)
        assert subject_page.locator("h1").inner_text() == "申请信用修复"
        assert subject_page.locator("[data-eligible]").get_attribute("data-eligible") == "true"
        assert subject_page.locator('[data-condition="min_publicity"]').get_attribute("data-met") == "true"
        assert "郑重承诺" in subject_page.locator("[data-commitment]").inner_text()
        subject_page.fill("textarea[name=statement]", "罚款已于上月足额缴纳，过期食品已全部下架销毁。")
        subject_page.set_input_files("input[name=evidence]", str(evidence))
        subject_page.check("input[name=commitment_accepted]")
        subject_page.fill("input[name=commitment_signer]", "王五")
        subject_page.screenshot(path=str(tmp_path / "apply.png"), full_page=True)
        subject_page.click("[data-repair-form] button[type=submit]")
        subject_page.wait_for_url("**/repairs/*/")
        assert subject_page.locator("[data-status]").first.get_attribute("data-status") == "forwarded"
        assert "缴款凭证.pdf" in subject_page.locator("[data-evidence]").inner_text()
        repair_url = subject_page.url

        # The operator finds it on the workbench and approves it.
        log_in(operator_page, live_server.url, "unit-operator", "/repairs/workbench/")
        row = operator_page.locator("tr[data-repair]").first
        assert acme.name in row.inner_text()
        row.locator("[data-open]").click()
        operator_page.wait_for_url("**/repairs/workbench/*/")
        operator_page.check("input[name=outcome][value=approve]")
        operator_page.check("input[name=obligations_confirmed]")
        operator_page.fill("textarea[name=note]", "经核实，罚款已缴清。")
        operator_page.screenshot(path=str(tmp_path / "decide.png"), full_page=True)
        operator_page.click("[data-decision-form] button[type=submit]")
        operator_page.wait_for_load_state()
        assert operator_page.locator("[data-status]").first.get_attribute("data-status") == "approved"

        # The subject's own profile marks it 已修复; the public profile no longer shows it.
        subject_page.goto(repair_url)
        assert subject_page.locator("[data-status]").first.get_attribute("data-status") == "approved"
        subject_page.goto(f"{live_server.url}/me/")
        own = subject_page.locator(f'[data-record="{penalty.pk}"]')
        assert own.locator('[data-mark="repaired"]').inner_text() == "已修复"
        subject_page.screenshot(path=str(tmp_path / "me.png"), full_page=True)
        subject_page.goto(f"{live_server.url}/org/{uscc}/")
        assert subject_page.locator(f'[data-record="{penalty.pk}"]').count() == 0
    finally:
        subject_page.context.close()
        operator_page.context.close()
        connections.close_all()
    assert Record.objects.get(pk=penalty.pk).current_version.repaired is True
    assert Path(tmp_path / "me.png").stat().st_size > 0
