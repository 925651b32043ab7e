"""Features of organizations at a snapshot date, and the outcome that follows it, computed set-based.

Each feature is one aggregate over the subject's records that count on the snapshot day (records.counting,
a repaired one not: in effect, within retention — its last day included), decided on or before the day; over
list entries, or over the registration facts: a few grouped queries for all organizations, streamed, never a query per
subject. The outcome of a snapshot is 1 when a negative record of the training policy's kinds or
severities is decided within the horizon after it (the label a scorecard learns to foresee).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, DateField, Max, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from gongxin.catalog.choices import Polarity, RecordKind, Severity, SubjectKind
from gongxin.core.clock import add_months
from gongxin.records.choices import ListKind, RecordStatus
from gongxin.records.counting import counts_q
from gongxin.records.models import ListEntry, Record
from gongxin.subjects.models import Organization

CHUNK = 5000


@dataclass(frozen=True)
class Feature:
    code: str
    label: Any  # gettext_lazy: what the value counts, for pages and reasons


FEATURES: tuple[Feature, ...] = (
    Feature("negative_serious_3y", _("Serious negative records in the last 3 years")),
    Feature("negative_12m", _("Negative records in the last 12 months")),
    Feature("negative_in_retention", _("Negative records still in retention")),
    Feature("months_since_negative", _("Months since the latest negative record")),
    Feature("judgments_3y", _("Judgment-debtor and serious-dishonesty records in the last 3 years")),
    Feature("on_black_list", _("On a black list")),
    Feature("licences", _("Administrative licences held")),
    Feature("positive_records", _("Honours, grade-A tax and voluntary performance records")),
    Feature("registration_years", _("Years since registration")),
    Feature("registered_capital_wan", _("Registered capital (10,000 yuan)")),
)
FEATURE_BY_CODE = {f.code: f for f in FEATURES}
CODES = [f.code for f in FEATURES]


def feature_label(code: str, *, language: str) -> str:
    feature = FEATURE_BY_CODE.get(code)
    with translation.override(language):
        return str(feature.label) if feature else code


@dataclass
class Snapshot:
    as_of: date
    subject_ids: list[int]
    columns: dict[str, list[Any]]

    def row(self, index: int) -> dict[str, Any]:
        return {code: values[index] for code, values in self.columns.items()}


def _records_in_effect(as_of: date) -> Any:
    day = Coalesce("current_version__decision_date", TruncDate("created_at"), output_field=DateField())
    return (
        Record.objects.filter(counts_q(day=as_of, repaired_counts=False), subject__kind=SubjectKind.ORGANIZATION)
        .annotate(day=day)
        .filter(day__lte=as_of)
    )


def _years_before(day: date, years: int) -> date:
    return add_months(day, -12 * years)


def snapshot_compute(*, as_of: date, subject_ids: Iterable[int] | None = None) -> Snapshot:
    """Every organization's features on ``as_of`` (or only those of ``subject_ids``)."""
    only = list(subject_ids) if subject_ids is not None else None
    negative = Q(current_version__polarity=Polarity.NEGATIVE)
    three_years = _years_before(as_of, 3)
    aggregates = _records_in_effect(as_of)
    if only is not None:
        aggregates = aggregates.filter(subject_id__in=only)
    aggregates = aggregates.values("subject_id").annotate(
        negative_serious_3y=Count("id", filter=negative & Q(current_version__severity=Severity.SERIOUS,
                                                            day__gt=three_years)),
        negative_12m=Count("id", filter=negative & Q(day__gt=add_months(as_of, -12))),
        negative_in_retention=Count("id", filter=negative),
        latest_negative=Max("day", filter=negative),
        judgments_3y=Count("id", filter=Q(catalog_item__record_kind__in=[RecordKind.JUDGMENT_DEBTOR,
                                                                          RecordKind.SERIOUS_DISHONESTY],
                                          day__gt=three_years)),
        licences=Count("id", filter=Q(catalog_item__record_kind=RecordKind.LICENCE)),
        positive_records=Count("id", filter=Q(current_version__polarity=Polarity.POSITIVE)
                               & ~Q(catalog_item__record_kind=RecordKind.LICENCE)),
    ).order_by()
    by_subject: dict[int, dict[str, Any]] = {row["subject_id"]: row for row in aggregates.iterator(chunk_size=CHUNK)}
    listed = ListEntry.objects.filter(list_type__kind=ListKind.BLACK, start_date__lte=as_of).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=as_of))
    if only is not None:
        listed = listed.filter(subject_id__in=only)
    black = set(listed.values_list("subject_id", flat=True).distinct())
    organizations = Organization.objects.order_by("subject_id")
    if only is not None:
        organizations = Organization.objects.filter(subject_id__in=only).order_by("subject_id")
    columns: dict[str, list[Any]] = {code: [] for code in CODES}
    subject_ids_out: list[int] = []
    for subject_id, registered, capital in organizations.values_list(
            "subject_id", "registration_date", "registered_capital_yuan").iterator(chunk_size=CHUNK):
        if registered is not None and registered > as_of:
            continue  # not yet registered on the snapshot day
        row = by_subject.get(subject_id, {})
        latest = row.get("latest_negative")
        subject_ids_out.append(subject_id)
        columns["negative_serious_3y"].append(row.get("negative_serious_3y", 0))
        columns["negative_12m"].append(row.get("negative_12m", 0))
        columns["negative_in_retention"].append(row.get("negative_in_retention", 0))
        columns["months_since_negative"].append(None if latest is None else (as_of - latest).days // 30)
        columns["judgments_3y"].append(row.get("judgments_3y", 0))
        columns["on_black_list"].append(1 if subject_id in black else 0)
        columns["licences"].append(row.get("licences", 0))
        columns["positive_records"].append(row.get("positive_records", 0))
        columns["registration_years"].append(
            None if registered is None else round((as_of - registered).days / 365.25, 2))
        columns["registered_capital_wan"].append(None if capital is None else round(float(capital) / 10000, 2))
    return Snapshot(as_of=as_of, subject_ids=subject_ids_out, columns=columns)


def outcomes_compute(*, subject_ids: list[int], as_of: date, horizon_months: int,
                     severities: list[str], record_kinds: list[str]) -> list[int]:
    """1 for each subject with an adverse record decided within ``horizon_months`` after ``as_of``."""
    end = add_months(as_of, horizon_months)
    adverse = Q(current_version__polarity=Polarity.NEGATIVE) & (
        Q(current_version__severity__in=severities) | Q(catalog_item__record_kind__in=record_kinds))
    day = Coalesce("current_version__decision_date", TruncDate("created_at"), output_field=DateField())
    bad = set(
        Record.objects.filter(subject__kind=SubjectKind.ORGANIZATION, current_version__status=RecordStatus.ACTIVE)
        .annotate(day=day).filter(adverse, day__gt=as_of, day__lte=end)
        .values_list("subject_id", flat=True).distinct().iterator(chunk_size=CHUNK)
    )
    return [1 if subject_id in bad else 0 for subject_id in subject_ids]


def horizon_complete(*, as_of: date, horizon_months: int, today: date) -> bool:
    """A snapshot can be learnt from only when its whole outcome window has passed."""
    return add_months(as_of, horizon_months) <= today
