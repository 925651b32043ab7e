"""The staff workbench: what the signed-in official has to do (``todos_for``), then every working area they may
open (``workbench_for``).

To-dos: each role sees the counts of its waiting work — objections overdue and due soon, repairs waiting for the
source unit, batches that failed, new alerts, checks whose feedback is missing — with the most urgent items and
their deadlines, each linking to its list. Every count is a bounded read of an index (the objection and repair
queues by status and due date, alerts by status and time, batches and checks of a recent window) and stops at
``COUNT_CAP``: past it the page says "200+" rather than counting a whole table. The owning apps' selectors
decide who sees what; this module only puts their answers side by side.

Each app owns its pages; this module only knows their URL names and who uses them (a capability of
accounts.capabilities: the page's own door decides, this list only hides links that would be refused), so the
navigation stays one link ("Workbench") however many areas the platform grows. An area whose app does
not answer its URL name is left out rather than failing the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from gongxin.accounts.capabilities import acts_for_source_unit, is_office, is_official
from gongxin.accounts.viewer import Viewer
from gongxin.core import clock, workdays
from gongxin.ingest.choices import BatchStatus
from gongxin.ingest.selectors import batches_visible
from gongxin.monitoring.choices import AlertStatus
from gongxin.monitoring.selectors import alerts_list
from gongxin.objections.choices import OPEN_STATUSES as OBJECTION_OPEN
from gongxin.objections.choices import Status as ObjectionStatus
from gongxin.objections.selectors import objection_tasks, objections_queue
from gongxin.repairs.choices import RepairStatus
from gongxin.repairs.selectors import repairs_queue
from gongxin.rewards.selectors import checks_awaiting_feedback

# Who sees an area's link: officials (operators and the office) or the office alone.
OFFICIALS = is_official
OFFICE = is_office


@dataclass(frozen=True)
class Area:
    url_name: str
    title: Promise
    summary: Promise
    shown_to: Callable[[Viewer], bool]


@dataclass(frozen=True)
class Section:
    title: Promise
    areas: tuple[Area, ...]


SECTIONS: tuple[Section, ...] = (
    Section(_("Records"), (
        Area("ingest:batches", _("Batches"), _("Upload files, follow batches and their error reports"), OFFICIALS),
        Area("ingest:quality", _("Data quality"), _("Volume, rejections and timeliness by source unit"), OFFICE),
        Area("objections:workbench", _("Objection workbench"), _("Accept, forward and decide objections"), OFFICE),
        Area("objections:tasks", _("Objection tasks"), _("Objections forwarded to your source unit"),
             acts_for_source_unit),
        Area("repairs:workbench", _("Repair workbench"), _("Applications for credit repair"), OFFICIALS),
    )),
    Section(_("Joint rewards and punishments"), (
        Area("rewards:index", _("Measures"), _("Rewards and punishments, their triggers and legal basis"), OFFICE),
        Area("rewards:registry", _("Systems and matters"), _("Business systems and the matters they check"), OFFICE),
        Area("rewards:checks", _("Checks"), _("Recent checks and the feedback on them"), OFFICE),
        Area("rewards:statistics", _("Statistics of measures"), _("Punishments and incentives applied"), OFFICE),
        Area("sharing:overview", _("Subscriptions and webhooks"), _("Webhooks and change feeds of business systems"),
             OFFICIALS),
    )),
    Section(_("Evaluation and monitoring"), (
        Area("scoring:overview", _("Evaluation"), _("Models, grades and their distribution over time"), OFFICE),
        Area("scoring:partners", _("Partner scores"), _("Partner cities' scores and the local levels they count as"),
             OFFICE),
        Area("monitoring:dashboard", _("Early warning"), _("Risk scorecards and their distribution"), OFFICE),
        Area("monitoring:alerts", _("Alerts"), _("Subjects whose risk rose, and watched subjects"), OFFICE),
    )),
    Section(_("Commitments, benefits and lending"), (
        Area("commitments:workbench", _("Commitments to verify"), _("Record fulfilment or breach"), OFFICIALS),
        Area("commitments:statistics", _("Statistics of commitments"), _("Signed, kept, broken; payouts"), OFFICE),
        Area("benefits:statistics", _("Benefit scenarios"), _("Eligibility checks, usage and defaults"), OFFICE),
        Area("lending:statistics", _("Credit lending"), _("Authorizations, pulls, loans and outcomes"), OFFICE),
        Area("lending:fund", _("Risk-sharing fund"), _("Contributions, claims and balance"), OFFICE),
    )),
)


@dataclass(frozen=True)
class Link:
    url: str
    title: Promise
    summary: Promise


def workbench_for(viewer: Viewer) -> list[tuple[Promise, list[Link]]]:
    """The sections (title, links) ``viewer`` sees; empty sections are left out."""
    shown: list[tuple[Promise, list[Link]]] = []
    for section in SECTIONS:
        links = []
        for area in section.areas:
            if not area.shown_to(viewer):
                continue
            try:
                links.append(Link(reverse(area.url_name), area.title, area.summary))
            except NoReverseMatch:
                continue
        if links:
            shown.append((section.title, links))
    return shown



# --- to-dos --------------------------------------------------------------------------------------------------

# A count stops here: "200+" is what a to-do list needs to say, and no count reads more rows than this.
COUNT_CAP = 200
# Items shown under each count: the most urgent first.
ITEMS_SHOWN = 5
# "Due soon": a deadline within this many working days from today (today included).
DUE_SOON_WORKING_DAYS = 2
# Batches that failed within this many days are still to look at (older ones were resumed or given up).
FAILED_BATCHES_DAYS = 30


@dataclass(frozen=True)
class TodoItem:
    label: str
    url: str
    due: date | None = None
    overdue: bool = False
    at: datetime | None = None  # when it arrived (items without a deadline)


@dataclass(frozen=True)
class Todo:
    """One kind of waiting work: how many (``capped``: at least that many), how many are overdue and due soon,
    the first items (most urgent, then newest), and the list that holds them all."""

    key: str
    title: Promise
    count: int
    capped: bool
    url: str
    overdue: int = 0
    due_soon: int = 0
    items: list[TodoItem] = field(default_factory=list)

    @property
    def urgent(self) -> bool:
        return self.overdue > 0


def _count(queryset: QuerySet[Any]) -> tuple[int, bool]:
    """How many rows, up to COUNT_CAP (a COUNT over a LIMIT: it stops reading there) and whether there are more."""
    n = queryset.order_by()[: COUNT_CAP + 1].count()
    return min(n, COUNT_CAP), n > COUNT_CAP


def _url(url_name: str, **params: str) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode(params)}" if params else url


def _objections(viewer: Viewer, today: date, soon: date) -> Todo | None:
    """Open objections (accepted or forwarded) by their decision deadline; for the office also those waiting for
    acceptance. Operators: their unit's forwarded ones."""
    if is_office(viewer):
        queue = objections_queue(viewer=viewer, today=today)
        open_ = queue.filter(status__in=OBJECTION_OPEN)
        waiting = queue.filter(status=ObjectionStatus.SUBMITTED)
        url_name, title = "objections:workbench", _("Objections to handle")
    elif acts_for_source_unit(viewer):
        open_ = objection_tasks(viewer=viewer)
        waiting = open_.none()
        url_name, title = "objections:tasks", _("Objections to decide")
    else:
        return None
    count, capped = _count(open_)
    waiting_count, waiting_capped = _count(waiting)
    overdue, _more = _count(open_.filter(due_date__lt=today))
    due_soon, _more = _count(open_.filter(due_date__gte=today, due_date__lte=soon))
    items = [
        TodoItem(label=f"{o.number} · {o.subject.name}", url=reverse("objections:detail", args=[o.pk]),
                 due=o.due_date, overdue=o.is_overdue(today))
        for o in open_.order_by("due_date", "-filed_at", "-id")[:ITEMS_SHOWN]
    ]
    if len(items) < ITEMS_SHOWN and waiting_count:  # then the newest of those waiting for acceptance
        items += [
            TodoItem(label=f"{o.number} · {o.subject.name}", url=reverse("objections:detail", args=[o.pk]),
                     at=o.filed_at)
            for o in waiting.order_by("-filed_at", "-id")[: ITEMS_SHOWN - len(items)]
        ]
    total = count + waiting_count
    return Todo(key="objections", title=title, count=min(total, COUNT_CAP),
                capped=capped or waiting_capped or total > COUNT_CAP,
                url=_url(url_name, overdue="1") if overdue and url_name == "objections:workbench" else _url(url_name),
                overdue=overdue, due_soon=due_soon, items=items)


