"""What a subject's profile holds for a purpose, counted once per change instead of once per page view.

The profile pages (the public organization profile, the subject's own ``/me/``) show counts per kind at the top
and page each kind. Those counts must be exactly what the disclosure policy shows for the purpose — a count of
records the viewer may not see would disclose them — so they are counted through ``visibility_q``, the policy's
own filter, and kept in the subject's ``ProfileSummary`` under ``"shown"`` by the summary consumer
(records.consumers, ``ShownSummary`` is its provider), once per record event of the subject.

Visibility also changes by date alone (a publicity window or a retention period ends). The stored counts say
the day they were counted (``as_of``) and the last day they stay true (``until``: the earliest publicity or
retention end still ahead, after which a record leaves the view). Outside that range — or when no summary was
kept yet — ``shown_counts`` counts live, for the one subject, with the same function: the answer is always
today's, the summary only spares the count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Min, Q

from gongxin.access.disclosure import visibility_q
from gongxin.catalog.choices import Polarity
from gongxin.core import clock
from gongxin.records.choices import Purpose, RecordStatus
from gongxin.records.models import ProfileSummary, Record

SUMMARY_KEY = "shown"
# The purposes whose counts are kept: the pages that show a whole profile without an inquiry.
KEPT_PURPOSES: tuple[str, ...] = (Purpose.PUBLIC, Purpose.SELF)


@dataclass(frozen=True)
class ShownCounts:
    """How many records a purpose shows of one subject: by record kind, and by the marks ``/me/`` counts."""

    kinds: dict[str, int] = field(default_factory=dict)
    negative: int = 0
    under_objection: int = 0
    repaired: int = 0
    unpublished: int = 0
    from_summary: bool = False

    @property
    def total(self) -> int:
        return sum(self.kinds.values())

    def of_kinds(self, kinds: Iterable[str]) -> int:
        return sum(self.kinds.get(kind, 0) for kind in kinds)

    def as_json(self) -> dict[str, Any]:
        return {"kinds": self.kinds, "negative": self.negative, "under_objection": self.under_objection,
                "repaired": self.repaired, "unpublished": self.unpublished}


def shown_counts_compute(subject_ids: Iterable[int], *, day: date) -> dict[int, dict[str, Any]]:
    """Per subject: ``{"as_of", "until", <purpose>: ShownCounts.as_json()}`` for the kept purposes, on ``day``.

    Set-based, one statement over the subjects' records (the index on the record's subject): grouped by kind and
    marks, a filtered count per purpose (the policy's own ``visibility_q``) and the earliest publicity and
    retention ends still ahead."""
    ids = sorted(set(subject_ids))
    cells: dict[int, dict[str, dict[str, Any]]] = {
        sid: {p: {"kinds": {}, "negative": 0, "under_objection": 0, "repaired": 0, "unpublished": 0}
              for p in KEPT_PURPOSES} for sid in ids
    }
    until: dict[int, date] = {}
    in_effect = Q(current_version__status=RecordStatus.ACTIVE)
    rows = (
        Record.objects.filter(subject_id__in=ids, current_version__isnull=False)
        .order_by()
        .values_list("subject_id", "catalog_item__record_kind", "current_version__polarity",
                     "current_version__under_objection", "current_version__repaired", "current_version__published")
        .annotate(
            **{f"n_{purpose}": Count("id", filter=visibility_q(purpose=purpose, today=day))
               for purpose in KEPT_PURPOSES},
            publicity=Min("current_version__publicity_max_end",
                          filter=in_effect & Q(current_version__publicity_max_end__gte=day)),
            retention=Min("current_version__retention_end",
                          filter=in_effect & Q(current_version__retention_end__gte=day)),
        )
    )
    for subject_id, kind, polarity, under_objection, repaired, published, *counted, publicity, retention in rows:
        for purpose, n in zip(KEPT_PURPOSES, counted, strict=True):
            if not n:
                continue
            cell = cells[subject_id][purpose]
            cell["kinds"][kind] = cell["kinds"].get(kind, 0) + n
            cell["negative"] += n if polarity == Polarity.NEGATIVE else 0
            cell["under_objection"] += n if under_objection else 0
            cell["repaired"] += n if repaired else 0
            cell["unpublished"] += n if not published else 0
        for end in (publicity, retention):
            if end is not None and (subject_id not in until or end < until[subject_id]):
                until[subject_id] = end
    return {
        sid: {"as_of": day.isoformat(), "until": until[sid].isoformat() if sid in until else None, **cells[sid]}
        for sid in ids
    }


class ShownSummary:
    """The summary provider (``settings.GONGXIN_SUMMARY_PROVIDERS``): what each kept purpose shows, today."""

    def summary(self, subject_ids: set[int]) -> dict[int, dict[str, Any]]:
        day = clock.today()
        return {sid: {SUMMARY_KEY: entry} for sid, entry in shown_counts_compute(subject_ids, day=day).items()}


def _from_json(cell: dict[str, Any], *, from_summary: bool) -> ShownCounts:
    return ShownCounts(kinds={str(k): int(v) for k, v in cell["kinds"].items()}, negative=int(cell["negative"]),
                       under_objection=int(cell["under_objection"]), repaired=int(cell["repaired"]),
                       unpublished=int(cell["unpublished"]), from_summary=from_summary)


def _usable(entry: Any, *, purpose: str, day: date) -> bool:
    if not isinstance(entry, dict) or not isinstance(entry.get(purpose), dict):
        return False
    try:
        as_of = date.fromisoformat(entry["as_of"])
        until = date.fromisoformat(entry["until"]) if entry.get("until") else None
    except (KeyError, TypeError, ValueError):
        return False
    return as_of <= day and (until is None or day <= until)


def shown_counts(*, subject_id: int, purpose: str, day: date | None = None) -> ShownCounts:
    """What ``purpose`` shows of the subject today, by kind: from its summary while that is true for today,
    otherwise counted now for this subject alone. Only the kept purposes (public, self)."""
    if purpose not in KEPT_PURPOSES:
        raise ValueError(f"counts are kept for {KEPT_PURPOSES}, not {purpose!r}")
    day = day or clock.today()
    summary = ProfileSummary.objects.filter(subject_id=subject_id).values_list("counts", flat=True).first()
    entry = summary.get(SUMMARY_KEY) if isinstance(summary, dict) else None
    if _usable(entry, purpose=purpose, day=day):
        assert isinstance(entry, dict)
        return _from_json(entry[purpose], from_summary=True)
    live = shown_counts_compute([subject_id], day=day)[subject_id]
    return _from_json(live[purpose], from_summary=False)
