"""Reads of the portal: the double-publicity listings (双公示) and an organization's credit card (信用名片).

Everything comes through the one disclosure policy: ``access.disclosure.records_visible`` for the
anonymous viewer and the public purpose (so persons, non-public items, repaired records and negative
records past their publicity end never appear), and ``fields_shown`` with the public purpose (so
personal fields are never read out of a payload here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from gongxin.access.disclosure import fields_reader, fields_shown, records_visible
from gongxin.accounts.viewer import ANONYMOUS
from gongxin.catalog.choices import RecordKind
from gongxin.catalog.models import CatalogItem, SourceUnit
from gongxin.catalog.policy import publicity_decided_since
from gongxin.catalog.seed import LICENCE_CATEGORIES
from gongxin.catalog.selectors import source_units
from gongxin.core import clock
from gongxin.core.errors import NotFound, ValidationFailed
from gongxin.core.paging import (
    LAST,
    HonestCount,
    Keyset,
    SortKey,
    count_honest,
    keyset_chunks,
    keyset_page,
    keyset_page_numbered,
)
from gongxin.core.planner import planner_settings
from gongxin.portal.errors import (
    CardNotFound,
    ListingDateInvalid,
    ListingDateRangeInvalid,
    ListingDepartmentUnknown,
    ListingDistrictUnknown,
    ListingKindUnknown,
    ListingTypeKindMismatch,
    ListingTypeUnknown,
)
from gongxin.records.choices import Purpose
from gongxin.records.lists import entries_in_force_q
from gongxin.records.models import ListEntry, Record
from gongxin.records.packing import payload_key_q, payload_unpack
from gongxin.scoring.selectors import PublicGrade, evaluated, grade_public
from gongxin.subjects.models import Organization, Subject
from gongxin.subjects.selectors import subject_by_uscc

# --- double publicity --------------------------------------------------------------------------------

PUBLICITY_KINDS: tuple[str, ...] = (RecordKind.LICENCE, RecordKind.PENALTY)
LISTING_PAGE_SIZE = 20
LISTING_PAGE_SIZE_MAX = 50
# The listing is paged by keyset (core.paging): newest decision first (records without a date last), ties by
# the current version's id, which the index portal 0002 holds with the date — so every page, the last one
# too, is one short index range at any depth.
PUBLICITY_KEYSET = Keyset(name="portal.publicity", keys=(
    SortKey("current_version__decision_date", "date", nullable=True),
    SortKey("current_version__id", "int"),
))
# The listing's count is exact up to this many rows, then estimated: counting stops after one more row, so a
# count costs at most about as many rows as this (decision 044; 10,000 cost a second for a busy month at 1M).
LISTING_COUNT_EXACT_UP_TO = 1_000
# Links that still carry a page number (?page=N, before keyset paging) are served up to this page, by offset;
# deeper ones get the first page and a message.
LISTING_NUMBERED_PAGES_MAX = 50
# An export holds at most this many rows (an Excel sheet holds 1,048,576); past it the file's last line says
# it stops there, and the page says so before the download.
EXPORT_MAX_ROWS = 1_000_000
# Rows read per query while an export streams (each chunk starts where the last stopped).
EXPORT_CHUNK_ROWS = 2_000

# The districts of Ningbo (GB/T 2260), the city this platform models.
NINGBO_DISTRICTS: tuple[tuple[str, str], ...] = (
    ("330203", "海曙区"),
    ("330205", "江北区"),
    ("330206", "北仑区"),
    ("330211", "镇海区"),
    ("330212", "鄞州区"),
    ("330213", "奉化区"),
    ("330225", "象山县"),
    ("330226", "宁海县"),
    ("330281", "余姚市"),
    ("330282", "慈溪市"),
)
_DISTRICTS = dict(NINGBO_DISTRICTS)

# Penalty types of the Administrative Penalty Law (Art. 9) as the national data standard writes them
# in 处罚类别; a record may carry several, so the filter matches any of them in the field.
PENALTY_TYPES: tuple[str, ...] = (
    "警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件", "降低资质等级", "吊销许可证件",
    "限制开展生产经营活动", "责令停产停业", "责令关闭", "限制从业", "行政拘留", "其他",
)

# Payload fields of the double-publicity standard read for the listing columns, by meaning.
_DECISION_NUMBER_FIELDS = ("decision_number", "licence_decision_number")
_TYPE_FIELDS = ("penalty_types", "licence_category")
_CONTENT_FIELDS = ("penalty_content", "licence_content")
_AUTHORITY_FIELDS = ("authority_name",)


def licence_categories() -> tuple[tuple[str, str], ...]:
    """(code, label) of the licence categories (许可类别) of the double-publicity standard."""
    return tuple((c["code"], c["label"]) for c in LICENCE_CATEGORIES)


def district_name(code: str) -> str:
    return _DISTRICTS.get(code, "")


@dataclass(frozen=True)
class PublicityFilters:
    """Validated filters of the listing; empty values filter nothing."""

    kind: str = ""
    department: str = ""
    district: str = ""
    type_code: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def as_params(self) -> dict[str, str]:
        """The filters as query parameters (the names the page and the API use), empty ones left out."""
        params = {
            "kind": self.kind,
            "department": self.department,
            "district": self.district,
            "type": self.type_code,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {key: value for key, value in params.items() if value}


def _clean(value: Any) -> str:
    return " ".join(str(value or "").split())


def _date(value: date | str | None, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ListingDateInvalid(
            _("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": text[:40]},
            details={"field": name},
        ) from None


def publicity_filters_parse(
    *,
    kind: str | None = "",
    department: str | None = "",
    district: str | None = "",
    type_code: str | None = "",
    date_from: date | str | None = None,
    date_to: date | str | None = None,
) -> PublicityFilters:
    """Check the listing's filters; raise ``InvalidListingFilter`` (422) with a clear message on a bad one."""
    kind_value = _clean(kind).lower()
    if kind_value and kind_value not in PUBLICITY_KINDS:
        raise ListingKindUnknown(
            _("Unknown kind “%(value)s”: use “licence” or “penalty”.") % {"value": kind_value[:40]},
            details={"field": "kind"},
        )

    department_value = _clean(department)
    if department_value and not SourceUnit.objects.filter(department__code=department_value).exists():
        raise ListingDepartmentUnknown(
            _("No source unit has the code “%(value)s”.") % {"value": department_value[:40]},
            details={"field": "department"},
        )

    district_value = _clean(district)
    if district_value and district_value not in _DISTRICTS:
        raise ListingDistrictUnknown(
            _("Unknown district “%(value)s”: give the six-digit code of a district of the city.")
            % {"value": district_value[:40]},
            details={"field": "district"},
        )

    type_value = _clean(type_code)
    if type_value:
        is_licence_type = type_value in dict(licence_categories())
        is_penalty_type = type_value in PENALTY_TYPES
        if not (is_licence_type or is_penalty_type):
            raise ListingTypeUnknown(
                _("Unknown type “%(value)s”.") % {"value": type_value[:40]},
                details={"field": "type"},
            )
        if (kind_value == RecordKind.LICENCE and not is_licence_type) or (
            kind_value == RecordKind.PENALTY and not is_penalty_type
        ):
            raise ListingTypeKindMismatch(
                _("The type “%(value)s” does not belong to the chosen kind.") % {"value": type_value},
                details={"field": "type"},
            )

    start = _date(date_from, "date_from")
    end = _date(date_to, "date_to")
    if start and end and start > end:
        raise ListingDateRangeInvalid(details={"field": "date_from"})
    return PublicityFilters(kind=kind_value, department=department_value, district=district_value,
                            type_code=type_value, date_from=start, date_to=end)


