"""Choices of the exchange: node levels, peer directions, package directions, modes and states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NodeLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")


class PeerDirection(models.TextChoices):
    UPSTREAM = "upstream", _("Upstream (higher level)")
    DOWNSTREAM = "downstream", _("Downstream (lower level)")


class PackageDirection(models.TextChoices):
    RECEIVED = "received", _("Received")
    SENT = "sent", _("Sent")


class PackageMode(models.TextChoices):
    FULL = "full", _("Full")
    INCREMENTAL = "incremental", _("Incremental")


class PackageStatus(models.TextChoices):
    # received
    HELD = "held", _("Held for an earlier package")
    APPLYING = "applying", _("Being applied")
    APPLIED = "applied", _("Applied")
    REFUSED = "refused", _("Refused")
    # sent
    BUILT = "built", _("Built, not yet delivered")
    DELIVERED = "delivered", _("Delivered, awaiting the receipt")
    ACKNOWLEDGED = "acknowledged", _("Receipt received")
