"""Reads of the rewards app: checks (access-checked), measures, the registry, statistics, certificates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from gongxin.accounts.capabilities import is_office
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.choices import SubjectKind
from gongxin.core.documents import VerificationResult, envelope_build, stored_report_verify
from gongxin.rewards import errors
from gongxin.rewards.choices import Decision, MeasureKind
from gongxin.rewards.models import (
    BusinessSystem,
    Check,
    CheckCertificate,
    CheckHit,
    Matter,
    Measure,
    MeasureVersion,
)


def check_visible(*, check_id: int, viewer: Viewer) -> Check:
    """A check, to the system that made it, the subject checked, or the credit office; else "not found"."""
    check = (Check.objects.select_related("matter__system__department", "subject").filter(pk=check_id).first())
    if check is None:
        raise errors.CheckNotFound()
    allowed = (is_office(viewer) or (viewer.client_id is not None and viewer.client_id == check.client_id)
               or (viewer.subject_id is not None and viewer.subject_id == check.subject_id))
    if not allowed:
        raise errors.CheckNotFound()
    return check


def checks_recent(*, viewer: Viewer, limit: int = 50) -> QuerySet[Check]:
    """The credit office: the newest checks (the office's page)."""
    if not is_office(viewer):
        raise errors.NotStaff()
    return Check.objects.select_related("matter__system", "subject").order_by("-created_at")[:limit]


# A system reports back what it applied after a check that hit a measure; the office looks at checks whose
# feedback has not come this many days after the check (a working convention of the workbench, not a legal term).
FEEDBACK_DUE_DAYS = 5
# Checks are looked at for missing feedback up to this many days after they became due, and at most this many of
# the newest of them (the check log grows by tens of thousands a day: the read stays a bounded index range).
FEEDBACK_WINDOW_DAYS = 30
FEEDBACK_SCAN_LIMIT = 5_000


def checks_awaiting_feedback(*, viewer: Viewer, now: datetime) -> QuerySet[Check]:
    """Checks that hit a measure (any answer but "pass") and are past ``FEEDBACK_DUE_DAYS`` without feedback, among
    the newest ``FEEDBACK_SCAN_LIMIT`` checks of the ``FEEDBACK_WINDOW_DAYS`` before that: the oldest (most overdue)
    first. The credit office's."""
    if not is_office(viewer):
        raise errors.NotStaff()
    due_before = now - timedelta(days=FEEDBACK_DUE_DAYS)
    recent = (Check.objects.filter(created_at__lt=due_before,
                                   created_at__gte=due_before - timedelta(days=FEEDBACK_WINDOW_DAYS))
              .order_by("-created_at").values("pk")[:FEEDBACK_SCAN_LIMIT])
    return (Check.objects.filter(pk__in=recent).exclude(decision=Decision.PASS).filter(feedback__isnull=True)
            .select_related("matter__system", "subject").order_by("created_at", "id"))


def measures_current() -> list[MeasureVersion]:
    """Every measure's current version, by code."""
    return [m.current_version for m in Measure.objects.select_related("current_version").order_by("code")
            if m.current_version is not None]


def measure_by_code(code: str) -> Measure:
    measure = Measure.objects.select_related("current_version").filter(code=code).first()
    if measure is None:
        raise errors.MeasureNotFound()
    return measure


def measure_versions(measure: Measure) -> QuerySet[MeasureVersion]:
    return MeasureVersion.objects.filter(measure=measure).order_by("-number")


def systems_all() -> QuerySet[BusinessSystem]:
    return BusinessSystem.objects.select_related("department", "client").annotate(matter_count=Count("matters"))


def matters_of(system: BusinessSystem | None = None) -> QuerySet[Matter]:
    matters = Matter.objects.select_related("system__department")
    return matters.filter(system=system) if system is not None else matters


def matter_measures(matter: Matter) -> list[MeasureVersion]:
    """The current measures that apply to a matter (mapped by its code or its type)."""
    return [v for v in measures_current() if v.is_active and (matter.code in v.matter_codes
                                                              or matter.matter_type in v.matter_types)]


# --- statistics ------------------------------------------------------------------------------------

GROUPS = ("measure", "system", "department", "month", "day")


@dataclass(frozen=True)
class StatisticsRow:
    key: str
    label: str
    hits: int
    punishments: int
    rewards: int
    reported: int  # hits the system reported on (feedback given)
    applied: int  # hits the system said it applied

    @property
    def applied_share(self) -> int:
        """Percent of reported hits that were applied (0 when nothing was reported)."""
        return round(100 * self.applied / self.reported) if self.reported else 0


@dataclass(frozen=True)
class Statistics:
    group: str
    date_from: date
    date_to: date
    rows: list[StatisticsRow]
    checks: int
    decisions: dict[str, int]

    @property
    def max_hits(self) -> int:
        return max((r.hits for r in self.rows), default=0)


def _bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (datetime.combine(date_from, time.min, tzinfo=zone),
            datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone))


