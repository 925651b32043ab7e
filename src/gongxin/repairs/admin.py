"""Admin for credit repair: applications, their evidence and events, read-only (they are an audit trail)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongxin.core.admin import ReadOnlyAdmin
from gongxin.repairs.models import RepairApplication, RepairEvent, RepairEvidence


class EvidenceInline(admin.TabularInline):
    model = RepairEvidence
    extra = 0
    can_delete = False
    fields = readonly_fields = ("original_name", "content_type", "size", "sha256", "uploaded_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = RepairEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "action", "actor_label", "note")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RepairApplication)
class RepairApplicationAdmin(ReadOnlyAdmin):
    list_display = ["id", "record", "subject", "source_unit", "status", "applied_at", "department_due",
                    "platform_due", "decided_at"]
    list_filter = ["status", "source_unit"]
    search_fields = ["subject__name", "commitment_signer"]
    date_hierarchy = "applied_at"
    inlines = [EvidenceInline, EventInline]


@admin.register(RepairEvent)
class RepairEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "application", "actor_label"]
    list_filter = ["action"]
