"""The listing's filtered reads that take a shortcut to stay one short index range (decision 044): the type filter
through the layouts, penalties bounded by the longest publicity period, a period counted along the index. Each
must serve exactly what a plain filtered query of the visible records serves, in the same order."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection

from gongxin.access.disclosure import records_visible
from gongxin.accounts.viewer import ANONYMOUS
from gongxin.catalog.models import SourceUnit
from gongxin.catalog.policy import publicity_decided_since
from gongxin.core import clock
from gongxin.core.paging import LAST, HonestCount
from gongxin.portal import selectors
from gongxin.portal.selectors import (
    PublicityFilters,
    publicity_count,
    publicity_filters_parse,
    publicity_page,
)
from gongxin.portal.tests import publicity_factories as pf
from gongxin.records import models as record_models
from gongxin.records.choices import Purpose
from gongxin.records.models import Record
from gongxin.testing import factories

pytestmark = pytest.mark.django_db

PAGE = 2


def _plain(*, kinds: tuple[str, ...] = ("licence", "penalty"), keep: Any = None) -> list[int]:
    """The visible records of ``kinds`` (and ``keep(record)``), in the listing's order, read the plain way."""
    records = [
        record for record in records_visible(viewer=ANONYMOUS, purpose=Purpose.PUBLIC)
        .filter(catalog_item__record_kind__in=kinds)
        if keep is None or keep(record)
    ]
    dated = sorted((r for r in records if r.current_version.decision_date is not None),
                   key=lambda r: (r.current_version.decision_date, r.current_version_id), reverse=True)
    undated = sorted((r for r in records if r.current_version.decision_date is None),
                     key=lambda r: r.current_version_id, reverse=True)
    return [r.pk for r in dated + undated]


def _forward(filters: PublicityFilters) -> list[int]:
    """Every row, page by page from the first with the ``next`` cursors."""
    listing = publicity_page(filters=filters, size=PAGE)
    rows = [row.record_id for row in listing.rows]
    while listing.next_cursor:
        listing = publicity_page(filters=filters, cursor=listing.next_cursor, size=PAGE)
        rows += [row.record_id for row in listing.rows]
    return rows


def _backward(filters: PublicityFilters) -> list[int]:
    """Every row, page by page from the last with the ``previous`` cursors, put back in the listing's order."""
    listing = publicity_page(filters=filters, cursor=LAST, size=PAGE)
    pages = [[row.record_id for row in listing.rows]]
    while listing.previous_cursor:
        listing = publicity_page(filters=filters, cursor=listing.previous_cursor, size=PAGE)
        pages.insert(0, [row.record_id for row in listing.rows])
    rows = [pk for page in pages for pk in page]
    return list(dict.fromkeys(rows))  # the first page is served full, so it may repeat rows of the second


def _types(record: Record) -> str:
    return str(record.current_version.payload.get("penalty_types") or "")


def _ago(days: int) -> date:
    return clock.today() - timedelta(days=days)


@pytest.fixture
def penalties_over_years(acme, source_unit) -> list[Record]:
    """Fines (12 months of publicity) and revocations (36) decided from 10 days to 5 years ago, some ended."""
    made = []
    for days in (10, 100, 300, 500, 700, 900, 1050, 1200, 1500, 1800):
        made.append(factories.penalty_create(subject=acme, source_unit=source_unit, decided=_ago(days)))
        made.append(factories.penalty_create(subject=acme, source_unit=source_unit, decided=_ago(days + 1),
                                             penalty_types="吊销许可证件;罚款"))
    factories.licence_create(subject=acme, source_unit=source_unit, decided=_ago(2000))
    return made


def test_penalties_pages_equal_the_plain_query_both_ways(penalties_over_years):
    filters = publicity_filters_parse(kind="penalty")
    expected = _plain(kinds=("penalty",))
    # The data reaches past the bound: some shown penalties are older than a year, some hidden ones older still.
    shown_dates = [Record.objects.get(pk=pk).current_version.decision_date for pk in expected]
    assert min(shown_dates) < _ago(365)
    assert len(expected) < len(penalties_over_years)
    assert _forward(filters) == expected
    assert _backward(filters) == expected


