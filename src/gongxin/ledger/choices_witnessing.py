"""Choices of checkpoints, witnessing and the ledger's alerts (decision 065)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CheckpointCause(models.TextChoices):
    INTERVAL = "interval", _("At the fixed interval")
    DEMAND = "demand", _("On demand")
    REPORT = "report", _("For a report")


class AlertSide(models.TextChoices):
    LOG = "log", _("This platform's log")
    WITNESS = "witness", _("A log this platform witnesses")


class AlertKind(models.TextChoices):
    SPLIT_VIEW = "split_view", _("Two checkpoints of the same size with different roots")
    INCONSISTENT = "inconsistent", _("A checkpoint that does not extend the last one seen")
    ROLLBACK = "rollback", _("A checkpoint smaller than the last one seen")
    BAD_SIGNATURE = "bad_signature", _("A checkpoint without a valid signature of the log")
    UNKNOWN_CHECKPOINT = "unknown_checkpoint", _("A cosigned checkpoint this platform never signed")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
