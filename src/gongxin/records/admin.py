"""Admin for records: records and lists browsable; versions strictly read-only (they are history)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongxin.core.admin import ReadOnlyAdmin
from gongxin.records.models import ListEntry, ListType, ProfileSummary, Record, RecordVersion


class VersionInline(admin.TabularInline):
    model = RecordVersion
    fk_name = "record"
    extra = 0
    can_delete = False
    fields = readonly_fields = ("number", "change", "status", "severity", "publicity_max_end", "retention_end",
                                "under_objection", "repaired", "actor_label", "reason", "created_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Record)
class RecordAdmin(ReadOnlyAdmin):
    list_display = ["id", "catalog_item", "source_unit", "source_record_id", "subject", "created_at"]
    list_filter = ["catalog_item__record_kind", "source_unit"]
    search_fields = ["source_record_id"]
    raw_id_fields = ["subject", "current_version"]
    list_select_related = ["catalog_item", "source_unit__department", "subject"]
    inlines = [VersionInline]


@admin.register(RecordVersion)
class RecordVersionAdmin(ReadOnlyAdmin):
    list_display = ["record", "number", "change", "status", "polarity", "severity", "decision_date",
                    "publicity_max_end", "retention_end", "created_at"]
    list_filter = ["change", "status", "polarity", "severity"]
    raw_id_fields = ["record"]


@admin.register(ListType)
class ListTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "is_serious_dishonesty", "default_duration_months"]


@admin.register(ListEntry)
class ListEntryAdmin(ReadOnlyAdmin):
    list_display = ["list_type", "subject", "start_date", "end_date", "is_active"]
    list_filter = ["list_type", "is_active"]
    raw_id_fields = ["subject", "record"]


@admin.register(ProfileSummary)
class ProfileSummaryAdmin(ReadOnlyAdmin):
    list_display = ["subject", "updated_at"]
    raw_id_fields = ["subject"]
