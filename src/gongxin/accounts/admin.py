from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from gongxin.accounts.models import AgentMandate, AgentMandateEvent, ApiClient, Department, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "region_code", "uscc"]
    list_filter = ["level"]
    search_fields = ["code", "name", "uscc"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "department", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Gongxin", {"fields": ("role", "department", "subject",
                                                                      "display_name")}))
    raw_id_fields = ["subject"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "key_prefix", "rate_limit_per_minute", "is_active", "last_used_at"]
    list_filter = ["is_active"]
    readonly_fields = ["key_prefix", "key_hash", "created_at", "last_used_at"]
    search_fields = ["name", "key_prefix"]


class AgentMandateEventInline(admin.TabularInline):
    model = AgentMandateEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "actor_label", "at", "details"]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(AgentMandate)
class AgentMandateAdmin(admin.ModelAdmin):
    """Read-only: mandates are given and revoked by the firm on its agents page (accounts.agents)."""

    list_display = ["organization", "agent", "valid_from", "valid_until", "granted_at", "revoked_at"]
    list_filter = ["revoked_at"]
    raw_id_fields = ["organization", "agent", "granted_by", "revoked_by"]
    inlines = [AgentMandateEventInline]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
