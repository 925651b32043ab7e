"""Subscriptions of business systems (API clients), the subjects they follow, and their deliveries.

A ``Delivery`` is one event for one subscription, written by the outbox consumer
(``sharing.consumers.SubscriptionFanout``) set-based; its ``id`` is the subscription's sequence number
for webhooks, replay and the change feed. Deliveries keep references (event, subject, aggregate), never
content: what a client receives is disclosed when it is sent or read (sharing.content).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.sharing.choices import DeliveryState, FilterKind, SubscriptionStatus


class Subscription(models.Model):
    client = models.ForeignKey("accounts.ApiClient", verbose_name=_("API client"), on_delete=models.PROTECT,
                               related_name="subscriptions")
    name = models.CharField(_("name"), max_length=200)
    # The disclosure purpose the client's deliveries are shown for (sharing with records:share, else public);
    # fixed at creation so the fan-out can filter in SQL; the content is checked again when sent.
    purpose = models.CharField(_("purpose"), max_length=20)
    all_subjects = models.BooleanField(
        _("all subjects"), default=False,
        help_text=_("Follow every subject (narrowed by the filters) instead of the subjects added to it."))
    webhook_url = models.CharField(_("webhook URL"), max_length=500, blank=True)
    secret_sealed = models.TextField(_("webhook secret (encrypted)"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=SubscriptionStatus.choices,
                              default=SubscriptionStatus.ACTIVE)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.CharField(_("created by"), max_length=200)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return self.name


class SubscriptionSubject(models.Model):
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="subjects")
    # Indexed by (subject, subscription): the fan-out finds the subscriptions of an event's subject.
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="+", db_index=False)
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("followed subject")
        verbose_name_plural = _("followed subjects")
        constraints = [models.UniqueConstraint(fields=["subject", "subscription"], name="uniq_subscription_subject")]

    def __str__(self) -> str:
        return f"{self.subscription_id}:{self.subject_id}"


class SubscriptionFilter(models.Model):
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="filters")
    kind = models.CharField(_("kind"), max_length=20, choices=FilterKind.choices)
    code = models.CharField(_("code"), max_length=60)

    class Meta:
        verbose_name = _("subscription filter")
        verbose_name_plural = _("subscription filters")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "kind", "code"], name="uniq_subscription_filter"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}={self.code}"


class Delivery(models.Model):
    """One event for one subscription. ``id`` is the sequence number clients see."""

    id = models.BigAutoField(primary_key=True)
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries",
                                     db_index=False)
    event_id = models.BigIntegerField(_("event"))
    subject_id = models.BigIntegerField(_("subject"))
    topic = models.CharField(_("topic"), max_length=80)
    aggregate_type = models.CharField(_("aggregate type"), max_length=40)
    aggregate_id = models.BigIntegerField(_("aggregate id"))
    occurred_at = models.DateTimeField(_("occurred at"))
    state = models.CharField(_("state"), max_length=10, choices=DeliveryState.choices)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_status = models.PositiveIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            # Handling an event twice (a re-run consumer) adds nothing: the fan-out inserts ON CONFLICT DO NOTHING.
            models.UniqueConstraint(fields=["subscription", "event_id"], name="uniq_delivery_event"),
        ]
        indexes = [
            # The change feed and replay: a subscription's deliveries by sequence.
            models.Index(fields=["subscription", "id"], name="sharing_delivery_sequence"),
            # The worker: what waits to be sent, and the head of each subject's queue.
            models.Index(fields=["subscription", "subject_id", "event_id"], name="sharing_delivery_subject",
                         condition=models.Q(state="pending")),
            models.Index(fields=["next_attempt_at"], name="sharing_delivery_due",
                         condition=models.Q(state="pending")),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.topic} → {self.subscription_id}"


class DeliveryAttempt(models.Model):
    """One try to POST a delivery: what the endpoint answered (or why it could not be reached)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(_("time"))
    status_code = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.at}: {self.status_code or self.error}"
