"""The home page's headline figures: a maintained statistics table instead of counting whole tables per request.

``figures_refresh`` counts everything once, set-based (a handful of GROUP BY statements, each over an index or
a small table), and replaces the ``PlatformFigure`` rows in one transaction. It runs

- as the outbox consumer ``FiguresConsumer`` when subjects or records changed, at most once every
  ``GONGXIN_FIGURES_REFRESH_SECONDS`` (60 s by default: an ingest of a million rows recounts a few times,
  not once per batch of events), and
- from ``gongxin figures refresh`` (cron, or by hand after a bulk load that wrote no events).

Besides single figures, the refresh keeps two *series* for the home page's chart, as figures sharing a key
prefix: records by month of decision over the last ``MONTHS_IN_SERIES`` months (``month:2026-11``) and records by
source unit (``unit:<department code>``). They are counted in the same refresh, set-based: one GROUP BY over the
record identity index (source unit, catalog item) gives the records by item and by unit together, one range of
the versions' decision-date index the months. The refresh also finds the home page's newest public rows and stores
their record ids (``latest:publicity:1`` …, portal.latest).

``figures_current`` is what the page reads: one query over the figures, one over the list types and one over the
source units' names (a few rows each), whatever the size of the store. The page says when the figures were counted
(``as_of``). The figures are aggregates only: no count names or singles out a subject, and list figures count
organizations only (persons are never public, not even as the size of a list).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from gongxin.catalog.choices import RecordKind, SubjectKind
from gongxin.catalog.models import CatalogItem, SourceUnit
from gongxin.catalog.selectors import items_current, source_units
from gongxin.core import clock
from gongxin.core.models import OutboxEvent
from gongxin.portal.latest import latest_count
from gongxin.portal.models import PlatformFigure
from gongxin.records.models import ListEntry, ListType, Record
from gongxin.subjects.models import Subject

RECORDS_PREFIX = "records:"
LIST_PREFIX = "list:"
# The chart's series (figures whose keys share a prefix): records by month of decision, records by source unit.
MONTH_PREFIX = "month:"
UNIT_PREFIX = "unit:"
# The month series covers this many months up to the current one (a year: the chart's width).
MONTHS_IN_SERIES = 12
# The source unit series on the home page: the units with the most records (the rest are summed as "others").
UNITS_SHOWN = 10


def _months(today: date, count: int) -> list[date]:
    """The first days of the ``count`` months up to and including ``today``'s, oldest first."""
    months = [today.replace(day=1)]
    while len(months) < count:
        months.append(clock.add_months(months[-1], -1))
    return list(reversed(months))


def _month_key(month: date) -> str:
    return f"{MONTH_PREFIX}{month:%Y-%m}"


def figures_count() -> dict[str, int]:
    """Every headline figure, counted now (the only place that counts whole tables; never called by a page)."""
    kinds = dict(Subject.objects.order_by().values_list("kind").annotate(n=Count("id")))
    figures: dict[str, int] = {
        "organizations": kinds.get(SubjectKind.ORGANIZATION, 0),
        "persons": kinds.get(SubjectKind.PERSON, 0),
        "source_units": source_units().count(),
        "catalog_items": items_current().count(),
    }
    # Records by source unit and catalog item in one GROUP BY along the record identity index (it starts with
    # both), then summed by the item's record kind and by the unit.
    by_unit_item = list(Record.objects.order_by().values_list("source_unit_id", "catalog_item_id")
                        .annotate(n=Count("id")))
    by_item: dict[int, int] = {}
    by_unit: dict[int, int] = {}
    for unit_id, item_id, n in by_unit_item:
        by_item[item_id] = by_item.get(item_id, 0) + n
        by_unit[unit_id] = by_unit.get(unit_id, 0) + n
    item_kinds = dict(CatalogItem.objects.filter(pk__in=list(by_item)).values_list("pk", "record_kind"))
    figures["records"] = sum(by_item.values())
    for item_id, n in by_item.items():
        key = RECORDS_PREFIX + str(item_kinds.get(item_id, RecordKind.OTHER))
        figures[key] = figures.get(key, 0) + n
    unit_codes = dict(SourceUnit.objects.filter(pk__in=list(by_unit)).values_list("pk", "department__code"))
    for unit_id, n in by_unit.items():
        figures[UNIT_PREFIX + str(unit_codes.get(unit_id, unit_id))] = n
    # Records by month of their current version's decision (a range of the versions' decision-date index);
    # every month of the series is stored, zero when nothing was decided in it.
    months = _months(clock.today(), MONTHS_IN_SERIES)
    for month in months:
        figures[_month_key(month)] = 0
    by_month = (Record.objects.filter(current_version__decision_date__gte=months[0],
                                      current_version__decision_date__lte=clock.today())
                .annotate(month=TruncMonth("current_version__decision_date")).order_by()
                .values_list("month").annotate(n=Count("id")))
    for month_value, n in by_month:
        if month_value is not None:
            figures[_month_key(month_value)] = n
    # Organizations on each list today (the entry projection's ``is_active``; kept by the daily clock job).
    for code in ListType.objects.values_list("code", flat=True):
        figures[LIST_PREFIX + code] = 0
    on_lists = (ListEntry.objects.filter(is_active=True, subject__kind=SubjectKind.ORGANIZATION).order_by()
                .values_list("list_type__code").annotate(n=Count("subject_id", distinct=True)))
    for code, n in on_lists:
        figures[LIST_PREFIX + code] = n
    # The home page's newest rows, found here once rather than on every visit (portal.latest).
    figures.update(latest_count())
    return figures