def publicity_records(filters: PublicityFilters) -> QuerySet[Record]:
    """The public licences and penalties matching ``filters``, newest decision first (city-wide)."""
    queryset = records_visible(viewer=ANONYMOUS, purpose=Purpose.PUBLIC).filter(
        catalog_item__record_kind__in=[filters.kind] if filters.kind else list(PUBLICITY_KINDS)
    )
    if filters.department:
        # By the department's source units' ids, not through the join to the department's code: the planner then
        # reads this department's share of the records from the statistics of ``source_unit_id`` (its most common
        # values) instead of the average of all departments, and chooses between walking the listing's index and
        # reading the department's records from that estimate.
        queryset = queryset.filter(source_unit_id__in=_department_units(filters.department))
    if filters.district:
        queryset = queryset.filter(subject__region_code=filters.district)
    if filters.type_code:
        condition = Q()
        if filters.type_code in dict(licence_categories()):
            condition |= Q(catalog_item__record_kind=RecordKind.LICENCE) & payload_key_q(
                prefix="current_version__", key="licence_category", value=filters.type_code)
        if filters.type_code in PENALTY_TYPES:
            condition |= Q(catalog_item__record_kind=RecordKind.PENALTY) & payload_key_q(
                prefix="current_version__", key="penalty_types", lookup="icontains", value=filters.type_code)
        queryset = queryset.filter(condition)
    if filters.date_from:
        queryset = queryset.filter(current_version__decision_date__gte=filters.date_from)
    if filters.date_to:
        queryset = queryset.filter(current_version__decision_date__lte=filters.date_to)
    if _penalties_only(filters):
        # Penalties are shown only within their publicity window, which ends at most the longest period of the
        # publicity policies after the decision: older decisions are not read at all. The filter changes no row
        # (a shown penalty always has a decision date inside it) but makes the last page one short index range
        # instead of a walk back through every penalty whose publicity has ended.
        since = publicity_decided_since(day=clock.today())
        if since is not None:
            queryset = queryset.filter(current_version__decision_date__gte=since)
    return queryset.select_related("subject__organization").order_by(*PUBLICITY_KEYSET.order_by())


