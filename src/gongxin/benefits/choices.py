"""Choices of the benefits app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UsageStatus(models.TextChoices):
    """Where one use of a benefit stands (a bike ride, a stay, a hospital visit paid later)."""

    OPEN = "open", _("In use")
    ENDED = "ended", _("Ended, settled")
    DEFAULTED = "defaulted", _("Defaulted")


class UsageAction(models.TextChoices):
    """What happened to a usage; one history row each."""

    STARTED = "started", _("Started")
    ENDED = "ended", _("Ended")
    DEFAULTED = "defaulted", _("Default recorded")


class SubjectKindChoice(models.TextChoices):
    """Which subjects a scenario serves (persons or organizations)."""

    PERSON = "person", _("Person")
    ORGANIZATION = "organization", _("Organization")
