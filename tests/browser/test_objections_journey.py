"""The objection journey in a real browser: a subject files an objection from /me with an evidence file →
credit office staff accept it on the workbench (the public profile now shows 异议中) and forward it →
the source unit's operator corrects the record from its task list → the subject sees the outcome, the
timeline and the notices; the mark is gone from the public profile.

Chromium and the sign-in come from the test kit (gongxin.testing.browser); one browser context per person.
"""

from __future__ import annotations

import pytest
from django.db import connections

from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.catalog.seed import catalog_seed
from gongxin.objections.models import Objection
from gongxin.records.models import Record
from gongxin.records.seed import list_types_seed
from gongxin.testing import factories
from gongxin.testing.browser import log_in
from gongxin.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A small PDF without NUL bytes (see the report about core.middleware.RejectNulMiddleware and uploads).
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CORRECTED_FACTS = "当事人销售标签不符合规定的预包装食品，并非超过保质期食品。"



def test_file_accept_forward_decide_and_the_subject_sees_the_outcome(live_server, browser, tmp_path):
    catalog_seed()  # idempotent: an earlier transactional test's flush may have emptied the seeds
    list_types_seed()
    unit = factories.source_unit_create()
    acme = factories.organization_create(name="宁波市海曙区异议旅程演示有限公司")
    penalty = factories.penalty_create(subject=acme, source_unit=unit)
    User.objects.create_user(username="acme-agent", password=PASSWORD, role=Role.ORG_AGENT, subject=acme,
                             email="agent@example.cn")
    User.objects.create_user(username="office-staff", password=PASSWORD, role=Role.STAFF)
    User.objects.create_user(username="unit-operator", password=PASSWORD, role=Role.OPERATOR,
                             department=unit.department)
    uscc = acme.organization.uscc
    evidence = tmp_path / "进货凭证.pdf"
    evidence.write_bytes(PDF)

    subject = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    operator = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    base = live_server.url
    try:
        # The subject files from its own profile, with an evidence file.
        log_in(subject, base, "acme-agent", "/me/")
        subject.locator(f'[data-record="{penalty.pk}"] a[data-action="object"]').click()
        subject.wait_for_url(f"**/objections/file/?record={penalty.pk}")
        assert subject.locator("h1").inner_text() == "提出异议"
        subject.check('input[name=ground][value="wrong_facts"]')
        subject.fill("textarea[name=description]", "违法事实记载有误：当事人销售的是标签不合规食品，附进货凭证。")
        subject.set_input_files("input[name=files]", str(evidence))
        subject.click("[data-objection-form] button[type=submit]")
        subject.wait_for_url("**/objections/*/")
        objection = Objection.objects.get()
        assert objection.number in subject.locator("h1").inner_text()
        assert subject.locator('[data-status="submitted"]').inner_text() == "已提交"
        assert subject.locator("[data-evidence]").inner_text().startswith("进货凭证.pdf")
        subject.screenshot(path=str(tmp_path / "filed.png"), full_page=True)

        # Staff accept it from the workbench; the public profile shows the mark at once; then forward.
        log_in(staff, base, "office-staff", "/objections/workbench/")
        assert staff.locator('[data-queue="submitted"] .n').inner_text() == "1"
        staff.screenshot(path=str(tmp_path / "workbench.png"), full_page=True)
        staff.locator(f'tr[data-objection="{objection.pk}"] a').click()
        staff.wait_for_url(f"**/objections/{objection.pk}/")
        staff.click('[data-action="accept"] button[type=submit]')
        staff.wait_for_load_state()
        assert staff.locator('[data-status="accepted"]').is_visible()
        staff.goto(f"{base}/org/{uscc}/")
        assert staff.locator(f'[data-record="{penalty.pk}"] [data-mark="objection"]').inner_text() == "异议中"
        staff.goto(f"{base}/objections/{objection.pk}/")
        staff.fill("#forward-note", "请于期限内核实")
        staff.click('[data-action="forward"] button[type=submit]')
        staff.wait_for_load_state()
        assert staff.locator('[data-status="forwarded"]').is_visible()
        staff.screenshot(path=str(tmp_path / "forwarded.png"), full_page=True)

        # The operator finds the task, opens the evidence and corrects the record.
        log_in(operator, base, "unit-operator", "/objections/tasks/")
        row = operator.locator(f'tr[data-objection="{objection.pk}"]')
        assert objection.number in row.inner_text()
        row.locator("a").click()
        operator.wait_for_url(f"**/objections/{objection.pk}/")
        download = operator.request.get(base + operator.locator("[data-evidence] a").first.get_attribute("href"))
        assert download.ok and download.body() == PDF
        operator.check('input[name=decision][value="correct"]')
        operator.fill("#decide-reason", "经核实，违法事实记载有误，予以更正。")
        operator.click("[data-payload-fields] summary")
        operator.fill("#payload-violation_facts", CORRECTED_FACTS)
        operator.click('[data-action="decide"] button[type=submit]')
        operator.wait_for_load_state()
        assert operator.locator('[data-decision="correct"]').inner_text() == "更正记录"
        operator.screenshot(path=str(tmp_path / "decided.png"), full_page=True)

        # The subject sees the outcome, the whole timeline, and a notice of each step.
        subject.goto(f"{base}/objections/{objection.pk}/")
        assert subject.locator('[data-status="decided"]').inner_text() == "已办结"
        assert subject.locator('[data-decision="correct"]').is_visible()
        assert subject.locator("[data-timeline] li").count() == 4
        assert subject.locator('[data-action="review"]').is_visible()
        subject.goto(f"{base}/notices/")
        decided = subject.locator('[data-code="objections.objection.decided"]')
        assert "更正记录" in decided.inner_text()
        assert subject.locator("[data-notice]").count() == 4
        subject.screenshot(path=str(tmp_path / "notices.png"), full_page=True)

        # The public profile shows the corrected facts, without the mark.
        subject.goto(f"{base}/org/{uscc}/")
        record = subject.locator(f'[data-record="{penalty.pk}"]')
        assert record.locator('[data-mark="objection"]').count() == 0
        assert CORRECTED_FACTS in record.inner_text()
    finally:
        for page in (subject, staff, operator):
            page.context.close()
        connections.close_all()
    version = Record.objects.get(pk=penalty.pk).current_version
    assert version.change == "corrected" and version.under_objection is False
    assert (tmp_path / "notices.png").stat().st_size > 0
