"""Admin for benefits: providers and scenarios are configuration (edited here, rules checked on save);
checks, usages and suspensions are written by services and only viewed here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongxin.benefits.models import EligibilityCheck, Provider, Scenario, Suspension, Usage, UsageEvent
from gongxin.core.admin import ReadOnlyAdmin


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "department", "client", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["department", "client"]


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "subject_kind", "provider", "default_threshold", "effective_from",
                    "effective_to", "is_active"]
    list_filter = ["subject_kind", "is_active", "provider"]
    search_fields = ["code", "name", "name_en"]


@admin.register(EligibilityCheck)
class EligibilityCheckAdmin(ReadOnlyAdmin):
    list_display = ["id", "scenario", "subject", "eligible", "created_at"]
    list_filter = ["scenario", "eligible"]
    date_hierarchy = "created_at"


class UsageEventInline(admin.TabularInline):
    model = UsageEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "action", "amount_yuan", "actor_label", "note")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Usage)
class UsageAdmin(ReadOnlyAdmin):
    list_display = ["id", "scenario", "reference", "subject", "status", "amount_yuan", "started_at", "defaulted_at"]
    list_filter = ["scenario", "status"]
    search_fields = ["reference"]
    inlines = [UsageEventInline]


@admin.register(Suspension)
class SuspensionAdmin(ReadOnlyAdmin):
    list_display = ["id", "scenario", "subject", "started_at", "ends_on", "defaults_counted"]
    list_filter = ["scenario"]
