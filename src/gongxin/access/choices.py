from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """Where a query of a subject came from."""

    PORTAL = "portal", _("Portal page")
    API = "api", _("API")
    REPORT = "report", _("Credit report")
    CHECK = "check", _("Check by a business system")
    EXPORT = "export", _("Export")


class ConsentState(models.TextChoices):
    """Where a consent stands at a moment (computed from its dates and revocation, never stored)."""

    ACTIVE = "active", _("In force")
    PENDING = "pending", _("Not yet in force")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class GranteeKind(models.TextChoices):
    """Who a consent names as the requester."""

    USER = "user", _("User")
    CLIENT = "client", _("API client")
    DEPARTMENT = "department", _("Department")
