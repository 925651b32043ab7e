"""Admin of the scoring app: models are edited as drafts (activated versions through services only);
scores, history and runs are written by the engine and read-only here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongxin.core.admin import ReadOnlyAdmin
from gongxin.scoring.choices import ModelStatus
from gongxin.scoring.models import (
    Dimension,
    GradeBand,
    Indicator,
    PartnerLevel,
    PartnerScheme,
    RegulatoryField,
    ScoreHistory,
    ScoreRun,
    ScoringModel,
    SubjectScore,
    SupervisionRule,
)


class DraftOnly:
    """Rows of a model version may change only while it is a draft (``model_activate`` freezes them)."""

    def _model_of(self, obj: Any) -> ScoringModel | None:
        if obj is None:
            return None
        if isinstance(obj, ScoringModel):
            return obj
        if isinstance(obj, Dimension | GradeBand):
            return obj.model
        return obj.dimension.model

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        model = self._model_of(obj)
        if model is not None and model.status != ModelStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)


class DimensionInline(DraftOnly, admin.TabularInline):
    model = Dimension
    extra = 0


class GradeBandInline(DraftOnly, admin.TabularInline):
    model = GradeBand
    extra = 0


@admin.register(ScoringModel)
class ScoringModelAdmin(DraftOnly, admin.ModelAdmin):
    list_display = ("code", "version", "name", "subject_kind", "status", "effective_from")
    list_filter = ("status", "subject_kind")
    readonly_fields = ("status", "activated_at", "created_at")
    inlines = [DimensionInline, GradeBandInline]


@admin.register(Indicator)
class IndicatorAdmin(DraftOnly, admin.ModelAdmin):
    list_display = ("code", "dimension", "feature", "points_per_unit", "min_points", "max_points", "reason_code")
    list_filter = ("dimension__model",)


@admin.register(SubjectScore)
class SubjectScoreAdmin(ReadOnlyAdmin):
    list_display = ("subject_id", "model", "score", "grade", "as_of")
    list_filter = ("model", "grade")


@admin.register(ScoreHistory)
class ScoreHistoryAdmin(ReadOnlyAdmin):
    list_display = ("subject_id", "as_of", "previous_score", "score", "previous_grade", "grade")


@admin.register(ScoreRun)
class ScoreRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "kind", "as_of", "subjects_scored", "subjects_changed", "grades_changed")


class SupervisionRuleInline(admin.TabularInline):
    model = SupervisionRule
    extra = 0


@admin.register(RegulatoryField)
class RegulatoryFieldAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "department")
    inlines = [SupervisionRuleInline]


class PartnerLevelInline(admin.TabularInline):
    model = PartnerLevel
    extra = 0


@admin.register(PartnerScheme)
class PartnerSchemeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "city", "scale_min", "scale_max")
    inlines = [PartnerLevelInline]
