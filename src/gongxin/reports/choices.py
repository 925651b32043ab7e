from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    ORGANIZATION = "organization", _("Organization credit report")
    PERSON = "person", _("Person credit report")
    SPECIAL = "special", _("Special credit report (replaces no-violation certificates)")


class ReportStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    SUPERSEDED = "superseded", _("Superseded")
    REVOKED = "revoked", _("Revoked")