def _department_units(code: str) -> list[int]:
    """The ids of the source units of the department ``code`` (none for an unknown code: an empty listing)."""
    return list(SourceUnit.objects.filter(department__code=code).values_list("pk", flat=True))


def _penalties_only(filters: PublicityFilters) -> bool:
    if filters.kind:
        return filters.kind == RecordKind.PENALTY
    return bool(filters.type_code) and filters.type_code not in dict(licence_categories())


@dataclass(frozen=True)
class PublicityRow:
    """One line of the listing: only what the public may see."""

    record_id: int
    kind: str
    item_name: str
    subject_name: str
    uscc: str
    district_code: str
    district_name: str
    decision_number: str
    type_label: str
    content: str
    decision_date: date | None
    publicity_end: date | None
    source_unit_name: str
    authority_name: str
    under_objection: bool
    fields: list[tuple[str, str, str]] = field(default_factory=list)


def _first(shown: dict[str, str], codes: tuple[str, ...]) -> str:
    return next((shown[code] for code in codes if shown.get(code)), "")


def _row(record: Record, *, english: bool) -> PublicityRow:
    version = record.current_version
    assert version is not None
    item = record.catalog_item
    fields = fields_shown(item=item, payload=version.payload, purpose=Purpose.PUBLIC)
    subject = record.subject
    organization: Organization | None = getattr(subject, "organization", None)
    return _row_make(
        record_id=record.pk, item=item, english=english, fields=fields, subject_name=subject.name,
        uscc=organization.uscc if organization is not None else "", region_code=subject.region_code,
        decision_date=version.decision_date, publicity_end=version.publicity_max_end,
        source_unit_name=record.source_unit.department.name, under_objection=version.under_objection,
    )


