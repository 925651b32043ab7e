"""The double-publicity page (双公示): only public licences and penalties, filters, order, pagination, errors."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.urls import reverse

from gongxin.core import clock
from gongxin.portal.selectors import LISTING_PAGE_SIZE
from gongxin.portal.tests import publicity_factories as pf
from gongxin.testing import factories

pytestmark = pytest.mark.django_db

URL = "/publicity/"


def _listed(client, **params) -> list[int]:
    response = client.get(reverse("portal:publicity"), params)
    assert response.status_code == 200, response.content.decode()[:500]
    return [int(pk) for pk in re.findall(r'<tr data-record="(\d+)"', response.content.decode())]


def _link(value: str) -> str:
    """A query value as the page wrote it into a link (HTML-escaped, URL-encoded)."""
    return unquote(html.unescape(value))


def test_the_url_and_the_nav_link(client):
    assert reverse("portal:publicity") == URL
    html = client.get(reverse("portal:home")).content.decode()
    assert f'href="{URL}"' in html


def test_lists_public_licences_and_penalties_only(client, acme, source_unit):
    penalty = factories.penalty_create(subject=acme, source_unit=source_unit)
    licence = factories.licence_create(subject=acme, source_unit=source_unit)
    factories.honour_create(subject=acme, source_unit=source_unit)  # public, but neither kind
    pf.commitment_of(subject=acme, source_unit=source_unit)
    factories.penalty_create(subject=acme, source_unit=source_unit, item=factories.internal_item_create())
    factories.repair_mark(factories.penalty_create(subject=acme, source_unit=source_unit))
    person = factories.person_create(name="王五")
    factories.penalty_create(subject=person, source_unit=source_unit)

    response = client.get(URL)
    html = response.content.decode()

    assert sorted(_listed(client)) == sorted([penalty.pk, licence.pk])
    assert 'data-count="2"' in html and 'data-count-exactness="exact"' in html
    assert "王五" not in html  # persons never appear
    assert factories.SOURCE_UNIT_NAME in html
    assert penalty.current_version.payload["decision_number"] in html
    assert f"{penalty.current_version.publicity_max_end:%Y-%m-%d}" in html


def test_personal_fields_are_never_shown(client, acme, source_unit):
    factories.penalty_create(subject=acme, source_unit=source_unit)
    html = client.get(URL).content.decode()
    assert pf.PERSONAL_ID not in html
    assert "证件号码" not in html


def test_a_penalty_past_its_publicity_end_is_not_listed(client, acme, source_unit):
    expired = factories.penalty_create(subject=acme, source_unit=source_unit,
                                       decided=clock.today() - timedelta(days=4 * 365))
    assert expired.current_version.publicity_max_end < clock.today()
    current = factories.penalty_create(subject=acme, source_unit=source_unit)
    assert _listed(client) == [current.pk]


def test_a_record_under_objection_is_listed_with_its_mark(client, acme, source_unit):
    factories.objection_mark(factories.penalty_create(subject=acme, source_unit=source_unit))
    assert 'data-mark="objection"' in client.get(URL).content.decode()


def test_newest_decision_first(client, acme, source_unit):
    today = clock.today()
    old = factories.penalty_create(subject=acme, source_unit=source_unit, decided=today - timedelta(days=200))
    new = factories.licence_create(subject=acme, source_unit=source_unit, decided=today - timedelta(days=3))
    middle = factories.penalty_create(subject=acme, source_unit=source_unit, decided=today - timedelta(days=50))
    assert _listed(client) == [new.pk, middle.pk, old.pk]


def test_filter_by_kind(client, acme, source_unit):
    penalty = factories.penalty_create(subject=acme, source_unit=source_unit)
    licence = factories.licence_create(subject=acme, source_unit=source_unit)
    assert _listed(client, kind="penalty") == [penalty.pk]
    assert _listed(client, kind="licence") == [licence.pk]


def test_filter_by_department(client, acme, source_unit):
    market = factories.penalty_create(subject=acme, source_unit=source_unit)
    ecology = pf.licence_of(subject=acme, source_unit=pf.ecology_unit_create())
    assert _listed(client, department="scjgj") == [market.pk]
    assert _listed(client, department="sthjj") == [ecology.pk]
    assert 'value="sthjj" selected' in client.get(URL, {"department": "sthjj"}).content.decode()


def test_filter_by_district(client, source_unit):
    haishu = pf.organization_in(name="宁波海曙甲公司", district="330203")
    beilun = pf.organization_in(name="宁波北仑乙公司", district="330206")
    in_haishu = factories.penalty_create(subject=haishu, source_unit=source_unit)
    in_beilun = factories.licence_create(subject=beilun, source_unit=source_unit)
    assert _listed(client, district="330203") == [in_haishu.pk]
    assert _listed(client, district="330206") == [in_beilun.pk]
    assert _listed(client, district="330212") == []
    assert "海曙区" in client.get(URL, {"district": "330203"}).content.decode()


def test_filter_by_penalty_type_and_licence_category(client, acme, source_unit):
    fine = factories.penalty_create(subject=acme, source_unit=source_unit, penalty_types="罚款")
    both = factories.penalty_create(subject=acme, source_unit=source_unit, penalty_types="没收违法所得;罚款")
    closure = factories.penalty_create(subject=acme, source_unit=source_unit, penalty_types="责令停产停业")
    ordinary = factories.licence_create(subject=acme, source_unit=source_unit)
    franchise = pf.licence_of(subject=acme, source_unit=source_unit, category="franchise")

    assert sorted(_listed(client, type="罚款")) == sorted([fine.pk, both.pk])
    assert _listed(client, type="没收违法所得") == [both.pk]
    assert _listed(client, type="责令停产停业", kind="penalty") == [closure.pk]
    assert _listed(client, type="franchise") == [franchise.pk]
    assert _listed(client, type="ordinary", kind="licence") == [ordinary.pk]


def test_filter_by_decision_dates(client, acme, source_unit):
    today = clock.today()
    old = factories.penalty_create(subject=acme, source_unit=source_unit, decided=today - timedelta(days=200))
    recent = factories.penalty_create(subject=acme, source_unit=source_unit, decided=today - timedelta(days=10))
    cut = (today - timedelta(days=100)).isoformat()
    assert _listed(client, date_from=cut) == [recent.pk]
    assert _listed(client, date_to=cut) == [old.pk]
    day = (today - timedelta(days=10)).isoformat()
    assert _listed(client, date_from=day, date_to=day) == [recent.pk]


def test_filters_combine(client, source_unit):
    haishu = pf.organization_in(name="宁波海曙丙公司", district="330203")
    other = pf.organization_in(name="宁波江北丁公司", district="330205")
    wanted = factories.penalty_create(subject=haishu, source_unit=source_unit)
    factories.licence_create(subject=haishu, source_unit=source_unit)
    factories.penalty_create(subject=other, source_unit=source_unit)
    assert _listed(client, kind="penalty", district="330203", department="scjgj", type="罚款") == [wanted.pk]


def test_pagination_keeps_the_filters(client, acme, source_unit):
    today = clock.today()
    records = [
        factories.penalty_create(subject=acme, source_unit=source_unit, decided=today - timedelta(days=5 + n))
        for n in range(LISTING_PAGE_SIZE + 5)
    ]
    factories.licence_create(subject=acme, source_unit=source_unit)
    newest_first = [r.pk for r in records]

    first = client.get(URL, {"kind": "penalty"}).content.decode()
    assert re.findall(r'<tr data-record="(\d+)"', first) == [str(pk) for pk in newest_first[:LISTING_PAGE_SIZE]]
    assert 'href="?kind=penalty&amp;format=csv"' in first  # exports carry the same filters
    assert 'data-page="previous"' not in first and 'href="?kind=penalty&amp;cursor=last"' in first
    # Next: a cursor link that keeps the filters.
    cursor = _link(re.search(r'href="\?kind=penalty&amp;cursor=([^"]+)" data-page="next"', first)[1])
    second = client.get(URL, {"kind": "penalty", "cursor": cursor}).content.decode()
    assert re.findall(r'<tr data-record="(\d+)"', second) == [str(pk) for pk in newest_first[LISTING_PAGE_SIZE:]]
    assert 'data-page="next"' not in second and 'data-page="first"' in second
    back = _link(re.search(r'href="\?kind=penalty&amp;cursor=([^"]+)" data-page="previous"', second)[1])
    assert _listed(client, kind="penalty", cursor=back) == newest_first[:LISTING_PAGE_SIZE]
    # Last: the last full page, read from the end.
    assert _listed(client, kind="penalty", cursor="last") == newest_first[-LISTING_PAGE_SIZE:]

    # Old numbered links: small numbers still served, past the end the last page, deep ones the first page and a
    # message.
    assert _listed(client, kind="penalty", page=2) == newest_first[LISTING_PAGE_SIZE:]
    assert _listed(client, kind="penalty", page=3) == newest_first[-LISTING_PAGE_SIZE:]
    assert _listed(client, kind="penalty", page="x") == newest_first[:LISTING_PAGE_SIZE]
    deep = client.get(URL, {"kind": "penalty", "page": 5000}).content.decode()
    assert "data-numbered-page-refused" in deep
    assert re.findall(r'<tr data-record="(\d+)"', deep) == [str(pk) for pk in newest_first[:LISTING_PAGE_SIZE]]


def test_a_bad_cursor_is_a_clear_400(client, acme, source_unit):
    factories.penalty_create(subject=acme, source_unit=source_unit)
    response = client.get(URL, {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert "data-error" in response.content.decode() and "data-record" not in response.content.decode()


def test_nothing_published_says_so(client, acme):
    html = client.get(URL).content.decode()
    assert "data-empty" in html


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"department": "no-such-unit"}, "no-such-unit"),
        ({"district": "110101"}, "110101"),
        ({"kind": "honour"}, "honour"),
        ({"type": "打屁股"}, "打屁股"),
        ({"kind": "licence", "type": "罚款"}, "罚款"),
        ({"date_from": "2025-13-01"}, "2025-13-01"),
        ({"date_to": "yesterday"}, "yesterday"),
        ({"date_from": "2025-02-01", "date_to": "2025-01-01"}, ""),
        ({"format": "pdf"}, ""),
    ],
)
def test_bad_filters_give_a_clear_400(client, source_unit, params, fragment):
    response = client.get(URL, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "data-error" in html
    assert fragment in html
    assert "<form" in html  # the form is still there to correct the filter
