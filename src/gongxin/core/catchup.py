"""How far the outbox consumers are behind, and when they will have caught up (the workbench shows it).

After a bulk load — the demo's seed, a big ingest batch — the consumers (core.outbox) work through a backlog in
the background; until they are through, profiles' counts, scores and facts lag behind the records. This says so:
events pending per consumer and an estimate of the time left.

Pending is the newest event id minus the consumer's position (ids are contiguous on SQLite; on PostgreSQL a
rolled-back transaction leaves a gap, so it can be a few too many: "about"). The rate is measured by this web
process from the positions it saw on earlier views (at most ``SAMPLE_WINDOW`` seconds back): consumers run one
after another, so a consumer that waits for its turn has no rate yet; it is counted at the rate of the others.
Nothing is stored: a new process estimates from its second view on.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from gongxin.core.models import ConsumerCursor, OutboxEvent
from gongxin.core.outbox import consumers

SAMPLE_WINDOW = 600.0  # seconds of positions kept per consumer
MIN_SPAN = 2.0  # seconds between two samples before a rate is believed
# What each consumer keeps current, in the reader's words (a consumer class may say so itself with ``label``).
LABELS: dict[str, Any] = {
    "records.profile_summary": _("Profile counts"),
    "scoring.rescore": _("Scores and grades"),
    "rewards.subject_facts": _("Facts for joint rewards and punishments"),
    "monitoring.watch": _("Alerts of watched subjects"),
    "sharing.fanout": _("Subscriptions and webhooks"),
    "portal.figures": _("Home page figures"),
}

_lock = threading.Lock()
_samples: dict[str, deque[tuple[float, int]]] = {}
_rates: dict[str, float] = {}  # the last rate measured per consumer (events per second)


@dataclass(frozen=True)
class ConsumerProgress:
    name: str
    label: Any
    position: int
    pending: int
    rate: float | None  # events per second, measured now; None while it waits or was not seen moving

    @property
    def done_share(self) -> float:
        total = self.position + self.pending
        return self.position / total if total else 1.0


@dataclass(frozen=True)
class CatchUp:
    newest: int
    consumers: list[ConsumerProgress]
    seconds_left: float | None  # None: no rate measured yet
    behind_since: datetime | None  # when the oldest pending event was written

    @property
    def pending(self) -> int:
        return sum(c.pending for c in self.consumers)

    @property
    def minutes_left(self) -> int | None:
        return None if self.seconds_left is None else max(1, round(self.seconds_left / 60))


def _rate(name: str, position: int, now: float) -> float | None:
    with _lock:
        samples = _samples.setdefault(name, deque())
        if samples and samples[-1][1] > position:  # the cursor went back (a reset): start again
            samples.clear()
        samples.append((now, position))
        while len(samples) > 2 and now - samples[1][0] >= SAMPLE_WINDOW:
            samples.popleft()
        first_at, first_position = samples[0]
        if now - first_at < MIN_SPAN or position <= first_position:
            return None
        # The last stretch the consumer moved over, from the latest sample at which it stood still.
        start_at, start_position = first_at, first_position
        for at, seen in samples:
            if seen == first_position:
                start_at, start_position = at, seen
        rate = (position - start_position) / max(now - start_at, MIN_SPAN)
        _rates[name] = rate
        return rate


def catchup_progress(*, now: float | None = None) -> CatchUp:
    """Each consumer's backlog and the time left, as seen now (two small queries, one more while behind)."""
    now = time.monotonic() if now is None else now
    newest = OutboxEvent.objects.aggregate(newest=Max("id"))["newest"] or 0
    positions = dict(ConsumerCursor.objects.values_list("consumer", "position"))
    rows: list[ConsumerProgress] = []
    for consumer in consumers():
        position = positions.get(consumer.name, 0)
        pending = max(0, newest - position)
        rate = _rate(consumer.name, position, now)
        label = getattr(consumer, "label", None) or LABELS.get(consumer.name) or consumer.name
        rows.append(ConsumerProgress(name=consumer.name, label=label, position=position, pending=pending, rate=rate))
    behind = [row for row in rows if row.pending]
    if not behind:
        return CatchUp(newest=newest, consumers=rows, seconds_left=0.0, behind_since=None)
    known = [rate for rate in (row.rate or _rates.get(row.name) for row in rows) if rate]
    seconds_left: float | None = None
    if known:
        fallback = statistics.median(known)
        seconds_left = sum(row.pending / (row.rate or _rates.get(row.name) or fallback) for row in behind)
    oldest = min(row.position for row in behind)
    since = OutboxEvent.objects.filter(id__gt=oldest).order_by("id").values_list("created_at", flat=True).first()
    return CatchUp(newest=newest, consumers=rows, seconds_left=seconds_left, behind_since=since)


def catchup_forget() -> None:
    """Drop this process's samples (tests)."""
    with _lock:
        _samples.clear()
        _rates.clear()