def _repairs(viewer: Viewer, today: date, soon: date) -> Todo | None:
    """Applications waiting for the source unit's decision, by its deadline."""
    if not (acts_for_source_unit(viewer) or is_office(viewer)):
        return None
    waiting = repairs_queue(viewer=viewer, status=RepairStatus.FORWARDED, today=today)
    count, capped = _count(waiting)
    overdue, _more = _count(waiting.filter(department_due__lt=today))
    due_soon, _more = _count(waiting.filter(department_due__gte=today, department_due__lte=soon))
    items = [
        TodoItem(label=f"{a.record.catalog_item.name} · {a.subject.name}",
                 url=reverse("repairs:decide", args=[a.pk]), due=a.department_due, overdue=a.department_due < today)
        for a in waiting.order_by("department_due", "id")[:ITEMS_SHOWN]
    ]
    return Todo(key="repairs", title=_("Repairs waiting"), count=count, capped=capped,
                url=_url("repairs:workbench", overdue="on") if overdue else _url("repairs:workbench"),
                overdue=overdue, due_soon=due_soon, items=items)


def _batches(viewer: Viewer, now: datetime) -> Todo | None:
    """Batches of the last FAILED_BATCHES_DAYS days that failed (the office: every unit's; an operator: its own)."""
    if not is_official(viewer):
        return None
    failed = batches_visible(viewer=viewer).filter(
        status=BatchStatus.FAILED, created_at__gte=now - timedelta(days=FAILED_BATCHES_DAYS))
    count, capped = _count(failed)
    items = [
        TodoItem(label=f"{b.source_unit.department.name} · {b.catalog_item.name}",
                 url=reverse("ingest:batch", args=[b.pk]), at=b.created_at)
        for b in failed.order_by("-created_at", "-id")[:ITEMS_SHOWN]
    ] if count else []
    return Todo(key="batches", title=_("Batches failed"), count=count, capped=capped, url=_url("ingest:batches"),
                items=items)


