"""Choices of the scoring app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ModelStatus(models.TextChoices):
    """A model version's life: drafted, simulated, activated once, retired when the next one is activated."""

    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class RunKind(models.TextChoices):
    BATCH = "batch", _("Batch (all subjects)")
    INCREMENTAL = "incremental", _("Incremental (touched subjects)")
