from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from gongxin.accounts.models import ApiClient, Department, User


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
