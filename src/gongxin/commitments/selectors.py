"""Reads of commitments, each with its permission rule in the same function.

- the subject sees its own commitments;
- the receiving department's operators and systems see the commitments made to their department;
- credit office staff, auditors and administrators see all of them (oversight and statistics);
- the public sees the published commitments of organizations (``commitments_public``), never a person's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When

from gongxin.access.persons import person_by_rin_for
from gongxin.accounts.capabilities import acts_for_source_unit, case_files_q, is_office
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.choices import SubjectKind
from gongxin.catalog.models import SourceUnit
from gongxin.catalog.selectors import source_units
from gongxin.commitments.choices import CommitmentStatus, PayoutOutcome
from gongxin.commitments.errors import (
    CommitmentNotFound,
    CommitmentSubjectUnknown,
    CommitmentTypeUnknown,
    CommitmentUnitUnknown,
)
from gongxin.commitments.models import Commitment, CommitmentType, Payout
from gongxin.core import clock
from gongxin.core.errors import PermissionDenied
from gongxin.subjects.models import Subject
from gongxin.subjects.selectors import subject_by_code

PUBLIC_SHOWN = 20


def _base() -> QuerySet[Commitment]:
    return Commitment.objects.select_related("type", "subject", "source_unit__department")


def commitments_visible(*, viewer: Viewer) -> QuerySet[Commitment]:
    return _base().filter(case_files_q(viewer))


def commitment_visible(*, commitment_id: int, viewer: Viewer) -> Commitment:
    commitment = commitments_visible(viewer=viewer).filter(pk=commitment_id).first()
    if commitment is None:
        raise CommitmentNotFound()
    return commitment


def commitments_of_subject(*, viewer: Viewer) -> QuerySet[Commitment]:
    """The signed-in subject's own commitments, newest first."""
    if viewer.subject_id is None:
        return _base().none()
    return _base().filter(subject_id=viewer.subject_id).order_by("-signed_at", "-id")


def commitments_queue(
    *, viewer: Viewer, status: str = "", overdue: bool = False, today: date | None = None,
) -> QuerySet[Commitment]:
    """The verification queue: open commitments first, earliest deadline first; filters by status and
    overdue (open past the deadline)."""
    if not (acts_for_source_unit(viewer) or is_office(viewer)):
        raise PermissionDenied()
    today = today or clock.today()
    queryset = commitments_visible(viewer=viewer)
    if status:
        queryset = queryset.filter(status=status)
    if overdue:
        queryset = queryset.filter(status=CommitmentStatus.SIGNED, deadline__lt=today)
    open_first = Case(When(status=CommitmentStatus.SIGNED, then=Value(0)), default=Value(1),
                      output_field=IntegerField())
    return queryset.annotate(open_first=open_first).order_by("open_first", "deadline", "id")


def commitment_is_overdue(commitment: Commitment, *, today: date | None = None) -> bool:
    return commitment.is_open and (today or clock.today()) > commitment.deadline


def commitments_public(*, subject: Subject, limit: int = PUBLIC_SHOWN) -> list[Commitment]:
    """The commitments an organization published (voluntary public ones, and others it chose to publish);
    nothing for a person (natural persons are never public)."""
    if subject.kind != SubjectKind.ORGANIZATION:
        return []
    return list(_base().filter(subject=subject, is_public=True).order_by("-signed_at", "-id")[:limit])


def types_in_force(*, day: date | None = None) -> list[CommitmentType]:
    day = day or clock.today()
    return [t for t in CommitmentType.objects.all() if t.applies_on(day)]


def type_by_code(code: str, *, day: date | None = None) -> CommitmentType:
    found = CommitmentType.objects.filter(code=code).first()
    if found is None or not found.applies_on(day or clock.today()):
        raise CommitmentTypeUnknown(details={"type": code})
    return found


def receiving_units() -> QuerySet[SourceUnit]:
    """The units a commitment may be made to: every active source unit (``catalog.selectors.source_units``)."""
    return source_units()


def receiving_unit(*, code: str = "", pk: int | None = None) -> SourceUnit:
    units = receiving_units()
    found = units.filter(pk=pk).first() if pk is not None else units.filter(department__code=code).first()
    if found is None:
        raise CommitmentUnitUnknown(details={"department": code or pk})
    return found


def subject_for_signing(*, viewer: Viewer, uscc: str = "", rin: str = "") -> Subject:
    """The subject a signing is for: the signed-in subject itself, or (a department system) the organization
    with ``uscc`` or the person with ``rin``. A person only for the system of a receiving department (an
    active source unit): any other caller gets access.persons' uniform refusal, known RIN or not."""
    if viewer.client_id is None:
        subject = Subject.objects.filter(pk=viewer.subject_id).first() if viewer.subject_id else None
    elif uscc:
        subject = subject_by_code(uscc)
    elif rin:
        receiving = receiving_units().filter(pk=viewer.department_id).exists()
        subject = person_by_rin_for(rin=rin, viewer=viewer, entitled=receiving)
    else:
        subject = None
    if subject is None:
        raise CommitmentSubjectUnknown()
    return subject


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    percent: int
    extra: str = ""


