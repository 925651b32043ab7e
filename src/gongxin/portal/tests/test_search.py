"""Organization search: by name substring and by USCC, paginated; persons never appear."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongxin.testing import factories

pytestmark = pytest.mark.django_db


def _search(client, **params):
    response = client.get(reverse("portal:search"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_finds_an_organization_by_part_of_its_name(client, acme):
    factories.organization_create(name="宁波市江北区样例贸易有限公司")

    html = _search(client, q="示例科技")

    assert acme.name in html
    assert acme.organization.uscc in html
    assert reverse("portal:organization", args=[acme.organization.uscc]) in html
    assert "样例贸易" not in html


def test_finds_an_organization_by_its_uscc(client, acme):
    other = factories.organization_create(name="宁波市江北区样例贸易有限公司")

    html = _search(client, q=other.organization.uscc)

    assert other.name in html
    assert acme.name not in html


def test_a_person_is_never_found(client, acme):
    factories.person_create(name="示例科技王五")

    html = _search(client, q="示例科技")

    assert acme.name in html
    assert "王五" not in html


def test_empty_query_shows_a_hint(client, acme):
    html = _search(client, q="   ")
    assert "统一社会信用代码" in html
    assert acme.name not in html
    assert "data-empty" not in html


def test_a_query_that_finds_nothing_says_so(client, acme):
    html = _search(client, q="不存在的公司")
    assert "data-empty" in html
    assert "没有找到" in html


def test_results_are_paginated_twenty_a_page(client, db):
    for n in range(45):
        factories.organization_create(name=f"宁波分页测试有限公司{n:02d}")

    first = _search(client, q="分页测试")
    third = _search(client, q="分页测试", page="3")
    past_end = _search(client, q="分页测试", page="99")
    garbage = _search(client, q="分页测试", page="abc")
    huge = _search(client, q="分页测试", page="9" * 30)

    assert first.count('class="result"') == 20
    assert "第 1 / 3 页" in first
    assert "page=2" in first
    assert third.count('class="result"') == 5
    assert "第 3 / 3 页" in third
    assert "第 3 / 3 页" in past_end  # a stale link lands on the last page
    assert "第 1 / 3 页" in garbage
    assert "第 3 / 3 页" in huge


def test_a_capped_search_says_there_are_more(client, monkeypatch):
    """Past the cap the search counts no further: it says "3+" (here the cap is 3), never "3 organizations"."""
    monkeypatch.setattr("gongxin.subjects.selectors.SEARCH_COUNT_CAP", 3)
    for n in range(4):
        factories.organization_create(name=f"宁波市诚实样例{n}贸易有限公司")

    html = _search(client, q="诚实样例")

    assert "data-count-capped" in html and "共找到 3+ 个组织" in html
    assert "共找到 3 个组织" not in html

    exact = _search(client, q="诚实样例1")
    assert "data-count-capped" not in exact and "共找到 1 个组织" in exact
