"""The organization profile and /me/ at scale: grouped by kind, counts per kind from the summary, every group
keyset-paged (stable order, every record reachable once), and the black-list banner."""

from __future__ import annotations

import html as htmllib
import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongxin.access.grouped import FIRST_PAGE_SIZE
from gongxin.access.summary import shown_counts
from gongxin.accounts.choices import Role
from gongxin.core import clock
from gongxin.core.outbox import outbox_dispatch
from gongxin.portal.tests import publicity_factories as pf
from gongxin.portal.tests.profile_factories import judgment_debtor_of, penalties_of
from gongxin.records.choices import Purpose
from gongxin.records.models import Record
from gongxin.testing import factories
from gongxin.testing.personas import signed_in, user_create

pytestmark = pytest.mark.django_db


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _records(html: str, group: str) -> list[int]:
    section = html[html.index(f'data-group="{group}"'):]
    section = section[:section.index("</section>")]
    return [int(n) for n in re.findall(r'data-record="(\d+)"', section)]


def _link(html: str, page: str) -> str | None:
    match = re.search(rf'href="([^"]*)"(?: rel="\w+")? data-page="{page}"', html)
    return htmllib.unescape(match.group(1)) if match else None


def _walk(client, base: str, group: str) -> list[int]:
    """Every record of ``group`` from the overview, then each next page to the end."""
    html = _page(client, base)
    seen = _records(html, group)
    link = _link(html, "more")
    while link:
        html = _page(client, base + link)
        seen += _records(html, group)
        link = _link(html, "next")
    return seen


def _newest_first(records: list[Record]) -> list[int]:
    ordered = sorted(records, key=lambda r: (r.current_version.decision_date, r.pk), reverse=True)
    return [r.pk for r in ordered]


def test_a_big_profile_is_grouped_counted_and_every_record_reached_once(client, acme, source_unit):
    penalties = penalties_of(subject=acme, source_unit=source_unit, count=47, same_day=5)
    licence = factories.licence_create(subject=acme, source_unit=source_unit)
    outbox_dispatch()
    base = reverse("portal:organization", args=[acme.organization.uscc])

    html = _page(client, base)

    assert 'data-group-count="penalties">47<' in html and 'data-group-count="licences">1<' in html
    assert 'href="#penalties" data-group-link="penalties"' in html
    assert "共 48 条" in html
    assert _records(html, "penalties") == _newest_first(penalties)[:FIRST_PAGE_SIZE]  # a bounded first page
    assert _records(html, "licences") == [licence.pk]
    walked = _walk(client, base, "penalties")
    assert walked == _newest_first(penalties)  # all, once each, newest first (same day: newest id first)


def test_records_added_between_page_loads_neither_repeat_nor_vanish(client, acme, source_unit):
    penalties = penalties_of(subject=acme, source_unit=source_unit, count=25)
    base = reverse("portal:organization", args=[acme.organization.uscc])
    html = _page(client, base)
    seen = _records(html, "penalties")
    newer = factories.penalty_create(subject=acme, source_unit=source_unit, decided=clock.today())
    link = _link(html, "more")
    while link:
        html = _page(client, base + link)
        seen += _records(html, "penalties")
        link = _link(html, "next")
    assert seen == _newest_first(penalties) and newer.pk not in seen  # it is on the first page, not repeated


def test_the_last_and_previous_pages_of_a_group(client, acme, source_unit):
    penalties = penalties_of(subject=acme, source_unit=source_unit, count=45)
    base = reverse("portal:organization", args=[acme.organization.uscc])
    last = _page(client, base + "?group=penalties&cursor=last")
    assert _records(last, "penalties") == _newest_first(penalties)[-20:]
    assert _link(last, "next") is None
    previous = _page(client, base + _link(last, "previous"))
    assert _records(previous, "penalties") == _newest_first(penalties)[5:25]


def test_the_page_counts_nothing_when_the_summary_is_kept(client, acme, source_unit):
    penalties_of(subject=acme, source_unit=source_unit, count=12)
    outbox_dispatch()
    assert shown_counts(subject_id=acme.pk, purpose=Purpose.PUBLIC).from_summary
    with CaptureQueriesContext(connection) as captured:
        html = _page(client, reverse("portal:organization", args=[acme.organization.uscc]))
    assert 'data-group-count="penalties">12<' in html
    record_counts = [q["sql"] for q in captured.captured_queries
                     if "COUNT(" in q["sql"].upper() and '"records_record"' in q["sql"]]
    assert not record_counts, record_counts


