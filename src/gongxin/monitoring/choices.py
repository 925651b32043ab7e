"""Choices of the monitoring app: scorecard, alert and policy states."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class AlertKind(models.TextChoices):
    THRESHOLD = "threshold", _("Risk above the threshold")
    DETERIORATION = "deterioration", _("Risk deteriorated")
    WATCH = "watch", _("New negative record of a watched subject")
    RELATED_LISTED = "related_listed", _("A related subject was newly listed")
    CONTROLLER_CHANGED = "controller_changed", _("The controller of a listed organization changed")


# What an alert is about: one open alert per subject and cause (``Alert.cause``). A watch's alerts are per
# watch (``watch:<id>``); the run's threshold and deterioration alerts share one cause.
CAUSE_RISK = "risk"
CAUSE_RELATED_LISTED = "related_listed"
CAUSE_CONTROLLER_CHANGED = "controller_changed"


def watch_cause(watch_id: int) -> str:
    return f"watch:{watch_id}"


class AlertStatus(models.TextChoices):
    # With its context: a bare "Open" is the notices' link ("查看"), which the main catalog's order would show here.
    OPEN = "open", pgettext_lazy("alert status", "Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Closed")


class MonitoringPolicyKind(models.TextChoices):
    TRAINING = "training", _("Scorecard training")
    ALERTS = "alerts", _("Alert rules")
