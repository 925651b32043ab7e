"""The home page's newest rows: the newest public licences and penalties and the newest public red and black list
entries in force (organizations only).

Finding them walks the listing's decision-date index (portal 0002) past what the public may not see; at city scale
that costs tens of milliseconds per kind, too much for every visit. So the walk runs with the figures' refresh
(``portal.statistics``: at most once per ``GONGXIN_FIGURES_REFRESH_SECONDS`` after changes, and from
``gongxin figures refresh``), which stores the found records' ids as figures (``latest:publicity:1`` …); the page
reads those records back by primary key in one statement, through the same disclosure policy, so a record
revoked, repaired or taken off its list since the refresh is not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from gongxin.access.disclosure import records_visible
from gongxin.accounts.viewer import ANONYMOUS
from gongxin.catalog.choices import SubjectKind
from gongxin.core import clock
from gongxin.core.paging import keyset_page
from gongxin.portal.selectors import PUBLICITY_KEYSET, PublicityFilters, PublicityRow, publicity_records
from gongxin.portal.selectors import _row as publicity_row  # the listing's own row: the home shows the same
from gongxin.records.choices import ListKind, Purpose
from gongxin.records.models import Record
from gongxin.subjects.models import Organization

# The home page shows this many of the newest double-publicity rows, and of each kind of list's entries.
HOME_LATEST_ROWS = 5
LATEST_PREFIX = "latest:"
# The groups of newest rows, as stored: publicity (licences and penalties), red and black list entries.
GROUPS: tuple[str, ...] = ("publicity", ListKind.RED, ListKind.BLACK)


@dataclass(frozen=True)
class ListHighlight:
    """A list entry in force, as the public may see it: an organization, its list and since when."""

    record_id: int
    list_code: str
    list_name: str
    subject_name: str
    uscc: str
    start_date: date
    end_date: date | None
    source_unit_name: str


def _in_force(today: date) -> Q:
    return (Q(list_entry__is_active=True, list_entry__start_date__lte=today)
            & (Q(list_entry__end_date__isnull=True) | Q(list_entry__end_date__gte=today)))


def publicity_latest_ids(*, size: int = HOME_LATEST_ROWS) -> list[int]:
    """The newest public licences and penalties: the listing's first rows (one range of its index, no count)."""
    page = keyset_page(publicity_records(PublicityFilters()), keyset=PUBLICITY_KEYSET, cursor=None, size=size)
    return [record.pk for record in page.items]


def list_entries_latest_ids(*, kind: str, size: int = HOME_LATEST_ROWS) -> list[int]:
    """The newest entries of the red or black lists in force today that the public may see, newest listing decision
    first: organizations only (persons are never public, not even as a list's newest entry), through the one
    disclosure policy."""
    today = clock.today()
    return list(
        records_visible(viewer=ANONYMOUS, purpose=Purpose.PUBLIC, today=today)
        .filter(_in_force(today), subject__kind=SubjectKind.ORGANIZATION, list_entry__list_type__kind=kind)
        .order_by(*PUBLICITY_KEYSET.order_by()).values_list("pk", flat=True)[:size]
    )


def latest_count() -> dict[str, int]:
    """The figures that keep the newest rows: ``latest:<group>:<rank>`` → record id (the refresh stores them)."""
    found = {"publicity": publicity_latest_ids()}
    for kind in (ListKind.RED, ListKind.BLACK):
        found[kind] = list_entries_latest_ids(kind=kind)
    return {f"{LATEST_PREFIX}{group}:{rank}": record_id
            for group, ids in found.items() for rank, record_id in enumerate(ids, start=1)}


def latest_ids(values: dict[str, int]) -> dict[str, list[int]]:
    """The stored ids by group, in rank order (from the figures ``figures_current`` read)."""
    ranked: dict[str, list[tuple[int, int]]] = {group: [] for group in GROUPS}
    for key, value in values.items():
        if not key.startswith(LATEST_PREFIX):
            continue
        group, _sep, rank = key.removeprefix(LATEST_PREFIX).rpartition(":")
        if group in ranked and rank.isdigit():
            ranked[group].append((int(rank), value))
    return {group: [record_id for _rank, record_id in sorted(pairs)] for group, pairs in ranked.items()}


@dataclass(frozen=True)
class Latest:
    publicity: list[PublicityRow]
    red: list[ListHighlight]
    black: list[ListHighlight]


def _visible(ids: list[int], today: date) -> QuerySet[Record]:
    return (records_visible(viewer=ANONYMOUS, purpose=Purpose.PUBLIC, today=today)
            .filter(pk__in=ids, subject__kind=SubjectKind.ORGANIZATION)
            .select_related("subject__organization", "list_entry__list_type"))


def _highlight(record: Record, today: date) -> ListHighlight | None:
    entry = getattr(record, "list_entry", None)
    if entry is None or not entry.is_active or entry.start_date > today or (
            entry.end_date is not None and entry.end_date < today):
        return None  # off its list since the refresh
    organization: Organization | None = getattr(record.subject, "organization", None)
    return ListHighlight(
        record_id=record.pk, list_code=entry.list_type.code, list_name=entry.list_type.name,
        subject_name=record.subject.name, uscc=organization.uscc if organization is not None else "",
        start_date=entry.start_date, end_date=entry.end_date, source_unit_name=record.source_unit.department.name,
    )


def latest_rows(ids: dict[str, list[int]], *, english: bool = False) -> Latest:
    """The stored newest rows as the public may see them now: one statement by primary key for all groups."""
    wanted = [record_id for group in GROUPS for record_id in ids.get(group, [])]
    if not wanted:
        return Latest(publicity=[], red=[], black=[])
    today = clock.today()
    records = {record.pk: record for record in _visible(wanted, today)}
    publicity = [publicity_row(records[pk], english=english) for pk in ids.get("publicity", []) if pk in records]

    def highlights(group: str) -> list[ListHighlight]:
        shown = (_highlight(records[pk], today) for pk in ids.get(group, []) if pk in records)
        return [highlight for highlight in shown if highlight is not None]

    return Latest(publicity=publicity, red=highlights(ListKind.RED), black=highlights(ListKind.BLACK))
