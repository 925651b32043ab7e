from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """Where a query of a subject came from."""

    PORTAL = "portal", _("Portal page")
    API = "api", _("API")
    REPORT = "report", _("Credit report")
    CHECK = "check", _("Check by a business system")
    EXPORT = "export", _("Export")
