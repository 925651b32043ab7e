"""What the home page shows: the portal of the city's platform.

Search first; the services a citizen or a firm comes for, as entrances; the newest double-publicity rows and the
newest public entries of the red and black lists (short reads along the listing's index, portal 0002); the
headline figures and the chart's series as last counted (portal.statistics: nothing is counted per request).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gongxin.access.disclosure import records_visible
from gongxin.accounts.viewer import ANONYMOUS
from gongxin.catalog.choices import SubjectKind
from gongxin.core import clock
from gongxin.core.paging import keyset_page
from gongxin.portal.selectors import PUBLICITY_KEYSET, PublicityFilters, PublicityRow, publicity_records
from gongxin.portal.selectors import _row as publicity_row  # the listing's own row: the home shows the same
from gongxin.portal.statistics import HomeFigures, figures_current
from gongxin.records.choices import ListKind, Purpose
from gongxin.subjects.models import Organization

# The home page shows this many of the newest double-publicity rows, and of each kind of list's entries.
HOME_LATEST_ROWS = 5


def publicity_latest(*, size: int = HOME_LATEST_ROWS, english: bool = False) -> list[PublicityRow]:
    """The newest public licences and penalties (the home page): the listing's first rows, one short range of
    its index and no count."""
    page = keyset_page(publicity_records(PublicityFilters()), keyset=PUBLICITY_KEYSET, cursor=None, size=size)
    return [publicity_row(record, english=english) for record in page.items]


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


def list_entries_latest(*, kind: str, size: int = HOME_LATEST_ROWS) -> list[ListHighlight]:
    """The newest entries of the red (``ListKind.RED``) or black lists in force today that the public may see:
    organizations only (persons are never public, not even as a list's latest entry), through the one disclosure
    policy, newest listing decision first. Read along the listing's decision-date index (portal 0002) until
    ``size`` match: a short walk, whatever the size of the store."""
    today = clock.today()
    records = (
        records_visible(viewer=ANONYMOUS, purpose=Purpose.PUBLIC, today=today)
        .filter(subject__kind=SubjectKind.ORGANIZATION, list_entry__list_type__kind=kind,
                list_entry__is_active=True, list_entry__start_date__lte=today)
        .filter(Q(list_entry__end_date__isnull=True) | Q(list_entry__end_date__gte=today))
        .select_related("subject__organization", "list_entry__list_type")
        .order_by(*PUBLICITY_KEYSET.order_by())[:size]
    )
    highlights = []
    for record in records:
        entry = record.list_entry
        organization: Organization | None = getattr(record.subject, "organization", None)
        highlights.append(ListHighlight(
            record_id=record.pk, list_code=entry.list_type.code, list_name=entry.list_type.name,
            subject_name=record.subject.name, uscc=organization.uscc if organization is not None else "",
            start_date=entry.start_date, end_date=entry.end_date,
            source_unit_name=record.source_unit.department.name,
        ))
    return highlights


@dataclass(frozen=True)
class Entrance:
    """A service as a door on the home page (the page it opens asks to sign in when it needs to)."""

    key: str
    url_name: str
    title: Promise
    summary: Promise


ENTRANCES: tuple[Entrance, ...] = (
    Entrance("report", "reports:issue", _("Credit report"),
             _("Get a signed credit report of an organization, or of yourself")),
    Entrance("objection", "objections:mine", _("Objection"),
             _("A record about you is wrong: file an objection and follow it")),
    Entrance("repair", "repairs:mine", _("Credit repair"),
             _("End the publicity of a corrected penalty early")),
    Entrance("commitment", "commitments:sign", _("Credit commitment"),
             _("Make a public commitment instead of certificates")),
    Entrance("benefits", "benefits:mine", _("Benefits"),
             _("Services without deposit or with priority for good credit")),
    Entrance("lending", "lending:firm", _("Credit lending"),
             _("Let banks read your firm's credit data to apply for a loan")),
)


@dataclass(frozen=True)
class EntranceLink:
    key: str
    url: str
    title: Promise
    summary: Promise


@dataclass(frozen=True)
class HomePage:
    figures: HomeFigures
    latest: list[PublicityRow]
    red_latest: list[ListHighlight]
    black_latest: list[ListHighlight]
    entrances: list[EntranceLink]


def entrances() -> list[EntranceLink]:
    links = []
    for entrance in ENTRANCES:
        try:
            links.append(EntranceLink(entrance.key, reverse(entrance.url_name), entrance.title, entrance.summary))
        except NoReverseMatch:  # an app that is not installed: its door is left out
            continue
    return links


def home_page(*, english: bool = False) -> HomePage:
    """Everything the home page shows: a few short statements whatever the size of the store."""
    return HomePage(
        figures=figures_current(),
        latest=publicity_latest(english=english),
        red_latest=list_entries_latest(kind=ListKind.RED),
        black_latest=list_entries_latest(kind=ListKind.BLACK),
        entrances=entrances(),
    )
