from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongxin.core.admin import ReadOnlyAdmin
from gongxin.objections.models import Evidence, Objection, ObjectionEvent


class ObjectionEventInline(admin.TabularInline):
    model = ObjectionEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "action", "status", "actor_label", "note")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    can_delete = False
    fields = readonly_fields = ("name", "content_type", "size", "sha256", "uploaded_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["number", "subject", "source_unit", "ground", "status", "round", "filed_at", "due_date",
                    "decision"]
    list_filter = ["status", "ground", "decision", "round"]
    search_fields = ["number", "subject__name"]
    raw_id_fields = ["record", "subject", "decision_version"]
    inlines = [ObjectionEventInline, EvidenceInline]
