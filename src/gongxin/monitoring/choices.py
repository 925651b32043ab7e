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


class AlertStatus(models.TextChoices):
    # With its context: a bare "Open" is the notices' link ("查看"), which the main catalog's order would show here.
    OPEN = "open", pgettext_lazy("alert status", "Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Closed")


class MonitoringPolicyKind(models.TextChoices):
    TRAINING = "training", _("Scorecard training")
    ALERTS = "alerts", _("Alert rules")
