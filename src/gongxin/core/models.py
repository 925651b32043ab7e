"""The transactional outbox: events written in the same transaction as the state change they announce."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxEvent(models.Model):
    """An append-only event. ``id`` order is commit order within one writer; consumers read by id."""

    id = models.BigAutoField(primary_key=True)
    # Not indexed: consumers read the outbox in id order; a topic index (two, with Django's LIKE index on
    # PostgreSQL) would only slow the bulk paths that write millions of events.
    topic = models.CharField(_("topic"), max_length=80)  # e.g. "record.version.created"
    aggregate_type = models.CharField(_("aggregate type"), max_length=40)
    aggregate_id = models.BigIntegerField(_("aggregate id"))
    subject_id = models.BigIntegerField(_("subject id"), null=True, blank=True, db_index=True)
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")

    def __str__(self) -> str:
        return f"{self.id} {self.topic} {self.aggregate_type}:{self.aggregate_id}"


class ConsumerCursor(models.Model):
    """How far one consumer has read the outbox. Advanced in the same transaction as its effects."""

    consumer = models.CharField(_("consumer"), max_length=120, primary_key=True)
    position = models.BigIntegerField(_("last event id"), default=0)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    # PostgreSQL: when the reader first stopped at the hole just after ``position`` (database clock).
    hole_seen_at = models.DateTimeField(_("hole first seen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consumer cursor")
        verbose_name_plural = _("consumer cursors")

    def __str__(self) -> str:
        return f"{self.consumer} @ {self.position}"


class ThrottleWindow(models.Model):
    """How many requests (or look-ups) one key made in one fixed window: the counter behind
    ``core.throttle``, shared by every process through the database."""

    key = models.CharField(_("key"), max_length=200)  # e.g. "rin:user:12", "rin:addr:203.0.113.9"
    window_start = models.DateTimeField(_("window start"))
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("throttle window")
        verbose_name_plural = _("throttle windows")
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="core_throttle_key_window")]
        indexes = [models.Index(fields=["window_start"], name="core_throttle_window_idx")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start}: {self.count}"