def test_counts_follow_the_disclosure_of_each_purpose(client, acme, source_unit):
    penalties_of(subject=acme, source_unit=source_unit, count=3)
    factories.repair_mark(factories.penalty_create(subject=acme, source_unit=source_unit))
    internal = factories.internal_item_create()  # a penalty kind never disclosed, not even to the subject
    factories.penalty_create(subject=acme, source_unit=source_unit, item=internal)
    outbox_dispatch()
    agent = user_create("acme-agent-p", role=Role.ORG_AGENT, subject=acme)

    public = _page(client, reverse("portal:organization", args=[acme.organization.uscc]))
    own = _page(signed_in(agent), reverse("access:profile"))

    assert 'data-group-count="penalties">3<' in public and len(_records(public, "penalties")) == 3
    assert 'data-group-count="penalties">4<' in own and len(_records(own, "penalties")) == 4  # the repaired one too
    assert re.search(r"已修复 <strong>1</strong>", own)


def test_counts_stay_true_when_a_publicity_period_ends_by_date_alone(client, acme, source_unit):
    record = factories.penalty_create(subject=acme, source_unit=source_unit)
    outbox_dispatch()
    end = record.current_version.publicity_max_end
    base = reverse("portal:organization", args=[acme.organization.uscc])
    assert 'data-group-count="penalties">1<' in _page(client, base)
    with time_machine.travel(end + timedelta(days=2)):  # no clock job ran: the summary is past its "until"
        counts = shown_counts(subject_id=acme.pk, purpose=Purpose.PUBLIC)
        assert not counts.from_summary and counts.total == 0
        assert 'data-group-count="penalties"' not in _page(client, base)


def test_a_bad_cursor_is_a_clear_400(client, acme, source_unit):
    penalties_of(subject=acme, source_unit=source_unit, count=2)
    response = client.get(reverse("portal:organization", args=[acme.organization.uscc]) + "?group=penalties&cursor=x")
    assert response.status_code == 400
    assert "链接无效" in response.content.decode()


# --- the black-list banner -------------------------------------------------------------------------------------


def test_the_banner_names_a_judgment_debtor_listing_and_the_court_as_the_way_out(client, acme, source_unit):
    judgment_debtor_of(subject=acme, source_unit=source_unit)
    html = _page(client, reverse("portal:organization", args=[acme.organization.uscc]))
    banner = html[html.index("data-black-lists"):]
    banner = banner[:banner.index("</section>")]
    assert 'data-black-list="judgment_debtor"' in banner and "失信被执行人名单" in banner
    assert "法释〔2017〕7号" in banner  # the legal basis
    assert "履行生效法律文书确定的义务后" in banner  # the exit conditions
    assert "data-list-court" in banner and "信用修复不适用" in banner
    assert f"data-list-since>{(clock.today() - timedelta(days=40)):%Y-%m-%d}<" in banner


def test_a_serious_dishonesty_listing_shows_repair_as_a_way_out(client, acme, source_unit):
    pf.serious_dishonesty_of(subject=acme, source_unit=source_unit)
    html = _page(client, reverse("portal:organization", args=[acme.organization.uscc]))
    assert 'data-black-list="serious_dishonesty"' in html
    assert "data-list-court" not in html


def test_no_banner_without_a_black_list_or_once_repaired(client, acme, source_unit):
    factories.penalty_create(subject=acme, source_unit=source_unit)
    base = reverse("portal:organization", args=[acme.organization.uscc])
    assert "data-black-lists" not in _page(client, base)
    factories.repair_mark(pf.serious_dishonesty_of(subject=acme, source_unit=source_unit))
    assert "data-black-lists" not in _page(client, base)


def test_the_subject_sees_its_own_banner_on_me(acme, source_unit):
    judgment_debtor_of(subject=acme, source_unit=source_unit)
    agent = user_create("acme-agent-b", role=Role.ORG_AGENT, subject=acme)
    html = _page(signed_in(agent), reverse("access:profile"))
    assert "data-black-lists" in html and "您目前在黑名单中" in html and "data-list-court" in html


def test_a_person_on_me_is_paged_and_counted_too(source_unit):
    li = factories.person_create(name="李四")
    records = [judgment_debtor_of(subject=li, source_unit=source_unit, listed=clock.today() - timedelta(days=n + 1))
               for n in range(13)]
    user = user_create("li-p", role=Role.PERSON, subject=li)
    client = signed_in(user)
    base = reverse("access:profile")
    html = _page(client, base)
    assert 'data-group-count="lists">13<' in html
    assert _walk(client, base, "lists") == _newest_first(records)