def figures_refresh(*, now: datetime | None = None) -> dict[str, int]:
    """Count the figures and replace the stored ones, in one transaction. Safe to re-run at any time."""
    figures = figures_count()
    as_of = now or clock.now()
    with transaction.atomic():
        PlatformFigure.objects.exclude(key__in=list(figures)).delete()
        PlatformFigure.objects.bulk_create(
            [PlatformFigure(key=key, value=value, as_of=as_of) for key, value in figures.items()],
            update_conflicts=True, unique_fields=["key"], update_fields=["value", "as_of"],
        )
    return figures


@dataclass(frozen=True)
class ListFigure:
    code: str
    name: str
    kind: str  # red or black
    organizations: int


@dataclass(frozen=True)
class RecordKindFigure:
    kind: str
    label: str
    records: int


@dataclass(frozen=True)
class SeriesPoint:
    key: str
    label: str
    value: int


@dataclass(frozen=True)
class HomeFigures:
    """What the home page shows; ``as_of`` is None when the figures were never counted."""

    values: dict[str, int]
    as_of: datetime | None
    lists: list[ListFigure]
    record_kinds: list[RecordKindFigure]
    # The chart's series, as last counted: records by month (oldest first), records by source unit (most first).
    by_month: list[SeriesPoint] = field(default_factory=list)
    by_unit: list[SeriesPoint] = field(default_factory=list)

    @property
    def subjects(self) -> int:
        return self.values.get("organizations", 0) + self.values.get("persons", 0)


def _by_month(values: dict[str, int]) -> list[SeriesPoint]:
    points = sorted((key, value) for key, value in values.items() if key.startswith(MONTH_PREFIX))
    return [SeriesPoint(key=key.removeprefix(MONTH_PREFIX), label=key.removeprefix(MONTH_PREFIX), value=value)
            for key, value in points[-MONTHS_IN_SERIES:]]


def _by_unit(values: dict[str, int]) -> list[SeriesPoint]:
    counted = sorted(((value, key.removeprefix(UNIT_PREFIX)) for key, value in values.items()
                      if key.startswith(UNIT_PREFIX) and value), key=lambda pair: (-pair[0], pair[1]))
    if not counted:
        return []
    shown = counted[:UNITS_SHOWN]
    names = dict(SourceUnit.objects.filter(department__code__in=[code for _n, code in shown])
                 .values_list("department__code", "department__name"))
    points = [SeriesPoint(key=code, label=names.get(code, code), value=value) for value, code in shown]
    others = sum(value for value, _code in counted[UNITS_SHOWN:])
    if others:
        points.append(SeriesPoint(key="", label=str(_("Other source units")), value=others))
    return points


def figures_current() -> HomeFigures:
    """The stored figures (one small query, one over the list types and one over the shown units' names)."""
    rows = list(PlatformFigure.objects.values_list("key", "value", "as_of"))
    values = {key: value for key, value, _at in rows}
    as_of = min((at for _key, _value, at in rows), default=None)
    lists = [
        ListFigure(code=lt.code, name=lt.name, kind=lt.kind, organizations=values[LIST_PREFIX + lt.code])
        for lt in ListType.objects.order_by("kind", "code") if LIST_PREFIX + lt.code in values
    ]
    labels = dict(RecordKind.choices)
    record_kinds = [
        RecordKindFigure(kind=kind, label=str(labels[kind]), records=values[RECORDS_PREFIX + kind])
        for kind in RecordKind.values if values.get(RECORDS_PREFIX + kind)
    ]
    return HomeFigures(values=values, as_of=as_of, lists=lists, record_kinds=record_kinds,
                       by_month=_by_month(values), by_unit=_by_unit(values))


def _refresh_interval() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "GONGXIN_FIGURES_REFRESH_SECONDS", 60)))


class FiguresConsumer:
    """Recounts the figures when subjects or records changed, at most once per refresh interval.

    Idempotent: a recount reads the store as it is. Events inside the interval after a recount are only
    skipped, never lost: the next event after the interval, or ``gongxin figures refresh`` from cron, counts
    them — the page states the time of the count."""

    name = "portal.figures"
    aggregate_types = frozenset({"record", "subject"})

    def handle(self, events: Sequence[OutboxEvent]) -> None:
        if not any(e.aggregate_type in self.aggregate_types for e in events):
            return
        now = clock.now()
        last = PlatformFigure.objects.filter(key="records").values_list("as_of", flat=True).first()
        if last is not None and now - last < _refresh_interval():
            return
        figures_refresh(now=now)
