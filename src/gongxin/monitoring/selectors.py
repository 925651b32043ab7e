"""Reads of the monitoring app, access-checked: staff, auditors and administrators only.

A subject's risk score is non-public data: reading it logs an inquiry (access.services.inquiry_record).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, QuerySet

from gongxin.access.services import inquiry_record
from gongxin.accounts.capabilities import decides_for_office, is_office
from gongxin.accounts.choices import Level
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.choices import SubjectKind
from gongxin.monitoring.choices import AlertKind, AlertStatus, MonitoringPolicyKind, ScorecardStatus
from gongxin.monitoring.errors import (
    AlertNotFound,
    MonitoringNotStaff,
    MonitoringSubjectNotFound,
    NoTrainingPolicy,
    ScorecardNotFound,
    SubjectNotOrganization,
    WatchNotFound,
)
from gongxin.monitoring.models import Alert, MonitoringPolicy, RiskRun, RiskScore, Scorecard, Watch
from gongxin.records.choices import Purpose
from gongxin.subjects.models import Subject

OPEN_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)
LIST_CAP = 25  # alerts in a field's queue when the policy in effect sets no cap


def reader_check(viewer: Viewer) -> None:
    """Monitoring's reads are the office's (accounts.capabilities.is_office: auditors included)."""
    if not is_office(viewer):
        raise MonitoringNotStaff()


def writer_check(viewer: Viewer) -> None:
    """Monitoring's writes are the office's deciders' (accounts.capabilities.decides_for_office)."""
    if not decides_for_office(viewer):
        raise MonitoringNotStaff()


def policy_in_effect(*, kind: str, day: date) -> MonitoringPolicy:
    policy = MonitoringPolicy.objects.filter(kind=kind, effective_from__lte=day).order_by("-effective_from").first()
    if policy is None:
        raise NoTrainingPolicy()
    return policy


def scorecard_active() -> Scorecard | None:
    return Scorecard.objects.filter(status=ScorecardStatus.ACTIVE).first()


def scorecards_list(*, viewer: Viewer) -> QuerySet[Scorecard]:
    reader_check(viewer)
    return Scorecard.objects.order_by("-trained_at", "-id")


def scorecard_get(*, scorecard_id: int, viewer: Viewer) -> Scorecard:
    reader_check(viewer)
    found = Scorecard.objects.filter(pk=scorecard_id).first()
    if found is None:
        raise ScorecardNotFound()
    return found


def run_latest() -> RiskRun | None:
    return RiskRun.objects.filter(finished_at__isnull=False).order_by("-finished_at", "-id").first()


def alerts_list(*, viewer: Viewer, status: str | None = None, kind: str | None = None,
                subject_id: int | None = None, mine: bool = False) -> QuerySet[Alert]:
    reader_check(viewer)
    alerts = Alert.objects.select_related("subject", "watch").order_by("-raised_at", "-id")
    if status:
        alerts = alerts.filter(status=status)
    if kind:
        alerts = alerts.filter(kind=kind)
    if subject_id:
        alerts = alerts.filter(subject_id=subject_id)
    if mine:  # the alerts of the viewer's own watches (only users watch)
        alerts = alerts.filter(watch__user_id=viewer.user_id) if viewer.user_id is not None else alerts.none()
    return alerts


@dataclass(frozen=True)
class StaffField:
    """A staff member's field (decision 072): the district of a district-level department (all districts for a
    city-level one), and the regulatory domain of a department that is a source unit of one domain (all domains
    for the credit office or a general one). ``cap`` is the policy's number of alerts shown in the queue."""

    region_code: str
    domain: str
    cap: int

    @property
    def is_whole_city(self) -> bool:
        return not self.region_code and not self.domain


GENERAL_DOMAINS = frozenset({"", "credit"})


def field_of(viewer: Viewer, *, day: date | None = None) -> StaffField:
    from gongxin.accounts.models import Department
    from gongxin.core import clock

    try:
        rules = policy_in_effect(kind=MonitoringPolicyKind.ALERTS, day=day or clock.today()).params
    except NoTrainingPolicy:
        rules = {}
    cap = int(rules.get("cap_per_field", LIST_CAP))
    department = (Department.objects.filter(pk=viewer.department_id).select_related("source_unit").first()
                  if viewer.department_id is not None else None)
    if department is None:
        return StaffField(region_code="", domain="", cap=cap)
    region = department.region_code if department.level == Level.DISTRICT else ""
    unit = getattr(department, "source_unit", None)
    domain = "" if unit is None or unit.domain in GENERAL_DOMAINS else unit.domain
    return StaffField(region_code=region, domain=domain, cap=cap)


