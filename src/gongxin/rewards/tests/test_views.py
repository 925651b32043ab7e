"""Pages: staff only (measures, dry run, registry, checks, statistics), the check page with certificate
issue, in Chinese by default."""

from __future__ import annotations

import pytest
from django.test import Client

from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.accounts.viewer import Viewer
from gongxin.rewards.models import CheckCertificate
from gongxin.rewards.services import check_feedback, check_perform
from gongxin.subjects.models import Subject

PAGES = ["/rewards/", "/rewards/measures/jd.procurement/", "/rewards/dry-run/", "/rewards/registry/",
         "/rewards/checks/", "/rewards/statistics/"]


@pytest.fixture
def staff_client(measures: None) -> Client:
    user = User.objects.create_user(username="staff", password="staff-password-123", role=Role.STAFF)
    client = Client()
    client.force_login(user)
    return client


def test_staff_pages_render(staff_client: Client, system_viewer: Viewer, debtor_org: Subject) -> None:
    check = check_perform(subject=debtor_org, matter="CZ-CG-001", actor=system_viewer)
    check_feedback(check=check, measures_applied=["jd.procurement"], outcome="rejected", note="", actor=system_viewer)
    for url in PAGES:
        response = staff_client.get(url)
        assert response.status_code == 200, url
    measures = staff_client.get("/rewards/").content.decode()
    assert "限制参与政府采购活动" in measures and "惩戒" in measures
    registry = staff_client.get("/rewards/registry/").content.decode()
    assert "政府采购管理系统" in registry and "jd.procurement" in registry
    stats = staff_client.get("/rewards/statistics/").content.decode()
    assert 'data-chart="measure"' in stats and "bar-negative" in stats
    assert 'data-applied-count>1<' in stats


def test_the_check_page_says_the_court_lifts_a_judgment_debtors_hit(staff_client: Client, system_viewer: Viewer,
                                                                    debtor_org: Subject) -> None:
    check = check_perform(subject=debtor_org, matter="CZ-CG-001", actor=system_viewer)
    page = staff_client.get(f"/rewards/checks/{check.pk}/").content.decode()
    start = page.index("data-hit=")
    lifted = page[start:page.index("</section>", start)]
    assert "由法院在履行后移出" in lifted and "信用修复" not in lifted
    assert "jd.procurement</span>" not in page  # the measure by its name, not its code


def test_pages_are_for_staff(clean_org: Subject, measures: None) -> None:
    user = User.objects.create_user(username="public", password="public-password-123", role=Role.PUBLIC)
    client = Client()
    client.force_login(user)
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    assert Client().get("/rewards/").status_code == 302  # sign in first


def test_dry_run_page(staff_client: Client, debtor_org: Subject) -> None:
    page = staff_client.post("/rewards/dry-run/", {"trigger": "judgment_debtor"}).content.decode()
    assert 'data-hit>1<' in page and debtor_org.name in page
    page = staff_client.post("/rewards/dry-run/", {"trigger": "sesame > 1"}).content.decode()
    assert 'data-error="rule.unknown_name"' in page


def test_subject_issues_its_certificate(system_viewer: Viewer, clean_org: Subject) -> None:
    check = check_perform(subject=clean_org, matter="CZ-CG-001", actor=system_viewer)
    agent = User.objects.create_user(username="agent", password="agent-password-123", role=Role.ORG_AGENT,
                                     subject=clean_org)
    client = Client()
    client.force_login(agent)
    page = client.get(f"/rewards/checks/{check.pk}/").content.decode()
    assert 'data-pass' in page
    response = client.post(f"/rewards/checks/{check.pk}/")
    certificate = CheckCertificate.objects.get(check_row=check)
    assert response.status_code == 302 and response["Location"] == f"/rewards/certificates/{certificate.number}/"
    html = Client().get(response["Location"]).content.decode()
    assert "信用核查证明" in html and "未列入所核查的任何名单" in html


def test_registry_forms(staff_client: Client, procurement) -> None:
    from gongxin.rewards.models import Matter

    response = staff_client.post("/rewards/registry/", {
        "form": "matter", "matter-code": "CZ-CG-002", "matter-name": "政府采购框架协议入围",
        "matter-system": procurement.pk, "matter-matter_type": "procurement"})
    assert response.status_code == 302
    assert Matter.objects.get(code="CZ-CG-002").system == procurement
    page = staff_client.get("/rewards/registry/").content.decode()
    assert "CZ-CG-002" in page and "data-matter-form" in page


def test_measure_form_writes_a_new_version(staff_client: Client, procurement) -> None:
    from gongxin.rewards.models import Measure

    form = staff_client.get("/rewards/measures/jd.procurement/edit/").content.decode()
    assert "judgment_debtor" in form
    base = {"code": "jd.procurement", "name": "限制参与政府采购活动", "kind": "punishment", "measure_class": "legal",
            "trigger": "judgment_debtor", "matter_types": ["procurement"], "matter_codes": "CZ-ZB-001",
            "department": "财政部门", "legal_basis": "《中华人民共和国政府采购法》第二十二条",
            "effective_from": "2026-01-01", "is_active": "on"}
    bad = staff_client.post("/rewards/measures/jd.procurement/edit/", {**base, "trigger": "judgment_debtr"})
    assert 'data-error="rule.unknown_name"' in bad.content.decode()
    response = staff_client.post("/rewards/measures/jd.procurement/edit/", base)
    assert response.status_code == 302
    version = Measure.objects.get(code="jd.procurement").current_version
    assert version.number == 2 and version.matter_codes == ["CZ-ZB-001"]
