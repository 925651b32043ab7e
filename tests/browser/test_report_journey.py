"""The report journey in a real browser: search an organization → its profile → issue its credit report →
download the PDF (it verifies offline; one changed byte does not) → open the QR code's URL → verified.

Chromium from the test kit (gongxin.testing.browser). The profile's "issue report" form
belongs to the portal; when the page has none yet, the journey submits the same POST from the page.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.urls import reverse

from gongxin.catalog.seed import catalog_seed
from gongxin.testing import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ISSUE_BY_SCRIPT = """([action, uscc]) => {
  const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
  const form = document.createElement('form');
  form.method = 'post';
  form.action = action;
  for (const [name, value] of [['csrfmiddlewaretoken', token], ['uscc', uscc]]) {
    const input = document.createElement('input');
    input.type = 'hidden'; input.name = name; input.value = value;
    form.appendChild(input);
  }
  document.body.appendChild(form);
  form.submit();
}"""


def test_issue_download_and_verify_an_organizations_report(live_server, browser, tmp_path, settings):
    catalog_seed()  # idempotent: brings the seeded catalog back if an earlier transactional test flushed it
    settings.GONGXIN_SIGNING_VERIFY_BASE_URL = live_server.url  # the QR code points at this server
    source_unit = factories.source_unit_create()
    acme = factories.organization_create(name="宁波市江北区报告旅程演示有限公司")
    penalty = factories.penalty_create(subject=acme, source_unit=source_unit)
    uscc = acme.organization.uscc
    issue_url = reverse("reports:issue")

    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", accept_downloads=True)
    try:
        page.goto(live_server.url + "/")
        page.fill("input[name=q]", "报告旅程")
        page.click("form.search-form button[type=submit]")
        page.wait_for_url("**/search/?q=*")
        page.locator("li.result a.result-name").first.click()
        page.wait_for_url(f"**/org/{uscc}/")
        assert page.locator("h1").inner_text() == acme.name

        issue_form = page.locator(f'form[action="{issue_url}"]')
        if issue_form.count():
            issue_form.first.locator("[type=submit]").click()
        else:
            page.evaluate(ISSUE_BY_SCRIPT, [issue_url, uscc])
        page.wait_for_url("**/reports/GX-*/")
        assert page.locator("[data-report-title]").inner_text() == "法人和非法人组织公共信用信息报告"
        assert page.locator("[data-subject-name]").inner_text() == acme.name
        assert page.locator(f'[data-record="{penalty.pk}"]').is_visible()
        number = page.locator("[data-report-number]").inner_text()
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)

        with page.expect_download() as download_info:
            page.click("[data-download=pdf]")
        download = download_info.value
        assert download.suggested_filename == f"{number}.pdf"
        pdf_path = tmp_path / download.suggested_filename
        download.save_as(str(pdf_path))

        out = StringIO()
        call_command("report", "verify", str(pdf_path), stdout=out)
        assert out.getvalue().startswith("VALID") and number in out.getvalue()
        tampered = bytearray(pdf_path.read_bytes())
        tampered[len(tampered) // 2] ^= 0x01
        (tmp_path / "tampered.pdf").write_bytes(bytes(tampered))
        with pytest.raises(CommandError):
            call_command("report", "verify", str(tmp_path / "tampered.pdf"), stdout=StringIO())

        verify_url = page.locator("a[data-verify-url]").get_attribute("href")
        assert verify_url == f"{live_server.url}/verify/{number}/"
        page.goto(verify_url)
        card = page.locator("[data-verification]")
        assert card.get_attribute("data-status") == "valid"
        assert card.get_attribute("data-signature") == "valid"
        assert page.locator('[data-verdict="valid"]').is_visible()
        assert page.locator(f'[data-record="{penalty.pk}"]').count() == 1
        page.screenshot(path=str(tmp_path / "verify.png"), full_page=True)
    finally:
        page.close()
        # As in test_journey: the ORM calls above used their own connection under Playwright's loop.
        connections.close_all()
    assert (tmp_path / "verify.png").stat().st_size > 0


def test_a_persons_own_report_shows_its_rin_to_it_and_nobody_else(live_server, browser, tmp_path, settings):
    """A person signs in, issues its own report: it shows the RIN and its PDF verifies; the QR code's page
    opened by someone else says valid and names nobody, and the report itself is not found for them."""
    from gongxin.accounts.models import User
    from gongxin.subjects.selectors import person_rin_reveal

    catalog_seed()
    settings.GONGXIN_SIGNING_VERIFY_BASE_URL = live_server.url
    person = factories.person_create(name="钱七")
    factories.penalty_create(subject=person, source_unit=factories.source_unit_create())
    rin = person_rin_reveal(person=person.person, viewer=factories.ADMIN)
    User.objects.create_user(username="qianqi", password="a-long-journey-password-1", role="person", subject=person)

    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", accept_downloads=True)
    other = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")  # its own context: anonymous
    try:
        page.goto(live_server.url + reverse("accounts:login"))
        page.fill("input[name=username]", "qianqi")
        page.fill("input[name=password]", "a-long-journey-password-1")
        page.locator("form[method=post] [type=submit]").last.click()
        page.wait_for_load_state()
        page.goto(live_server.url + "/")
        page.evaluate(ISSUE_BY_SCRIPT, [reverse("reports:issue"), ""])  # no code: the signed-in person itself
        page.wait_for_url("**/reports/GX-*/")
        assert page.locator("[data-report-title]").inner_text() == "自然人公共信用信息报告"
        assert page.locator("[data-subject-code]").inner_text() == rin
        number = page.locator("[data-report-number]").inner_text()
        with page.expect_download() as download_info:
            page.click("[data-download=pdf]")
        pdf_path = tmp_path / f"{number}.pdf"
        download_info.value.save_as(str(pdf_path))
        out = StringIO()
        call_command("report", "verify", str(pdf_path), stdout=out)
        assert out.getvalue().startswith("VALID") and rin in out.getvalue()

        other.goto(page.locator("a[data-verify-url]").get_attribute("href"))
        assert other.locator("[data-verification]").get_attribute("data-status") == "valid"
        assert other.locator('[data-verdict="valid"]').is_visible()
        assert other.locator("[data-content-withheld]").is_visible()
        text = other.locator("body").inner_text()
        assert person.name not in text and rin not in text and rin[-4:] not in text
        response = other.goto(f"{live_server.url}/reports/{number}/")
        assert response is not None and response.status == 404
        other.screenshot(path=str(tmp_path / "verify-person.png"), full_page=True)
    finally:
        page.close()
        other.close()
        connections.close_all()
