"""The ledger's alerts (decision 065): one row per split view or refused checkpoint, and its outbox event
``ledger.alert.raised`` in the same transaction, so monitoring and subscribers see it."""

from __future__ import annotations

from django.db import transaction

from gongxin.core import clock
from gongxin.core.events import LEDGER_ALERT_RAISED
from gongxin.core.outbox import event_emit
from gongxin.ledger.models_witnessing import LedgerAlert


def alert_raise(*, side: str, kind: str, origin: str, tree_size: int | None = None, seen_size: int | None = None,
                seen_note: str = "", offered_note: str = "", reported_by: str = "") -> LedgerAlert:
    """Record an alert with its evidence (the notes) and announce it. The same evidence again (a witness that
    reports the same refusal on every run) is one alert, not one per run."""
    with transaction.atomic():
        existing = LedgerAlert.objects.filter(side=side, kind=kind, origin=origin, tree_size=tree_size,
                                              offered_note=offered_note, seen_note=seen_note).first()
        if existing is not None:
            return existing
        alert = LedgerAlert.objects.create(
            side=side, kind=kind, origin=origin, tree_size=tree_size, seen_size=seen_size, seen_note=seen_note,
            offered_note=offered_note, reported_by=reported_by, raised_at=clock.now())
        event_emit(topic=LEDGER_ALERT_RAISED, aggregate_type="ledger_alert", aggregate_id=alert.pk, subject_id=None,
                   payload={"side": side, "kind": kind, "origin": origin, "tree_size": tree_size,
                            "reported_by": reported_by})
    return alert
