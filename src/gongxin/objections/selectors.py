"""Reads of objections, each with its permission check.

Who sees an objection: the subject's own users (the filer's side), credit office staff, administrators and
auditors, and — once it was forwarded to them — the operators of the record's source unit.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet

from gongxin.access.disclosure import records_visible
from gongxin.accounts.actors import actors_annotate
from gongxin.accounts.capabilities import decides_for_office, is_office, writes_for_unit
from gongxin.accounts.viewer import Viewer
from gongxin.core import clock
from gongxin.objections.choices import OPEN_STATUSES, Action, Status
from gongxin.objections.errors import EvidenceNotFound, NotOwnRecord, NotStaff, ObjectionNotFound
from gongxin.objections.models import Evidence, Objection, ObjectionEvent
from gongxin.objections.services import is_filer, unit_decides
from gongxin.records.choices import Purpose
from gongxin.records.errors import RecordNotFound
from gongxin.records.models import Record


def _base() -> QuerySet[Objection]:
    return Objection.objects.select_related(
        "subject", "record__catalog_item", "record__current_version", "source_unit__department", "decision_version"
    )


def can_view(viewer: Viewer, objection: Objection) -> bool:
    if is_filer(viewer, objection):
        return True
    if is_office(viewer):
        return True
    return objection.forwarded_at is not None and unit_decides(viewer, objection)


def objection_visible(*, objection_id: int, viewer: Viewer) -> Objection:
    objection = _base().filter(pk=objection_id).first()
    if objection is None or not can_view(viewer, objection):
        raise ObjectionNotFound()
    return objection


# Steps whose note is internal to the platform (the source unit asking the office for more time): the office and
# the unit see it, the subject sees the step without it (the approved extension's reason reaches the subject).
INTERNAL_NOTES = frozenset({Action.EXTENSION_REQUESTED})


def objection_timeline(*, objection: Objection, viewer: Viewer) -> list[ObjectionEvent]:
    """The objection's steps as ``viewer`` may see them: each with ``actor_shown`` (accounts.actors: the unit,
    the credit office, "you" for the subject, never a login) and internal notes left out but for the office
    and the deciding unit. Decisions addressed to the subject (reasons of a rejection, a decision, an
    extension) are kept."""
    insider = decides_for_office(viewer) or unit_decides(viewer, objection)
    events = actors_annotate(items=objection.events.order_by("created_at", "id"), viewer=viewer,
                             subject_id=objection.subject_id)
    if not insider:
        for event in events:
            if event.action in INTERNAL_NOTES:
                event.note = ""
    return events


def evidence_visible(*, objection_id: int, evidence_id: int, viewer: Viewer) -> Evidence:
    objection = objection_visible(objection_id=objection_id, viewer=viewer)
    evidence = Evidence.objects.filter(pk=evidence_id, objection=objection).first()
    if evidence is None:
        raise EvidenceNotFound()
    return evidence


def record_for_filing(*, record_id: int, viewer: Viewer) -> Record:
    """One of the viewer's subject's own records, as the subject may see it (the disclosure rule for the
    ``self`` purpose: records in effect, internal items excluded), to object to."""
    record = Record.objects.select_related("subject").filter(pk=record_id).first()
    if record is None:
        raise RecordNotFound()
    if viewer.user_id is None or viewer.subject_id is None or record.subject_id != viewer.subject_id:
        raise NotOwnRecord()
    visible = records_visible(viewer=viewer, purpose=Purpose.SELF, subject=record.subject).filter(pk=record_id).first()
    if visible is None:
        raise RecordNotFound()
    return visible


def objection_pending_for(*, record: Record) -> Objection | None:
    """The objection to ``record`` that is not yet decided or rejected, if any (at most one)."""
    return Objection.objects.filter(record=record, status__in=(Status.SUBMITTED, *OPEN_STATUSES)).first()


def records_awaiting_acceptance(*, record_ids: Collection[int]) -> set[int]:
    """Of ``record_ids``, those with an objection filed and not yet accepted: the record carries no mark yet (it
    comes at acceptance), so the subject's own page says "submitted, awaiting acceptance" instead
    (``settings.GONGXIN_OBJECTIONS_AWAITING`` names this reader for access.profile, below this app)."""
    if not record_ids:
        return set()
    return set(Objection.objects.filter(record_id__in=list(record_ids), status=Status.SUBMITTED)
               .values_list("record_id", flat=True))


def objections_of_subject(*, viewer: Viewer) -> QuerySet[Objection]:
    if viewer.subject_id is None or viewer.user_id is None:
        return Objection.objects.none()
    return _base().filter(subject_id=viewer.subject_id).order_by("-filed_at", "-id")


def overdue_q(today: date) -> Q:
    return Q(status__in=OPEN_STATUSES, due_date__lt=today)


def objections_queue(
    *, viewer: Viewer, status: str = "", source_unit_id: int | None = None, overdue: bool = False,
    extension_requested: bool = False, today: date | None = None,
) -> QuerySet[Objection]:
    """The staff workbench: every objection, filtered; overdue first, then by due date, then newest."""
    if not is_office(viewer):
        raise NotStaff()
    today = today or clock.today()
    queryset = _base()
    if status:
        queryset = queryset.filter(status=status)
    if source_unit_id:
        queryset = queryset.filter(source_unit_id=source_unit_id)
    if overdue:
        queryset = queryset.filter(overdue_q(today))
    if extension_requested:
        queryset = queryset.filter(extension_q())
    return queryset.order_by("due_date", "-filed_at", "-id")


def extension_q() -> Q:
    return Q(status__in=OPEN_STATUSES, extension_requested_days__gt=0)


def queue_counts(*, today: date | None = None) -> dict[str, int]:
    today = today or clock.today()
    counts = dict(Objection.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    result = {value: counts.get(value, 0) for value in Status.values}
    result["overdue"] = Objection.objects.filter(overdue_q(today)).count()
    result["extension_requested"] = Objection.objects.filter(extension_q()).count()
    return result


def objection_tasks(*, viewer: Viewer, done: bool = False) -> QuerySet[Objection]:
    """A source unit's tasks: its unit's forwarded objections (open), or those it decided — for whoever decides
    them (writes the unit's records: its operators, its systems holding ``records:write``), not any client of
    the unit."""
    if viewer.department_id is None or not writes_for_unit(viewer, source_unit_id=viewer.department_id):
        return Objection.objects.none()
    queryset = _base().filter(source_unit_id=viewer.department_id, forwarded_at__isnull=False)
    if done:
        return queryset.filter(status=Status.DECIDED).order_by("-decided_at", "-id")
    return queryset.filter(status=Status.FORWARDED).order_by("due_date", "id")


@dataclass(frozen=True)
class Deadline:
    """How an open objection stands against its deadline, for the pages."""

    due: date | None
    working_days: int
    overdue: bool


def deadline_of(objection: Objection, *, today: date | None = None) -> Deadline:
    today = today or clock.today()
    return Deadline(due=objection.due_date, working_days=objection.deadline_working_days,
                    overdue=objection.is_overdue(today))