def test_the_bound_lies_below_every_shown_penalty(penalties_over_years):
    since = publicity_decided_since(day=clock.today())
    assert since is not None
    for pk in _plain(kinds=("penalty",)):
        assert Record.objects.get(pk=pk).current_version.decision_date >= since
    # The longest period of the seeded policies is 36 months: the bound is a month below it.
    assert since <= date(clock.today().year - 3, clock.today().month, 1)


def test_a_penalty_type_pages_equal_the_plain_query(penalties_over_years):
    filters = publicity_filters_parse(type_code="吊销许可证件")
    expected = _plain(kinds=("penalty",), keep=lambda r: "吊销许可证件" in _types(r))
    assert expected
    assert _forward(filters) == expected
    assert _backward(filters) == expected
    fines = publicity_filters_parse(type_code="罚款")
    assert _forward(fines) == _plain(kinds=("penalty",), keep=lambda r: "罚款" in _types(r))


def test_a_type_nobody_has_lists_nothing(penalties_over_years):
    filters = publicity_filters_parse(type_code="行政拘留")
    listing = publicity_page(filters=filters)
    assert listing.rows == [] and listing.next_cursor is None
    assert publicity_count(filters).value == 0


def test_a_payload_stored_plainly_is_found_by_its_type(acme, source_unit, monkeypatch):
    """A version whose layout id is taken by another text keeps its payload as an object (decision 047)."""
    monkeypatch.setattr(record_models, "texts_ensure", lambda texts: dict.fromkeys(texts))
    plain = factories.penalty_create(subject=acme, source_unit=source_unit, penalty_types="责令停产停业")
    monkeypatch.undo()
    assert isinstance(Record.objects.get(pk=plain.pk).current_version.packed_payload, dict)
    factories.penalty_create(subject=acme, source_unit=source_unit)
    assert _forward(publicity_filters_parse(type_code="责令停产停业")) == [plain.pk]


def test_licence_categories_pages_equal_the_plain_query(acme, source_unit):
    for days in (5, 50, 500, 5000):
        pf.licence_of(subject=acme, source_unit=source_unit, category="franchise", decided=_ago(days))
        pf.licence_of(subject=acme, source_unit=source_unit, decided=_ago(days + 1))
    filters = publicity_filters_parse(type_code="franchise")
    expected = _plain(kinds=("licence",), keep=lambda r: r.current_version.payload["licence_category"] == "franchise")
    assert len(expected) == 4
    assert _forward(filters) == expected
    assert _backward(filters) == expected


def test_a_period_is_counted_exactly_then_at_least(penalties_over_years, monkeypatch):
    period = {"date_from": _ago(1200).isoformat(), "date_to": _ago(100).isoformat()}
    filters = publicity_filters_parse(**period)
    expected = _plain(keep=lambda r: _ago(1200) <= r.current_version.decision_date <= _ago(100))
    assert _forward(filters) == expected
    count = publicity_count(filters)
    assert (count.value, count.exactness) == (len(expected), "exact")
    assert publicity_page(filters=filters).count == count
    monkeypatch.setattr(selectors, "LISTING_COUNT_EXACT_UP_TO", len(expected) - 1)
    # Past the cap the listing says only "more than the cap" (the planner's estimate of it is not trusted).
    assert publicity_count(filters) == HonestCount(len(expected) - 1, "at_least")
    assert publicity_count(PublicityFilters()) == HonestCount(len(expected) - 1, "at_least")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner settings")
def test_counting_a_period_leaves_the_planner_settings_as_they_were(penalties_over_years):
    def settings() -> tuple[str, str]:
        with connection.cursor() as cursor:  # inside the test's transaction, as a request's may be
            cursor.execute("SELECT current_setting('enable_sort'), current_setting('jit')")
            return cursor.fetchone()

    before = settings()
    assert before[0] == "on"
    publicity_count(publicity_filters_parse(date_from=_ago(400).isoformat()))
    assert settings() == before


