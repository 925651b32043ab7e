"""Django admin for the catalog's configuration: source units, editions, items and policies."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from gongxin.catalog.models import CatalogEdition, CatalogItem, Policy, SourceUnit
from gongxin.catalog.schema import fields_schema_problems


@admin.register(SourceUnit)
class SourceUnitAdmin(admin.ModelAdmin):
    list_display = ["department", "domain", "is_active"]
    list_filter = ["is_active", "domain"]
    search_fields = ["department__code", "department__name"]
    autocomplete_fields = ["department"]


class CatalogItemInline(admin.TabularInline):
    model = CatalogItem
    fields = ["code", "name", "record_kind", "polarity", "disclosure_level", "is_active"]
    extra = 0
    show_change_link = True


@admin.register(CatalogEdition)
class CatalogEditionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "effective_from", "is_current", "published_at"]
    inlines = [CatalogItemInline]


class CatalogItemForm(forms.ModelForm):
    class Meta:
        model = CatalogItem
        fields = [
            "edition", "code", "name", "name_en", "source_unit", "subject_kinds", "category", "record_kind",
            "polarity", "fields", "natural_key", "decision_date_field", "disclosure_level", "default_severity",
            "list_type_code", "legal_basis", "update_frequency", "is_active",
        ]

    def clean_fields(self) -> Any:  # the model field named "fields": the schema
        schema = self.cleaned_data.get("fields")
        problems = fields_schema_problems(schema)
        if problems:
            raise forms.ValidationError(problems)
        return schema

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        codes = {f.get("code") for f in cleaned.get("fields") or [] if isinstance(f, dict)}
        unknown_keys = [k for k in cleaned.get("natural_key") or [] if k not in codes]
        if unknown_keys:
            self.add_error("natural_key", f"not fields of this item: {', '.join(map(str, unknown_keys))}")
        date_field = cleaned.get("decision_date_field")
        if date_field and date_field not in codes:
            self.add_error("decision_date_field", "not a field of this item")
        return cleaned


@admin.register(CatalogItem)
class CatalogItemAdmin(admin.ModelAdmin):
    form = CatalogItemForm
    list_display = ["code", "name", "edition", "record_kind", "polarity", "disclosure_level", "source_unit",
                    "is_active"]
    list_filter = ["edition", "record_kind", "polarity", "disclosure_level", "is_active"]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["edition", "source_unit__department"]


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "name", "jurisdiction", "domain", "effective_from", "effective_to"]
    list_filter = ["kind", "jurisdiction", "domain"]
    search_fields = ["code", "name", "legal_basis"]
    ordering = ["kind", "jurisdiction", "domain", "effective_from"]