def _row_make(
    *, record_id: int, item: CatalogItem, english: bool, fields: list[tuple[str, str, str]], subject_name: str,
    uscc: str, region_code: str, decision_date: date | None, publicity_end: date | None, source_unit_name: str,
    under_objection: bool, fields_kept: bool = True,
) -> PublicityRow:
    """A row of the listing from what was read of one record (as objects for a page, as values for an export);
    ``fields_kept`` False leaves ``fields`` empty (the columns are still read from them)."""
    shown = {code: value for code, _label, value in fields}
    return PublicityRow(
        record_id=record_id,
        kind=item.record_kind,
        item_name=item.name_en if english and item.name_en else item.name,
        subject_name=subject_name,
        uscc=uscc,
        district_code=region_code,
        district_name=district_name(region_code),
        decision_number=_first(shown, _DECISION_NUMBER_FIELDS),
        type_label=_first(shown, _TYPE_FIELDS),
        content=_first(shown, _CONTENT_FIELDS),
        decision_date=decision_date,
        publicity_end=publicity_end,
        source_unit_name=source_unit_name,
        authority_name=_first(shown, _AUTHORITY_FIELDS),
        under_objection=under_objection,
        fields=fields if fields_kept else [],
    )


@dataclass(frozen=True)
class PublicityListing:
    """One page of the listing: its rows, the cursors of the pages around it (None: there is none), and how
    many rows the whole listing has, as honestly as it is cheap to say (``core.paging.count_honest``)."""

    rows: list[PublicityRow]
    next_cursor: str | None
    previous_cursor: str | None
    count: HonestCount
    size: int
    # Set when a page number deeper than LISTING_NUMBERED_PAGES_MAX was asked for and the first page served.
    numbered_page_refused: bool = False

    @property
    def is_first(self) -> bool:
        return self.previous_cursor is None

    @property
    def is_last(self) -> bool:
        return self.next_cursor is None


def publicity_count(filters: PublicityFilters) -> HonestCount:
    """How many rows the listing has: exact up to LISTING_COUNT_EXACT_UP_TO, then "1,000+"."""
    return _count(publicity_records(filters), filters)


def _count(queryset: QuerySet[Record], filters: PublicityFilters) -> HonestCount:
    # A period is a range of the listing's index: counted along it, it reads at most the period's rows. Other
    # filters are left to the planner (a rare type is a few probes of the layout index, not a walk of the order).
    # No planner estimate past the cap: the planner reads the visibility rule's conditions as independent and
    # judges the listing tenfold low (at 1M records 58,300 for 612,860 rows, 16,200 for 122,148 penalties), so
    # "about" that number would mislead; "1,000+" is what is known.
    period = (filters.date_from or filters.date_to) and not filters.type_code
    with planner_settings(_count_settings(filters, period=bool(period)), using=queryset.db):
        return count_honest(queryset, exact_up_to=LISTING_COUNT_EXACT_UP_TO, estimate=lambda _queryset: None,
                            walk=PUBLICITY_KEYSET if period else None)


def _count_settings(filters: PublicityFilters, *, period: bool) -> dict[str, str]:
    """PostgreSQL planner settings for the listing's count, which reads at most LISTING_COUNT_EXACT_UP_TO + 1 rows
    (decision 087).

    No parallel workers and no JIT: each worker is a fresh backend whose start and cold caches cost more than the
    whole count (a district's count at 1.5M records: 32 ms of workers' CPU on top of the 21 ms it takes alone), and
    compiling costs more than it saves on a thousand rows. A department's count reads the department's records along
    the identity index (source unit first) and stops at the cap; a bitmap scan of that index would first read
    every entry of the department, a cost that grows with the department (decision 044: a count costs about as
    many rows as its cap). With a type the count is left the layout index's bitmap (a rare type's few probes)."""
    settings = {"max_parallel_workers_per_gather": "0", "jit": "off"}
    if filters.department and not filters.type_code and not period:
        settings["enable_bitmapscan"] = "off"
    return settings