@pytest.fixture
def two_departments_in_two_districts(source_unit) -> Any:
    """Licences and penalties of two departments for firms of two districts, decided on shared and distinct days."""
    ecology = pf.ecology_unit_create()
    haishu = pf.organization_in(name="宁波海曙戊公司", district="330203")
    beilun = pf.organization_in(name="宁波北仑己公司", district="330206")
    for days in (3, 3, 40, 400, 800):
        for subject in (haishu, beilun):
            pf.licence_of(subject=subject, source_unit=ecology, decided=_ago(days))
            factories.penalty_create(subject=subject, source_unit=source_unit, decided=_ago(days + 1))
    return ecology


def test_a_department_pages_equal_the_plain_query_both_ways(two_departments_in_two_districts):
    ecology = two_departments_in_two_districts
    for unit in (ecology, *SourceUnit.objects.exclude(pk=ecology.pk)):
        code = unit.department.code
        expected = _plain(keep=lambda r, unit=unit: r.source_unit_id == unit.pk)
        if not expected:
            continue
        filters = publicity_filters_parse(department=code)
        assert _forward(filters) == expected
        assert _backward(filters) == expected
        count = publicity_count(filters)
        assert (count.value, count.exactness) == (len(expected), "exact")
    assert len(_plain(keep=lambda r: r.source_unit_id == ecology.pk)) == 10


def test_a_district_pages_equal_the_plain_query_both_ways(two_departments_in_two_districts):
    for district in ("330203", "330206"):
        expected = _plain(keep=lambda r, district=district: r.subject.region_code == district)
        assert len(expected) == 10
        filters = publicity_filters_parse(district=district)
        assert _forward(filters) == expected
        assert _backward(filters) == expected
        assert publicity_count(filters) == HonestCount(len(expected), "exact")
    combined = publicity_filters_parse(district="330206", department=two_departments_in_two_districts.department.code)
    assert _forward(combined) == _plain(
        keep=lambda r: r.subject.region_code == "330206" and r.source_unit_id == two_departments_in_two_districts.pk)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner settings")
def test_the_listing_is_counted_without_parallel_workers_and_a_department_along_its_index(
    two_departments_in_two_districts, monkeypatch,
):
    """The count reads at most the cap + 1 rows: never worth a parallel worker (a fresh backend each) or a JIT
    compilation, and a department's records are read along the identity index up to the cap, not as a bitmap of
    all of them (decision 087)."""
    names = ("max_parallel_workers_per_gather", "jit", "enable_bitmapscan")
    seen: list[dict[str, str]] = []
    counting = selectors.count_honest

    def count_honest(queryset: Any, **kwargs: Any) -> HonestCount:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(names)), names)
            seen.append(dict(zip(names, cursor.fetchone(), strict=True)))
        return counting(queryset, **kwargs)

    monkeypatch.setattr(selectors, "count_honest", count_honest)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(names)), names)
        before = cursor.fetchone()
    department = two_departments_in_two_districts.department.code
    assert publicity_count(publicity_filters_parse(department=department)).value == 10
    assert publicity_count(publicity_filters_parse(district="330203")).value == 10
    assert publicity_count(publicity_filters_parse(department=department, type_code="franchise")).value == 0
    assert seen == [
        {"max_parallel_workers_per_gather": "0", "jit": "off", "enable_bitmapscan": "off"},
        {"max_parallel_workers_per_gather": "0", "jit": "off", "enable_bitmapscan": "on"},
        {"max_parallel_workers_per_gather": "0", "jit": "off", "enable_bitmapscan": "on"},  # a rare type's probes
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(names)), names)
        seen_now = cursor.fetchone()
    assert seen_now == before  # put back for the rest of the request
