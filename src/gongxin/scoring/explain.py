"""Explanations of a score: dimension points, up to four reason codes, and what would change it.

Computed from the same generated SQL as the score (``engine.model_sql`` with ``explain=True``), so the
reasons are exactly the indicators that cost points, ranked by points lost (consumer-credit practice:
at most four, each specific, never "score too low"). What would change it comes from the subject's
negative records: the day each stops counting (retention end), weighs less (decay), or may be repaired (never
for a kind credit repair does not reach: ``catalog.policy.removal_authorities``, the court's list).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from gongxin.catalog.choices import Polarity
from gongxin.catalog.policy import removal_authorities
from gongxin.core import clock
from gongxin.records.counting import counting_ends_on, counts_q
from gongxin.records.models import Record
from gongxin.scoring.engine import explain_rows, model_plan
from gongxin.scoring.models import ScoringModel

MAX_REASONS = 4
MAX_CHANGES = 6


@dataclass(frozen=True)
class DimensionScore:
    code: str
    name: str
    name_en: str
    points: float
    max_points: float


@dataclass(frozen=True)
class Reason:
    code: str
    dimension: str
    points_lost: float
    text_zh: str
    text_en: str


@dataclass(frozen=True)
class Change:
    day: date
    kind: str  # "retention_end" | "weight_drops" | "repairable"
    record_id: int
    item: str
    text_zh: str
    text_en: str


@dataclass
class Explanation:
    model_code: str
    model_name: str
    model_name_en: str
    as_of: date
    score: int
    grade: str
    grade_name: str
    grade_name_en: str
    supervision_class: str
    scale_max: int
    dimensions: list[DimensionScore] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def _text(template: str, values: dict[str, Any]) -> str:
    try:
        return template.format_map(_Defaults(values))
    except (ValueError, IndexError):
        return template


def explanation_compute(*, model: ScoringModel, subject_id: int, as_of: date | None = None) -> Explanation | None:
    as_of = as_of or clock.today()
    plan = model_plan(model)
    row = explain_rows(plan, as_of=as_of, subject_ids=[subject_id]).get(subject_id)
    if row is None:
        return None
    band = next((b for b in model.bands.order_by("-min_score") if b.code == row["grade"]), None)
    result = Explanation(
        model_code=model.code, model_name=model.name, model_name_en=model.name_en, as_of=as_of,
        score=int(row["score"]), grade=row["grade"], grade_name=band.name if band else "",
        grade_name_en=band.name_en if band else "", supervision_class=band.supervision_class if band else "",
        scale_max=model.scale_max,
    )
    reasons = []
    decays: list[list[dict[str, Any]]] = []
    for dimension in plan.dimensions:
        result.dimensions.append(DimensionScore(dimension.code, dimension.name, dimension.name_en,
                                                float(row[dimension.column]), float(dimension.max_points)))
        for indicator, indicator_row in zip(dimension.indicators, _rows_of(plan, dimension.code), strict=True):
            points = Decimal(str(row[indicator.column]))
            if points < 0 and indicator.reason_code:
                values = {"count": int(row.get(f"n_{indicator.column}") or 0),
                          "recent": int(row.get(f"r_{indicator.column}") or 0),
                          "months": indicator.recent_months or ""}
                reasons.append(Reason(indicator.reason_code, dimension.code, float(-points),
                                      _text(indicator.reason_zh, values), _text(indicator.reason_en, values)))
            if indicator_row.decay:
                decays.append(indicator_row.decay)
    reasons.sort(key=lambda r: (-r.points_lost, r.code))
    result.reasons = reasons[:MAX_REASONS]
    result.changes = _changes(subject_id=subject_id, as_of=as_of, decay=decays[0] if decays else [],
                              repaired_counts=bool(model.repaired_weight))
    return result


def _rows_of(plan: Any, dimension_code: str) -> list[Any]:
    return [r for r in plan.indicator_rows if r.dimension.code == dimension_code]


def _changes(*, subject_id: int, as_of: date, decay: list[dict[str, Any]], repaired_counts: bool) -> list[Change]:
    records = (
        Record.objects.filter(counts_q(day=as_of, repaired_counts=repaired_counts), subject_id=subject_id,
                              current_version__polarity=Polarity.NEGATIVE)
        .select_related("current_version", "catalog_item")
        .order_by("current_version__decision_date", "pk")[:200]
    )
    changes: list[Change] = []
    removed_by = removal_authorities(day=as_of)  # kinds credit repair does not reach (the court's list)
    for record in records:
        version = record.current_version
        assert version is not None  # counts_q holds only records with a current version
        item = record.catalog_item.name
        decided = version.decision_date
        label = f"{item}（{decided.isoformat() if decided else ''}）"
        label_en = f"{record.catalog_item.name_en or item} of {decided.isoformat() if decided else '?'}"
        gone = counting_ends_on(version.retention_end)
        if gone is not None:
            changes.append(Change(gone, "retention_end", record.pk, item,
                                  f"{label}保存期届满，自{gone.isoformat()}起不再计入评价",
                                  f"The {label_en} stops counting on {gone.isoformat()} (retention ends)"))
        if decided is not None:
            for band, following in itertools.pairwise(decay):
                if "months" not in band:
                    break
                day = clock.add_months(decided, int(band["months"]))
                if day > as_of:
                    changes.append(Change(day, "weight_drops", record.pk, item,
                                          f"{label}自{day.isoformat()}起按{following.get('weight', 1)}倍计分",
                                          f"The {label_en} weighs {following.get('weight', 1)} from {day.isoformat()}"))
                    break
        if (not version.repaired and version.publicity_min_end is not None
                and record.catalog_item.record_kind not in removed_by):
            day = max(version.publicity_min_end, as_of)
            changes.append(Change(day, "repairable", record.pk, item,
                                  f"{label}自{day.isoformat()}起可申请信用修复，修复后不再计入评价",
                                  f"The {label_en} may be repaired from {day.isoformat()}; once repaired it no "
                                  "longer counts"))
    changes.sort(key=lambda c: (c.day, c.record_id, c.kind))
    return changes[:MAX_CHANGES]
