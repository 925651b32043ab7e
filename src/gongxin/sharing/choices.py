"""Choices of the sharing app: subscription states, what a filter names, where a delivery stands."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    FAILING = "failing", _("Failing (webhook endpoint not answering)")
    PAUSED = "paused", _("Paused")


class FilterKind(models.TextChoices):
    """What a subscription's filter row names; an event matches when any of its rows matches."""

    ITEM = "item", _("Catalog item")
    RECORD_KIND = "record_kind", _("Record kind")
    LIST_TYPE = "list", _("List")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    DELIVERED = "delivered", _("Delivered")
    FEED = "feed", _("In the change feed (no webhook)")
