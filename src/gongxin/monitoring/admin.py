"""Admin for monitoring: policies are configuration (editable); scorecards, runs, scores, alerts and
watches are written by the services and shown read-only (alerts and their history are an audit trail)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongxin.core.admin import ReadOnlyAdmin
from gongxin.monitoring.models import Alert, AlertEvent, MonitoringPolicy, RiskRun, Scorecard, Watch


@admin.register(MonitoringPolicy)
class MonitoringPolicyAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "name", "effective_from"]
    list_filter = ["kind"]


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "status", "snapshot_date", "auc_test", "ks_test", "trained_at"]
    list_filter = ["status"]


@admin.register(RiskRun)
class RiskRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "scorecard", "as_of", "subjects", "alerts_raised", "finished_at"]


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "action", "actor_label", "note")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["id", "subject", "kind", "status", "score", "previous_score", "raised_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["subject", "run", "watch", "record"]
    inlines = [AlertEventInline]


@admin.register(Watch)
class WatchAdmin(ReadOnlyAdmin):
    list_display = ["subject", "user", "is_active", "created_at"]
    raw_id_fields = ["subject", "user"]
