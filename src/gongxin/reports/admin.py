"""Reports in the admin: read only. A report's content never changes; revoking goes through
reports.services.report_revoke (API ``POST /api/v1/reports/{number}/revoke`` or ``gongxin report revoke``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongxin.reports.models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "subject", "purpose", "status", "requested_by_label", "created_at")
    list_filter = ("kind", "purpose", "status")
    search_fields = ("number", "subject__name")
    date_hierarchy = "created_at"
    list_select_related = ("subject",)
    raw_id_fields = ("subject", "requested_by", "requested_by_client", "superseded_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