def publicity_page(
    *, filters: PublicityFilters, cursor: str | None = None, number: int | None = None,
    size: int = LISTING_PAGE_SIZE, english: bool = False,
) -> PublicityListing:
    """The page at ``cursor`` (None: the first page; ``core.paging.LAST``: the last page; else a cursor of a
    page served before). ``number`` serves an old numbered link instead, up to LISTING_NUMBERED_PAGES_MAX.
    A bad cursor raises ``core.paging.CursorInvalid`` (400)."""
    size = max(1, min(size, LISTING_PAGE_SIZE_MAX))
    queryset = publicity_records(filters)
    refused = False
    if number is not None and number > 1 and not cursor:
        if number <= LISTING_NUMBERED_PAGES_MAX:
            page = keyset_page_numbered(queryset, keyset=PUBLICITY_KEYSET, number=number, size=size)
        else:
            refused = True
            page = keyset_page(queryset, keyset=PUBLICITY_KEYSET, cursor=None, size=size)
    else:
        page = keyset_page(queryset, keyset=PUBLICITY_KEYSET, cursor=cursor, size=size)
    return PublicityListing(
        rows=[_row(record, english=english) for record in page.items],
        next_cursor=page.next_cursor, previous_cursor=page.previous_cursor,
        count=_count(queryset, filters), size=size, numbered_page_refused=refused,
    )


def publicity_deep_cursor(*, filters: PublicityFilters | None = None, depth: int) -> str:
    """A cursor to the page that starts after row ``depth`` of the listing (or the last page, if it is
    shorter): what a reader who followed "next" that far holds. Found by offset — for benchmarks and tests."""
    queryset = publicity_records(filters or PublicityFilters())
    row = queryset[max(0, depth - 1): depth].first()
    return PUBLICITY_KEYSET.cursor_make(row, before=False) if row is not None else LAST


# What an export reads of each record, as plain values: at a million rows, building the seven model objects of a
# page's row (record, version, item, unit, department, subject, organization) and decoding the item's field schema
# for each cost more than the query (docs/scale.md, "Export throughput").
_EXPORT_COLUMNS = (
    "pk", "catalog_item_id", "source_unit_id", "subject__name", "subject__region_code",
    "subject__organization__uscc", "current_version__packed_payload", "current_version__decision_date",
    "current_version__publicity_max_end", "current_version__under_objection", "current_version_id",
)
_EXPORT_KEYS = (7, 10)  # the places of PUBLICITY_KEYSET's keys (decision date, version id) in _EXPORT_COLUMNS
# The payload fields an export's columns show (the listing's fields, by meaning).
_EXPORT_FIELDS = frozenset(_DECISION_NUMBER_FIELDS + _TYPE_FIELDS + _CONTENT_FIELDS + _AUTHORITY_FIELDS)


def publicity_export_rows(
    *, filters: PublicityFilters, limit: int = EXPORT_MAX_ROWS, english: bool = False,
    chunk_size: int = EXPORT_CHUNK_ROWS,
) -> Iterator[PublicityRow | None]:
    """Every row of the listing for an export, in the page's order, read in keyset chunks (one short index
    range per query, constant memory, no long transaction). After ``limit`` rows, if more follow, yields a
    final ``None``: the export says there that it stops.

    The rows are the page's rows but for ``fields``, which stays empty (an export's columns name the fields they
    show): each record is read as plain values, and what its rows share — the catalog item with the public
    reading of its schema, the source unit's name — is read once per export."""
    served = 0
    queryset = publicity_records(filters).values_list(*_EXPORT_COLUMNS)
    items: dict[int, tuple[CatalogItem, Callable[[dict[str, Any]], list[tuple[str, str, str]]]]] = {}
    units: dict[int, str] = {}
    date_at, version_at = _EXPORT_KEYS
    # walk: after the first chunk, along the publicity index (core.paging.index_walk), so that a long listing
    # costs one pass over the index, not a join and sort of every row after the cursor for every chunk.
    for chunk in keyset_chunks(queryset, keyset=PUBLICITY_KEYSET, chunk_size=chunk_size, walk=True,
                               values_of=lambda values: (values[date_at], values[version_at])):
        for (record_id, item_id, unit_id, subject_name, region_code, uscc, stored, decision_date, publicity_end,
             under_objection, _version_id) in chunk:
            if served == limit:
                yield None
                return
            served += 1
            known = items.get(item_id)
            if known is None:
                item = CatalogItem.objects.get(pk=item_id)
                known = items[item_id] = (item, fields_reader(item=item, purpose=Purpose.PUBLIC,
                                                              codes=_EXPORT_FIELDS, english=english))
            unit_name = units.get(unit_id)
            if unit_name is None:
                unit_name = units[unit_id] = SourceUnit.objects.values_list("department__name", flat=True).get(
                    pk=unit_id)
            item, read_fields = known
            yield _row_make(
                record_id=record_id, item=item, english=english, fields=read_fields(payload_unpack(stored)),
                subject_name=subject_name, uscc=uscc or "", region_code=region_code, decision_date=decision_date,
                publicity_end=publicity_end, source_unit_name=unit_name, under_objection=under_objection,
                fields_kept=False,
            )


