"""Admin of the rewards app: the registry is edited through services (pages, API); measures, versions,
facts, checks and certificates are written by services only, so the admin shows them read-only."""

from __future__ import annotations

from django.contrib import admin

from gongxin.core.admin import ReadOnlyAdmin
from gongxin.rewards.models import (
    BusinessSystem,
    Check,
    CheckCertificate,
    CheckFeedback,
    Matter,
    Measure,
    MeasureVersion,
    SubjectFacts,
)


@admin.register(BusinessSystem)
class BusinessSystemAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "department", "client", "is_active")
    search_fields = ("code", "name")


@admin.register(Matter)
class MatterAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "matter_type", "system", "is_active")
    list_filter = ("matter_type", "is_active")
    search_fields = ("code", "name")


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    list_display = ("code", "current_version", "created_at")
    search_fields = ("code",)


@admin.register(MeasureVersion)
class MeasureVersionAdmin(ReadOnlyAdmin):
    list_display = ("measure", "number", "name", "kind", "measure_class", "effective_from", "is_active")
    list_filter = ("kind", "measure_class")


@admin.register(SubjectFacts)
class SubjectFactsAdmin(ReadOnlyAdmin):
    list_display = ("subject_id", "valid_until", "updated_at")


@admin.register(Check)
class CheckAdmin(ReadOnlyAdmin):
    list_display = ("pk", "created_at", "matter", "system", "decision")
    list_filter = ("decision",)


@admin.register(CheckFeedback)
class CheckFeedbackAdmin(ReadOnlyAdmin):
    list_display = ("check_row", "outcome", "created_at")


@admin.register(CheckCertificate)
class CheckCertificateAdmin(ReadOnlyAdmin):
    list_display = ("number", "subject", "created_at")
    search_fields = ("number",)
