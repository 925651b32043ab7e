"""Reads of the ingest app: batches a viewer may see, and data quality per source unit and catalog item.

Quality is computed from the batches' counters and statistics (each batch keeps, for its valid rows,
the working days from decision to ingest and how often each optional field was filled), so it costs one
pass over batches, never over records:

- volume: records inserted and corrected per month;
- rejection rate, and rejected rows by reason code;
- timeliness: mean working days from decision to ingest, share later than the double-publicity limit,
  and the distribution over 0–7 / 8–15 / 16–30 / >30 working days;
- completeness: share of valid rows that filled each optional field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from gongxin.accounts.capabilities import is_office, writes_for_unit
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.models import CatalogItem
from gongxin.core.errors import PermissionDenied
from gongxin.ingest.models import Batch

# The credit office reads every batch and the quality of every unit; a unit's writers read their unit's.
LAG_BUCKETS = ("0-7", "8-15", "16-30", ">30")


def batches_visible(*, viewer: Viewer) -> QuerySet[Batch]:
    batches = Batch.objects.select_related("source_unit__department", "catalog_item")
    if is_office(viewer):
        return batches
    if viewer.department_id is not None and writes_for_unit(viewer, source_unit_id=viewer.department_id):
        return batches.filter(source_unit_id=viewer.department_id)
    return batches.none()


@dataclass
class Quality:
    source_unit_id: int
    source_unit_name: str
    item_code: str
    item_name: str
    batches: int = 0
    received: int = 0
    loaded: int = 0
    rejected: int = 0
    volume_by_month: dict[str, int] = field(default_factory=dict)
    rejections_by_reason: dict[str, int] = field(default_factory=dict)
    measured: int = 0
    lag_sum: int = 0
    late: int = 0
    lag_buckets: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LAG_BUCKETS, 0))
    valid: int = 0
    filled: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def rejection_rate(self) -> float:
        return self.rejected / self.received if self.received else 0.0

    @property
    def mean_lag_working_days(self) -> float | None:
        return self.lag_sum / self.measured if self.measured else None

    @property
    def late_share(self) -> float | None:
        return self.late / self.measured if self.measured else None

    def completeness(self) -> list[dict[str, Any]]:
        return [
            {"field": code, "label": self.labels.get(code, code),
             "share": (self.filled.get(code, 0) / self.valid) if self.valid else 0.0}
            for code in self.labels
        ]

    def volume_series(self) -> list[tuple[str, int]]:
        return sorted(self.volume_by_month.items())


def quality_by_unit_and_item(*, viewer: Viewer, source_unit_id: int | None = None, item_code: str | None = None,
                             since: date | None = None) -> list[Quality]:
    if not is_office(viewer) and viewer.department_id is None:
        raise PermissionDenied()
    batches = batches_visible(viewer=viewer)
    if source_unit_id is not None:
        batches = batches.filter(source_unit_id=source_unit_id)
    if item_code:
        batches = batches.filter(catalog_item__code=item_code)
    if since is not None:
        batches = batches.filter(created_at__date__gte=since)
    found: dict[tuple[int, int], Quality] = {}
    items: dict[int, CatalogItem] = {}
    for batch in batches.filter(~Q(status="queued")).order_by("created_at"):
        key = (batch.source_unit_id, batch.catalog_item_id)
        quality = found.get(key)
        if quality is None:
            item = items.setdefault(batch.catalog_item_id, batch.catalog_item)
            quality = found[key] = Quality(
                source_unit_id=batch.source_unit_id, source_unit_name=batch.source_unit.department.name,
                item_code=item.code, item_name=item.name,
                labels={f["code"]: f["label"] for f in item.fields if not f.get("required")},
            )
        _add(quality, batch)
    return sorted(found.values(), key=lambda q: (q.source_unit_name, q.item_code))


def _add(quality: Quality, batch: Batch) -> None:
    stats = batch.stats or {}
    quality.batches += 1
    quality.received += batch.received
    quality.rejected += batch.rejected
    loaded = batch.inserted + batch.corrected
    quality.loaded += loaded
    month = batch.created_at.strftime("%Y-%m")
    quality.volume_by_month[month] = quality.volume_by_month.get(month, 0) + loaded
    for code, count in (stats.get("reasons") or {}).items():
        quality.rejections_by_reason[code] = quality.rejections_by_reason.get(code, 0) + count
    quality.measured += stats.get("measured", 0)
    quality.lag_sum += stats.get("lag_sum", 0)
    quality.late += stats.get("late", 0)
    for bucket, count in (stats.get("lag_buckets") or {}).items():
        quality.lag_buckets[bucket] = quality.lag_buckets.get(bucket, 0) + count
    quality.valid += stats.get("valid", 0)
    for code, count in (stats.get("filled") or {}).items():
        quality.filled[code] = quality.filled.get(code, 0) + count
