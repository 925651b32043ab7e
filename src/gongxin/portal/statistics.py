"""The home page's headline figures: a maintained statistics table instead of counting whole tables per request.

``figures_refresh`` counts everything once, set-based (a handful of GROUP BY statements, each over an index or
a small table), and replaces the ``PlatformFigure`` rows in one transaction. It runs

- as the outbox consumer ``FiguresConsumer`` when subjects or records changed, at most once every
  ``GONGXIN_FIGURES_REFRESH_SECONDS`` (60 s by default: an ingest of a million rows recounts a few times,
  not once per batch of events), and
- from ``gongxin figures refresh`` (cron, or by hand after a bulk load that wrote no events).

``figures_current`` is what the page reads: one query over the figures and one over the list types (a few
rows), whatever the size of the store. The page says when the figures were counted (``as_of``). The figures are
aggregates only: no count names or singles out a subject, and list figures count organizations only (persons are
never public, not even as the size of a list).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count

from gongxin.catalog.choices import RecordKind, SubjectKind
from gongxin.catalog.models import CatalogItem
from gongxin.catalog.selectors import items_current, source_units
from gongxin.core import clock
from gongxin.core.models import OutboxEvent
from gongxin.portal.models import PlatformFigure
from gongxin.records.models import ListEntry, ListType, Record
from gongxin.subjects.models import Subject

RECORDS_PREFIX = "records:"
LIST_PREFIX = "list:"


def figures_count() -> dict[str, int]:
    """Every headline figure, counted now (the only place that counts whole tables; never called by a page)."""
    kinds = dict(Subject.objects.order_by().values_list("kind").annotate(n=Count("id")))
    figures: dict[str, int] = {
        "organizations": kinds.get(SubjectKind.ORGANIZATION, 0),
        "persons": kinds.get(SubjectKind.PERSON, 0),
        "source_units": source_units().count(),
        "catalog_items": items_current().count(),
    }
    # Records by catalog item (the index on the item's foreign key), then summed by the item's record kind.
    by_item = dict(Record.objects.order_by().values_list("catalog_item_id").annotate(n=Count("id")))
    item_kinds = dict(CatalogItem.objects.filter(pk__in=list(by_item)).values_list("pk", "record_kind"))
    figures["records"] = sum(by_item.values())
    for item_id, n in by_item.items():
        key = RECORDS_PREFIX + str(item_kinds.get(item_id, RecordKind.OTHER))
        figures[key] = figures.get(key, 0) + n
    # Organizations on each list today (the entry projection's ``is_active``; kept by the daily clock job).
    for code in ListType.objects.values_list("code", flat=True):
        figures[LIST_PREFIX + code] = 0
    on_lists = (ListEntry.objects.filter(is_active=True, subject__kind=SubjectKind.ORGANIZATION).order_by()
                .values_list("list_type__code").annotate(n=Count("subject_id", distinct=True)))
    for code, n in on_lists:
        figures[LIST_PREFIX + code] = n
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
class HomeFigures:
    """What the home page shows; ``as_of`` is None when the figures were never counted."""

    values: dict[str, int]
    as_of: datetime | None
    lists: list[ListFigure]
    record_kinds: list[RecordKindFigure]

    @property
    def subjects(self) -> int:
        return self.values.get("organizations", 0) + self.values.get("persons", 0)


def figures_current() -> HomeFigures:
    """The stored figures (one small query, and one over the list types)."""
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
    return HomeFigures(values=values, as_of=as_of, lists=lists, record_kinds=record_kinds)


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