def alerts_of_field(*, viewer: Viewer, field: StaffField | None = None) -> QuerySet[Alert]:
    """The open alerts of the viewer's field, highest priority first, capped by the policy (the work queue)."""
    reader_check(viewer)
    field = field or field_of(viewer)
    alerts = Alert.objects.filter(status__in=OPEN_STATUSES).exclude(kind=AlertKind.WATCH)
    if field.region_code:
        alerts = alerts.filter(region_code=field.region_code)
    if field.domain:
        alerts = alerts.filter(domain=field.domain)
    return alerts.select_related("subject").order_by("-priority", "-raised_at", "-id")[:field.cap]


def alert_counts(*, viewer: Viewer) -> dict[str, int]:
    reader_check(viewer)
    counts = dict.fromkeys(AlertStatus.values, 0)
    for status, n in Alert.objects.values_list("status").annotate(n=Count("id")).order_by():
        counts[status] = n
    return counts


def alert_get(*, alert_id: int, viewer: Viewer) -> Alert:
    reader_check(viewer)
    found = Alert.objects.select_related("subject", "run", "watch").filter(pk=alert_id).first()
    if found is None:
        raise AlertNotFound()
    return found


def risk_of_subject(*, subject_id: int, viewer: Viewer, channel: str, limit: int = 12) -> list[RiskScore]:
    """The subject's scores, newest run first; logs one inquiry (a risk score is not public)."""
    reader_check(viewer)
    scores = list(RiskScore.objects.filter(subject_id=subject_id).select_related("run", "run__scorecard")
                  .order_by("-run__started_at", "-run_id")[:limit])
    inquiry_record(subject_id=subject_id, viewer=viewer, purpose=Purpose.STAFF, channel=channel,
                   reason="monitoring: risk score", records_shown=len(scores))
    return scores


def organization_get(*, subject_id: int, viewer: Viewer) -> Subject:
    """An organization for staff work (watching, risk history); persons are never scored here."""
    reader_check(viewer)
    found = Subject.objects.filter(pk=subject_id).first()
    if found is None:
        raise MonitoringSubjectNotFound()
    if found.kind != SubjectKind.ORGANIZATION:
        raise SubjectNotOrganization()
    return found


def watch_get(*, watch_id: int, viewer: Viewer) -> Watch:
    reader_check(viewer)
    found = (Watch.objects.select_related("subject").filter(pk=watch_id, user_id=viewer.user_id).first()
             if viewer.user_id is not None else None)
    if found is None:
        raise WatchNotFound()
    return found


def watches_of(*, viewer: Viewer) -> QuerySet[Watch]:
    reader_check(viewer)
    if viewer.user_id is None:  # only users watch
        return Watch.objects.none()
    return Watch.objects.filter(user_id=viewer.user_id, is_active=True).select_related("subject").order_by(
        "-created_at")


@dataclass(frozen=True)
class Bucket:
    low: int
    high: int
    count: int
    percent: float


def risk_distribution(*, run: RiskRun, width: int = 20) -> list[Bucket]:
    """Counts of a run's scores in buckets of ``width`` points (for the CSS bar chart)."""
    counts: dict[int, int] = {}
    for score, n in RiskScore.objects.filter(run=run).values_list("score").annotate(n=Count("id")).order_by():
        bucket = (score // width) * width
        counts[bucket] = counts.get(bucket, 0) + n
    biggest = max(counts.values(), default=0)
    return [Bucket(low=b, high=b + width - 1, count=counts[b], percent=round(100 * counts[b] / biggest, 1))
            for b in sorted(counts)]


def feature_chart(feature: dict[str, Any]) -> list[dict[str, Any]]:
    """A scorecard feature's bins as CSS bars: WoE scaled to the biggest absolute WoE of the feature."""
    bins = [b for b in feature["bins"] if b.get("count") or not (b.get("missing") or b.get("special"))]
    biggest = max((abs(b["woe"]) for b in bins), default=0) or 1.0
    return [{**b, "percent": round(100 * abs(b["woe"]) / biggest, 1), "negative": b["woe"] < 0} for b in bins]
