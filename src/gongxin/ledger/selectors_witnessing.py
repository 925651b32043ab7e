"""Reads of checkpoints, witnessing and alerts for the auditors' page and the command (no personal data here:
the log holds hashes only)."""

from __future__ import annotations

from gongxin.core.errors import NotFound
from gongxin.ledger.choices_witnessing import AlertStatus
from gongxin.ledger.models import AuditRun
from gongxin.ledger.models_witnessing import Checkpoint, LedgerAlert, WitnessedLog


def checkpoint_get(*, tree_size: int) -> Checkpoint:
    found = Checkpoint.objects.prefetch_related("cosignatures").filter(tree_size=tree_size).first()
    if found is None:
        raise NotFound()
    return found


def alerts_recent(*, limit: int = 50) -> list[LedgerAlert]:
    return list(LedgerAlert.objects.order_by("-raised_at", "-id")[:limit])


def alerts_open_count() -> int:
    return LedgerAlert.objects.filter(status=AlertStatus.OPEN).count()


def alert_get(*, alert_id: int) -> LedgerAlert:
    found = LedgerAlert.objects.filter(pk=alert_id).first()
    if found is None:
        raise NotFound()
    return found


def witnessed_states() -> list[WitnessedLog]:
    return list(WitnessedLog.objects.order_by("origin"))


def audit_runs_recent(*, limit: int = 20) -> list[AuditRun]:
    """The audit's runs (ledger.audit), newest first."""
    return list(AuditRun.objects.order_by("-started_at", "-id")[:limit])
