"""What this node sends and how far it got (decision 068): subscriptions, sending cursors and snapshot schedules.

- ``Subscription``: a peer receives a local catalog item from this node, under the national catalog item code it is
  mapped to, with the local → national field names (the province subscribes to the city's items; the city to the
  national lists it applies).
- ``SendingCursor``: per subscription, the position in the record-version stream the peer has applied (the id of
  the last record version a package carried that the peer's receipt said was applied, or the id before a hole the
  stream stopped at, with when the hole was first seen: decision 076), the last sequence number
  used, and the one outstanding package — built and stored *before* it is sent, so a crash resends the same GUID
  and the receiver answers "duplicate" instead of applying it twice.
- ``SnapshotSchedule``: when the next full snapshot of a subscription is due and when the last one was sent
  (a snapshot is one package, streamed into its file; a killed sender builds it again, under a new GUID, only if
  it died before the cursor named the file).

Defined outside ``models.py`` (the package and peer models of the same app) and registered by ``apps.py``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.exchange.choices import PackageMode


class Subscription(models.Model):
    peer = models.ForeignKey("exchange.Peer", verbose_name=_("peer"), on_delete=models.PROTECT,
                             related_name="subscriptions")
    catalog_item = models.ForeignKey("catalog.CatalogItem", verbose_name=_("local catalog item"),
                                     on_delete=models.PROTECT, related_name="+")
    national_item_code = models.CharField(_("national catalog item code"), max_length=60)
    # Local field code -> national field name; a local field not named here travels under its own name.
    field_mapping = models.JSONField(_("field mapping"), default=dict, blank=True)
    chunk_size = models.PositiveIntegerField(_("records per package"), default=1000)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [models.UniqueConstraint(fields=["peer", "catalog_item"], name="uniq_exchange_subscription")]

    def __str__(self) -> str:
        return f"{self.peer_id}:{self.national_item_code}"


class SendingCursor(models.Model):
    subscription = models.OneToOneField(Subscription, verbose_name=_("subscription"), on_delete=models.CASCADE,
                                        related_name="cursor")
    # The id of the last record version the peer applied (0: none yet); every id up to it is settled (decision 076).
    position = models.BigIntegerField(_("position"), default=0)
    # PostgreSQL: when the stream first stopped at the hole just after ``position`` (or, with a package outstanding,
    # just after ``pending_position``), by the database's clock; the hole is settled once every transaction that
    # was writing then has ended.
    hole_seen_at = models.DateTimeField(_("hole first seen at"), null=True, blank=True)
    # The sequence number of the last package built for this (peer, item); the next one is sequence + 1.
    sequence = models.BigIntegerField(_("sequence"), default=0)
    # The outstanding package (at most one per subscription: packages apply in order per item).
    pending_guid = models.CharField(_("outstanding package"), max_length=36, blank=True)
    pending_sequence = models.BigIntegerField(_("outstanding sequence"), null=True, blank=True)
    pending_mode = models.CharField(_("outstanding mode"), max_length=12, choices=PackageMode.choices, blank=True)
    pending_position = models.BigIntegerField(_("position once applied"), null=True, blank=True)
    pending_records = models.PositiveIntegerField(_("records in the outstanding package"), default=0)
    # The package file, under <data dir>/exchange/outgoing/ (written and synced before the cursor names it).
    pending_file = models.CharField(_("outstanding package file"), max_length=500, blank=True)
    pending_built_at = models.DateTimeField(_("outstanding package built at"), null=True, blank=True)
    pending_newest_created_at = models.DateTimeField(_("newest version in the outstanding package"), null=True,
                                                     blank=True)
    # Retries with exponential backoff while the peer does not answer.
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    last_applied_at = models.DateTimeField(_("last applied"), null=True, blank=True)
    # Creation time of the newest record version the peer applied (for the lag shown by the audit).
    applied_version_created_at = models.DateTimeField(_("applied up to"), null=True, blank=True)

    class Meta:
        verbose_name = _("sending cursor")
        verbose_name_plural = _("sending cursors")

    def __str__(self) -> str:
        return f"{self.subscription_id}@{self.position}"


class SnapshotSchedule(models.Model):
    subscription = models.OneToOneField(Subscription, verbose_name=_("subscription"), on_delete=models.CASCADE,
                                        related_name="snapshot_schedule")
    every_days = models.PositiveIntegerField(_("every (days)"), default=7)
    next_due_at = models.DateTimeField(_("next snapshot due"))
    last_taken_at = models.DateTimeField(_("last snapshot"), null=True, blank=True)
    class Meta:
        verbose_name = _("snapshot schedule")
        verbose_name_plural = _("snapshot schedules")

    def __str__(self) -> str:
        return f"{self.subscription_id} every {self.every_days} d"
