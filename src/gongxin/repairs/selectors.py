"""Reads of repair applications, each with its permission rule in the same function.

- the subject sees its own applications;
- a source unit's operators (and its API systems holding ``records:write``) see the applications about
  their unit's records;
- credit office staff, auditors and administrators see all of them (the workbench's oversight).

The record an application is about is shown from its current version with the fields the viewer may
see: the subject's own view unmasked, everyone else masked as for government sharing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import get_language

from gongxin.access.disclosure import fields_shown, records_visible
from gongxin.accounts.capabilities import acts_for_source_unit, case_files_q, is_office
from gongxin.accounts.viewer import Viewer
from gongxin.core import clock
from gongxin.core.errors import PermissionDenied
from gongxin.records.choices import Purpose
from gongxin.records.errors import RecordNotFound
from gongxin.records.models import Record
from gongxin.repairs.choices import RepairStatus
from gongxin.repairs.errors import RepairNotFound
from gongxin.repairs.models import RepairApplication
from gongxin.subjects.models import Subject


@dataclass(frozen=True)
class RecordBrief:
    """What an application page shows of its record."""

    record_id: int
    item_name: str
    severity: str
    source_unit_name: str
    decision_date: date | None
    publicity_min_end: date | None
    publicity_max_end: date | None
    retention_end: date | None
    repaired: bool
    under_objection: bool
    version: int
    fields: list[tuple[str, str, str]]


def _base() -> QuerySet[RepairApplication]:
    return RepairApplication.objects.select_related(
        "record__catalog_item", "record__current_version", "source_unit__department", "subject", "policy",
    )



def repairs_visible(*, viewer: Viewer) -> QuerySet[RepairApplication]:
    """Every application ``viewer`` may see (none for the public)."""
    return _base().filter(case_files_q(viewer))


def repair_visible(*, application_id: int, viewer: Viewer) -> RepairApplication:
    application = repairs_visible(viewer=viewer).filter(pk=application_id).first()
    if application is None:
        raise RepairNotFound()
    return application


def repairs_of_subject(*, viewer: Viewer) -> QuerySet[RepairApplication]:
    """The signed-in subject's own applications, newest first."""
    if viewer.subject_id is None:
        return _base().none()
    return _base().filter(subject_id=viewer.subject_id).order_by("-applied_at", "-id")


def repairs_queue(
    *,
    viewer: Viewer,
    status: str = "",
    overdue: bool = False,
    source_unit_id: int | None = None,
    today: date | None = None,
) -> QuerySet[RepairApplication]:
    """The workbench queue: pending applications first, earliest deadline first; filters by status,
    overdue (pending past the source unit's deadline) and source unit (the office)."""
    if not (acts_for_source_unit(viewer) or is_office(viewer)):
        raise PermissionDenied()
    today = today or clock.today()
    queryset = repairs_visible(viewer=viewer)
    if status:
        queryset = queryset.filter(status=status)
    if overdue:
        queryset = queryset.filter(status=RepairStatus.FORWARDED, department_due__lt=today)
    if source_unit_id is not None:
        queryset = queryset.filter(source_unit_id=source_unit_id)
    pending_first = Case(When(status=RepairStatus.FORWARDED, then=Value(0)), default=Value(1),
                         output_field=IntegerField())
    return queryset.annotate(pending_first=pending_first).order_by("pending_first", "department_due", "id")


def workbench_units(*, viewer: Viewer) -> list[tuple[int, str]]:
    """Source units that have applications, for the office's filter (empty for a unit's operators)."""
    if not is_office(viewer):
        return []
    return list(
        RepairApplication.objects.order_by("source_unit__department__name")
        .values_list("source_unit_id", "source_unit__department__name").distinct()
    )


def repair_is_overdue(application: RepairApplication, *, today: date | None = None) -> bool:
    return application.is_pending and (today or clock.today()) > application.department_due


def repair_platform_overdue(application: RepairApplication, *, today: date | None = None) -> bool:
    return application.is_pending and (today or clock.today()) > application.platform_due


def own_record(*, record_id: int, viewer: Viewer) -> Record:
    """A record of the signed-in subject as its own view shows it (the disclosure policy's ``self``
    purpose); ``RecordNotFound`` for anything else, so another subject's record ids reveal nothing."""
    subject = Subject.objects.filter(pk=viewer.subject_id).first() if viewer.subject_id is not None else None
    if subject is None:
        raise RecordNotFound()
    record = records_visible(viewer=viewer, purpose=Purpose.SELF, subject=subject).filter(pk=record_id).first()
    if record is None:
        raise RecordNotFound()
    return record


def record_brief(*, record: Record, viewer: Viewer) -> RecordBrief:
    version = record.current_version
    assert version is not None
    item = record.catalog_item
    own = viewer.subject_id is not None and viewer.subject_id == record.subject_id
    english = (get_language() or "").startswith("en")
    return RecordBrief(
        record_id=record.pk,
        item_name=item.name_en if english and item.name_en else item.name,
        severity=version.severity,
        source_unit_name=record.source_unit.department.name,
        decision_date=version.decision_date,
        publicity_min_end=version.publicity_min_end,
        publicity_max_end=version.publicity_max_end,
        retention_end=version.retention_end,
        repaired=version.repaired,
        under_objection=version.under_objection,
        version=version.number,
        fields=fields_shown(item=item, payload=version.payload, purpose=Purpose.SELF if own else Purpose.SHARING),
    )


def pending_by_record(*, record_ids: list[int]) -> dict[int, int]:
    """Record id → pending application id, for marking records with an application in progress."""
    return dict(RepairApplication.objects.filter(record_id__in=record_ids, status=RepairStatus.FORWARDED)
                .values_list("record_id", "id"))

