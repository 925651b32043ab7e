"""Outbox consumer of the monitoring app: alerts for watched subjects' new negative records."""

from __future__ import annotations

from collections.abc import Sequence

from gongxin.core.models import OutboxEvent
from gongxin.monitoring.services import watch_alerts_raise


class WatchConsumer:
    """Raises one alert per (watch, new negative record); idempotent by the alert's key."""

    name = "monitoring.watch"

    def handle(self, events: Sequence[OutboxEvent]) -> None:
        watch_alerts_raise(events=events)
