"""Admin for credit commitments: the types are policy (editable); commitments, their history and payouts are
written by services only (read-only here)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongxin.commitments.models import Commitment, CommitmentEvent, CommitmentType, Payout
from gongxin.core.admin import ReadOnlyAdmin


@admin.register(CommitmentType)
class CommitmentTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "group", "eligibility_applies", "public_always", "fulfilment_working_days",
                    "reminder_working_days", "effective_from", "effective_to"]
    list_filter = ["group", "eligibility_applies"]
    search_fields = ["code", "name"]


class EventInline(admin.TabularInline):
    model = CommitmentEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "action", "actor_label", "note")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = ["number", "subject", "type", "matter_name", "source_unit", "status", "deadline", "signed_at"]
    list_filter = ["status", "type", "signed_via", "is_public"]
    search_fields = ["number", "matter_code", "matter_name", "subject__name"]
    raw_id_fields = ["subject", "breach_record"]
    inlines = [EventInline]


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["reference", "subject", "matter_code", "outcome", "amount_requested", "amount_paid",
                    "check_decision", "created_at"]
    list_filter = ["outcome", "matter_code"]
    search_fields = ["reference", "matter_code", "subject__name"]
    raw_id_fields = ["subject", "commitment"]
