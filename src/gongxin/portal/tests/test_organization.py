"""An organization's public profile: basic facts, then public records grouped by kind, with clocks and marks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from gongxin.core import clock
from gongxin.testing import factories

pytestmark = pytest.mark.django_db


def _profile(client, subject) -> str:
    response = client.get(reverse("portal:organization", args=[subject.organization.uscc]))
    assert response.status_code == 200
    return response.content.decode()


def test_shows_basic_information(client, acme):
    html = _profile(client, acme)
    assert acme.name in html
    assert acme.organization.uscc in html
    assert "张三" in html  # legal representative
    assert "2015-03-18" in html  # registration date
    assert "企业" in html and "存续" in html
    assert "该组织目前没有公示中的公共信用记录" in html


def test_a_penalty_shows_source_basis_clocks_and_fields(client, acme, source_unit):
    record = factories.penalty_create(subject=acme, source_unit=source_unit)
    version = record.current_version
    assert version.publicity_max_end and version.retention_end  # computed from the seeded policies

    html = _profile(client, acme)

    assert 'data-group="penalties"' in html
    assert "行政处罚信息" in html
    assert factories.SOURCE_UNIT_NAME in html
    assert "《中华人民共和国行政处罚法》第四十八条" in html
    assert "公示截止" in html and "保存截止" in html
    assert f"{version.decision_date:%Y-%m-%d}" in html
    assert f"data-publicity-end>{version.publicity_max_end:%Y-%m-%d}<" in html
    assert f"{version.retention_end:%Y-%m-%d}" in html
    assert "一般" in html  # severity
    assert "行政处罚决定书文号" in html and version.payload["decision_number"] in html
    assert "罚款人民币贰万伍仟元" in html
    # Personal fields are never public.
    assert "330203199001010012" not in html
    assert "证件号码" not in html


def test_records_are_grouped_by_kind(client, acme, source_unit):
    factories.penalty_create(subject=acme, source_unit=source_unit)
    factories.licence_create(subject=acme, source_unit=source_unit)
    factories.honour_create(subject=acme, source_unit=source_unit)

    html = _profile(client, acme)

    order = [html.index(f'data-group="{key}"') for key in ("licences", "penalties", "honours")]
    assert order == sorted(order)
    assert "JY13302120001234" in html
    assert "守合同重信用企业" in html
    assert 'data-group="lists"' not in html  # empty groups are left out
    assert "共 3 条" in html


def test_marks_a_record_under_objection(client, acme, source_unit):
    factories.objection_mark(factories.penalty_create(subject=acme, source_unit=source_unit))
    html = _profile(client, acme)
    assert 'data-mark="objection"' in html
    assert "异议中" in html


def test_repaired_and_expired_penalties_are_not_public(client, acme, source_unit):
    factories.repair_mark(factories.penalty_create(subject=acme, source_unit=source_unit))
    expired = factories.penalty_create(subject=acme, source_unit=source_unit,
                                       decided=clock.today() - timedelta(days=4 * 365))
    assert expired.current_version.publicity_max_end < clock.today()

    html = _profile(client, acme)

    assert 'data-record="' not in html


def test_internal_items_are_not_public(client, acme, source_unit):
    factories.penalty_create(subject=acme, source_unit=source_unit, item=factories.internal_item_create())
    html = _profile(client, acme)
    assert "内部监管线索" not in html
    assert 'data-record="' not in html


def test_lowercase_uscc_finds_the_organization(client, acme):
    response = client.get(reverse("portal:organization", args=[acme.organization.uscc.lower()]))
    assert response.status_code == 200
    assert acme.name in response.content.decode()


@pytest.mark.parametrize("code", ["91330200MA2AAAAAA0", "not-a-code", "X" * 200, "%E4%B8%AD"])
def test_unknown_or_invalid_uscc_is_a_styled_404(client, db, code):
    response = client.get(f"/org/{code}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="error-status">404<' in html
    assert "/static/portal/site.css" in html
    assert "未找到该统一社会信用代码对应的组织" in html


def test_a_persons_records_are_never_shown(client, source_unit):
    person = factories.person_create(name="赵六")
    factories.penalty_create(subject=person, source_unit=source_unit)

    html = client.get("/search/", {"q": "赵六"}).content.decode()

    assert 'class="result"' not in html
    assert "data-empty" in html
