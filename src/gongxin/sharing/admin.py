"""Admin for sharing: subscriptions, deliveries and attempts, read-only (written by services and the worker)."""

from __future__ import annotations

from django.contrib import admin

from gongxin.core.admin import ReadOnlyAdmin
from gongxin.sharing.models import Delivery, DeliveryAttempt, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["id", "name", "client", "purpose", "status", "consecutive_failures", "failing_since",
                    "last_success_at", "webhook_url"]
    list_filter = ["status", "purpose"]
    search_fields = ["name", "client__name"]
    exclude = ["secret_sealed"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "subscription", "topic", "subject_id", "state", "attempts", "next_attempt_at",
                    "delivered_at", "last_status", "last_error"]
    list_filter = ["state"]
    search_fields = ["topic"]


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdmin):
    list_display = ["at", "delivery", "status_code", "error", "duration_ms"]
