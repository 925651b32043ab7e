from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordStatus(models.TextChoices):
    ACTIVE = "active", _("In effect")
    REVOKED = "revoked", _("Revoked")
    ARCHIVED = "archived", _("Archived (retention ended)")


class ChangeKind(models.TextChoices):
    """Why a version exists. Each maps to the event topic ``records.record.<value>`` (core.events.record_topic)."""

    CREATED = "created", _("Created")
    CORRECTED = "corrected", _("Corrected")
    REVOKED = "revoked", _("Revoked")
    OBJECTION_MARKED = "objection_marked", _("Objection mark set")
    OBJECTION_CLEARED = "objection_cleared", _("Objection mark cleared")
    REPAIRED = "repaired", _("Repaired")
    PUBLICITY_ENDED = "publicity_ended", _("Publicity ended")
    RETENTION_ENDED = "retention_ended", _("Retention ended")
    RETENTION_EXTENDED = "retention_extended", _("Retention extended")
    LIST_REMOVED = "list_removed", _("Removed from the list")


class Purpose(models.TextChoices):
    """Why someone looks at records; the disclosure policy decides by viewer and purpose."""

    PUBLIC = "public", _("Public disclosure")
    SELF = "self", _("The subject's own view")
    AUTHORIZED = "authorized", _("Authorized query")
    SHARING = "sharing", _("Government sharing")
    STAFF = "staff", _("Credit office work")
    AUDIT = "audit", _("Audit")


class ListKind(models.TextChoices):
    RED = "red", _("Red list")
    BLACK = "black", _("Black list")
