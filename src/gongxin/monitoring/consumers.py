"""Outbox consumers of the monitoring app: alerts for watched subjects' new negative records, alerts from
association events (a related subject newly listed, a controller change of a listed firm)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from gongxin.core.models import OutboxEvent
from gongxin.monitoring.services import association_alerts_raise, watch_alerts_raise


class WatchConsumer:
    """Raises one alert per (watch, new negative record); idempotent by the alert's key."""

    name = "monitoring.watch"

    def handle(self, events: Sequence[OutboxEvent]) -> None:
        watch_alerts_raise(events=events)


class AssociationAlertConsumer:
    """Alerts from association events (monitoring.services.association_alerts_raise); idempotent by key. Runs after
    the relation projection, so a relation and its listing in one dispatch are both seen."""

    name = "monitoring.associations"
    label = _("Alerts from related parties")

    def handle(self, events: Sequence[OutboxEvent]) -> None:
        association_alerts_raise(events=events)