def _bars(pairs: list[tuple[str, int]], *, extra: dict[str, str] | None = None) -> list[Bar]:
    top = max((v for _label, v in pairs), default=0) or 1
    return [Bar(label=label, value=value, percent=round(100 * value / top), extra=(extra or {}).get(label, ""))
            for label, value in pairs]


def _yuan(value: Decimal | None) -> str:
    """Sums as yuan with two decimals (SQLite's SUM drops trailing zeros)."""
    return f"{Decimal(value or 0):.2f}"


def commitment_statistics(*, viewer: Viewer, today: date | None = None) -> dict[str, Any]:
    """Counts for the statistics page and API: by status, type and department; breach rate; overdue;
    instant payouts approved/refused and amounts paid, by matter. Grouped queries only."""
    if not (acts_for_source_unit(viewer) or is_office(viewer)):
        raise PermissionDenied()
    today = today or clock.today()
    visible = commitments_visible(viewer=viewer)
    totals = visible.aggregate(
        total=Count("id"),
        signed=Count("id", filter=Q(status=CommitmentStatus.SIGNED)),
        fulfilled=Count("id", filter=Q(status=CommitmentStatus.FULFILLED)),
        breached=Count("id", filter=Q(status=CommitmentStatus.BREACHED)),
        overdue=Count("id", filter=Q(status=CommitmentStatus.SIGNED, deadline__lt=today)),
        public=Count("id", filter=Q(is_public=True)),
    )
    verified = totals["fulfilled"] + totals["breached"]
    totals["breach_rate_percent"] = round(100 * totals["breached"] / verified, 1) if verified else 0.0
    by_type_rows = (visible.values("type__code", "type__name", "type__ordering")
                    .annotate(n=Count("id"), broken=Count("id", filter=Q(status=CommitmentStatus.BREACHED)))
                    .order_by("type__ordering"))
    by_type = [{"code": r["type__code"], "name": r["type__name"], "count": r["n"], "breached": r["broken"]}
               for r in by_type_rows]
    by_unit_rows = (visible.values("source_unit__department__name")
                    .annotate(n=Count("id"), open=Count("id", filter=Q(status=CommitmentStatus.SIGNED)))
                    .order_by("-n", "source_unit__department__name"))
    by_unit = [{"name": r["source_unit__department__name"], "count": r["n"], "open": r["open"]}
               for r in by_unit_rows]
    payouts = Payout.objects.all()
    if not is_office(viewer):
        # A unit's viewer sees its department's payouts; one without a department sees none (never the
        # payouts of clients that have no department, which a filter on None would match).
        payouts = (payouts.filter(client__department_id=viewer.department_id) if viewer.department_id is not None
                   else payouts.none())
    payout_totals = payouts.aggregate(
        requests=Count("id"),
        approved=Count("id", filter=Q(outcome=PayoutOutcome.APPROVED)),
        refused=Count("id", filter=Q(outcome=PayoutOutcome.REFUSED)),
        amount_paid=Sum("amount_paid"),
    )
    payout_totals["amount_paid"] = _yuan(payout_totals["amount_paid"])
    by_matter_rows = (payouts.values("matter_code")
                      .annotate(n=Count("id"), approved=Count("id", filter=Q(outcome=PayoutOutcome.APPROVED)),
                                paid=Sum("amount_paid"))
                      .order_by("-n", "matter_code"))
    by_matter = [{"matter_code": r["matter_code"], "requests": r["n"], "approved": r["approved"],
                  "amount_paid": _yuan(r["paid"])} for r in by_matter_rows]
    return {"day": today, "commitments": totals, "by_type": by_type, "by_unit": by_unit,
            "payouts": payout_totals, "payouts_by_matter": by_matter}


def statistics_bars(stats: dict[str, Any]) -> dict[str, list[Bar]]:
    """The statistics as CSS bar rows (the page draws them without a script library)."""
    return {
        "by_type": _bars([(r["name"], r["count"]) for r in stats["by_type"]]),
        "breached_by_type": _bars([(r["name"], r["breached"]) for r in stats["by_type"]]),
        "by_unit": _bars([(r["name"], r["count"]) for r in stats["by_unit"]]),
        "payouts_by_matter": _bars([(r["matter_code"], r["requests"]) for r in stats["payouts_by_matter"]],
                                   extra={r["matter_code"]: r["amount_paid"] for r in stats["payouts_by_matter"]}),
    }