def statistics(*, group: str, date_from: date, date_to: date, viewer: Viewer) -> Statistics:
    """Hits of measures (punishments and incentives) and how many the systems applied, grouped by
    measure, system, department, month or day, over checks made in [date_from, date_to]. The credit office only."""
    if not is_office(viewer):
        raise errors.NotStaff()
    if group not in GROUPS:
        raise errors.MeasureInvalid(details={"group": group, "allowed": list(GROUPS)})
    start, end = _bounds(date_from, date_to)
    hits = CheckHit.objects.filter(created_at__gte=start, created_at__lt=end)
    fields: tuple[str, ...]
    if group == "measure":
        fields = ("measure__code",)
    elif group == "system":
        fields = ("check_row__system__code", "check_row__system__name")
    elif group == "department":
        fields = ("check_row__system__department__code", "check_row__system__department__name")
    else:
        trunc = TruncMonth if group == "month" else TruncDate
        hits = hits.annotate(period=trunc("created_at"))
        fields = ("period",)
    rows_raw = hits.values(*fields).annotate(
        n=Count("pk"),
        punish=Count("pk", filter=Q(kind=MeasureKind.PUNISHMENT)),
        reward=Count("pk", filter=Q(kind=MeasureKind.REWARD)),
        reported=Count("pk", filter=Q(applied__isnull=False)),
        applied_n=Count("pk", filter=Q(applied=True)),
    ).order_by(*fields)
    names = {}
    if group == "measure":
        names = {v.measure.code: v.name for v in MeasureVersion.objects.filter(
            pk__in=Measure.objects.values("current_version")).select_related("measure")}
    rows = []
    for raw in rows_raw:
        if group in {"month", "day"}:
            period = raw["period"]
            key = period.strftime("%Y-%m") if group == "month" else period.isoformat()
            label = key
        else:
            key = raw[fields[0]] or ""
            label = names.get(key, key) if group == "measure" else (raw[fields[-1]] or "—")
        rows.append(StatisticsRow(key=str(key), label=str(label), hits=raw["n"], punishments=raw["punish"],
                                  rewards=raw["reward"], reported=raw["reported"], applied=raw["applied_n"]))
    checks = Check.objects.filter(created_at__gte=start, created_at__lt=end)
    decisions = dict(checks.values_list("decision").annotate(n=Count("pk")).order_by())
    return Statistics(group=group, date_from=date_from, date_to=date_to, rows=rows,
                      checks=sum(decisions.values()), decisions=decisions)


# --- certificates ----------------------------------------------------------------------------------

def certificate_by_number(number: str) -> CheckCertificate:
    """The certificate with this number (case and spaces ignored): whoever holds the number may check it
    (its verification page); its content is for ``certificate_viewer_entitled``."""
    normalized = "".join(str(number).split()).upper()[:40]
    certificate = (CheckCertificate.objects.select_related("subject", "check_row").filter(number=normalized)
                   .first())
    if certificate is None:
        raise errors.CertificateNotFound()
    return certificate


def certificate_viewer_entitled(*, certificate: CheckCertificate, viewer: Viewer) -> bool:
    """Whether ``viewer`` may see the certificate's content: anyone for an organization (organizations are
    public); for a person, who may see the check (``check_visible``: the system that made it, the person,
    the credit office). The verification page shows everyone else validity and hashes only (docs/decisions/037)."""
    if certificate.subject.kind != SubjectKind.PERSON:
        return True
    return (is_office(viewer)
            or (viewer.client_id is not None and viewer.client_id == certificate.check_row.client_id)
            or (viewer.subject_id is not None and viewer.subject_id == certificate.subject_id))


def certificate_for_viewer(number: str, *, viewer: Viewer) -> CheckCertificate:
    """The certificate if ``viewer`` may see its content; else "not found", as for a number none has."""
    certificate = certificate_by_number(number)
    if not certificate_viewer_entitled(certificate=certificate, viewer=viewer):
        raise errors.CertificateNotFound()
    return certificate


def certificate_verification(certificate: CheckCertificate) -> VerificationResult:
    """The stored certificate checked against its own hash and signature (the verification page)."""
    return stored_report_verify(content=certificate.content, content_hash=certificate.content_hash,
                                signature=certificate.signature, key_id=certificate.key_id)


def certificate_envelope(certificate: CheckCertificate) -> dict[str, Any]:
    """The signed envelope a holder downloads (the credit reports' envelope: the content under "report")."""
    return envelope_build(content=certificate.content, content_hash=certificate.content_hash,
                          signature=certificate.signature, key_id=certificate.key_id)