def publicity_departments() -> list[tuple[str, str]]:
    """(code, name) of the active source units, for the department filter."""
    return list(source_units().values_list("department__code", "department__name"))


# --- credit card ---------------------------------------------------------------------------------------

# Counts shown on the card: (key, record kinds).
CARD_COUNT_KINDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("licences", frozenset({RecordKind.LICENCE})),
    ("penalties", frozenset({RecordKind.PENALTY})),
    ("honours", frozenset({RecordKind.HONOUR, RecordKind.TAX_GRADE_A, RecordKind.VOLUNTARY_PERFORMANCE})),
    ("commitments", frozenset({RecordKind.COMMITMENT})),
)


@dataclass(frozen=True)
class CardList:
    """A list the organization is on now."""

    code: str
    name: str
    kind: str  # "red" or "black"
    start_date: date
    end_date: date | None


@dataclass(frozen=True)
class OrganizationCard:
    subject: Subject
    organization: Organization
    lists: list[CardList]
    counts: dict[str, int]
    updated_at: datetime | None
    as_of: datetime
    # The grade under the active organization model (scoring.selectors.grade_public); None when not scored.
    grade: PublicGrade | None = None
    # Scored, though no grade is public (a score left by a model no longer active): the card says "not public",
    # not "not evaluated yet" (scoring.selectors.evaluated).
    evaluated: bool = False

    @property
    def red_lists(self) -> list[CardList]:
        return [entry for entry in self.lists if entry.kind == "red"]

    @property
    def black_lists(self) -> list[CardList]:
        return [entry for entry in self.lists if entry.kind == "black"]


def organization_lists_current(subject: Subject) -> list[CardList]:
    """The red and black lists a public organization is on today, as the public may see them: an active
    entry whose list record is itself publicly visible (not repaired, within publicity and retention)."""
    today = clock.today()
    visible = records_visible(viewer=ANONYMOUS, purpose=Purpose.PUBLIC, subject=subject, today=today)
    entries = (
        ListEntry.objects.filter(entries_in_force_q(today), subject=subject, record__in=visible.values("pk"))
        .select_related("list_type")
        .order_by("list_type__kind", "-start_date", "pk")
    )
    return [
        CardList(code=e.list_type.code, name=e.list_type.name, kind=e.list_type.kind, start_date=e.start_date,
                 end_date=e.end_date)
        for e in entries
    ]


def organization_card(*, uscc: str) -> OrganizationCard:
    """The live credit card of an organization. Persons, unknown and malformed codes: ``CardNotFound``."""
    try:
        subject = subject_by_uscc((uscc or "").strip().upper())
    except (ValidationFailed, NotFound):
        subject = None
    if subject is None or not hasattr(subject, "organization"):
        raise CardNotFound(_("No organization has this unified social credit code."))
    visible = records_visible(viewer=ANONYMOUS, purpose=Purpose.PUBLIC, subject=subject)
    by_kind = dict(
        visible.order_by().values_list("catalog_item__record_kind").annotate(n=Count("pk"))
    )
    counts = {key: sum(by_kind.get(kind, 0) for kind in kinds) for key, kinds in CARD_COUNT_KINDS}
    updated_at = visible.order_by().aggregate(latest=Max("current_version__created_at"))["latest"]
    grade = grade_public(subject=subject)
    return OrganizationCard(
        subject=subject,
        organization=subject.organization,
        lists=organization_lists_current(subject),
        counts=counts,
        updated_at=updated_at,
        as_of=clock.now(),
        grade=grade,
        evaluated=grade is not None or evaluated(subject=subject),
    )
