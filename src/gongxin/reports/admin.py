"""Reports in the admin: read only. A report's content never changes; revoking goes through
reports.services.report_revoke (API ``POST /api/v1/reports/{number}/revoke`` or ``gongxin report revoke``)."""

from __future__ import annotations

from django.contrib import admin

from gongxin.core.admin import ReadOnlyAdmin
from gongxin.reports.models import Report


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("number", "kind", "subject", "purpose", "status", "requested_by_label", "created_at")
    list_filter = ("kind", "purpose", "status")
    search_fields = ("number", "subject__name")
    date_hierarchy = "created_at"
    list_select_related = ("subject",)
    raw_id_fields = ("subject", "requested_by", "requested_by_client", "superseded_by")