def _alerts(viewer: Viewer) -> Todo | None:
    """New (open) alerts, newest first."""
    if not is_office(viewer):
        return None
    new = alerts_list(viewer=viewer, status=AlertStatus.OPEN)
    count, capped = _count(new)
    items = [
        TodoItem(label=f"{a.get_kind_display()} · {a.subject.name}", url=reverse("monitoring:alert", args=[a.pk]),
                 at=a.raised_at)
        for a in new[:ITEMS_SHOWN]
    ] if count else []
    return Todo(key="alerts", title=_("New alerts"), count=count, capped=capped,
                url=_url("monitoring:alerts", status=AlertStatus.OPEN), items=items)


def _feedback(viewer: Viewer, now: datetime) -> Todo | None:
    """Checks that hit a measure and whose feedback is due but missing (rewards.selectors)."""
    if not is_office(viewer):
        return None
    missing = checks_awaiting_feedback(viewer=viewer, now=now)
    count, capped = _count(missing)
    items = [
        TodoItem(label=f"{c.matter.name} · {c.subject.name}", url=reverse("rewards:check", args=[c.pk]),
                 at=c.created_at)
        for c in missing[:ITEMS_SHOWN]
    ] if count else []
    return Todo(key="feedback", title=_("Feedback missing"), count=count, capped=capped, url=_url("rewards:checks"),
                items=items)


def todos_for(viewer: Viewer, *, now: datetime | None = None) -> list[Todo]:
    """The to-dos of ``viewer``'s role: the urgent ones (something overdue) first, then those with work waiting,
    then the empty ones (each still shown, with its zero: "nothing waiting" is worth saying)."""
    now = now or clock.now()
    today = clock.today(now)
    # Due soon: today and the next working days up to DUE_SOON_WORKING_DAYS in all.
    soon = workdays.add_working_days(today, DUE_SOON_WORKING_DAYS - 1)
    todos = [
        _objections(viewer, today, soon), _repairs(viewer, today, soon), _batches(viewer, now),
        _alerts(viewer), _feedback(viewer, now),
    ]
    shown = [todo for todo in todos if todo is not None]
    return sorted(shown, key=lambda todo: (not todo.urgent, todo.count == 0))
