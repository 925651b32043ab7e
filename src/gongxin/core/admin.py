"""Admin pieces shared by the apps, and the yearly holiday arrangements (decision 038)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gongxin.core.arrangements import (
    arrangement_days_validate,
    arrangement_enter,
    arrangement_text,
    arrangement_text_parse,
)
from gongxin.core.errors import ValidationFailed
from gongxin.core.models import ArrangementDay, HolidayArrangement
from gongxin.core.workdays import calendar_invalidate


class ReadOnlyAdmin(admin.ModelAdmin):
    """History, logs and personal data: viewable in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class HolidayArrangementForm(forms.ModelForm):
    """The notice as staff read it: holiday periods and make-up working days, one per line."""

    holiday_periods = forms.CharField(
        label=_("Holidays"), widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One period per line, as in the notice: 2027-02-05..2027-02-13 春节 (or one day: "
                    "2027-01-01 元旦). Include the weekend days inside a period."),
    )
    url = forms.URLField(label=_("address of the notice"), max_length=300, required=False, assume_scheme="https")
    make_up_workdays = forms.CharField(
        label=_("Make-up working days"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
        help_text=_("One weekend day per line: 2027-02-14 春节"),
    )

    class Meta:
        model = HolidayArrangement
        fields = ["year", "source", "title", "published_on", "url"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            holidays, workdays = arrangement_text(self.instance.days.all())
            self.initial.setdefault("holiday_periods", holidays)
            self.initial.setdefault("make_up_workdays", workdays)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            holidays = arrangement_text_parse(cleaned.get("holiday_periods") or "")
            workdays = arrangement_text_parse(cleaned.get("make_up_workdays") or "")
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        year = cleaned.get("year") or self.instance.year
        if year:
            try:
                arrangement_days_validate(year=year, holidays=holidays, workdays=workdays)
            except ValidationFailed as error:
                raise forms.ValidationError(list((error.details or {}).get("errors") or [str(error)])) from None
            taken = (ArrangementDay.objects.filter(day__in=[*holidays, *workdays])
                     .exclude(arrangement__year=year).values_list("day", "arrangement__year"))
            for day, other in taken:
                self.add_error(None, f"{day}: listed in the arrangement of {other}")
        cleaned["holidays"], cleaned["workdays"] = holidays, workdays
        return cleaned


@admin.register(HolidayArrangement)
class HolidayArrangementAdmin(admin.ModelAdmin):
    """Staff enter next year's arrangement here when the State Council publishes it (docs/operations.md)."""

    form = HolidayArrangementForm
    list_display = ["year", "source", "origin", "entered_by_label", "entered_at"]
    readonly_fields = ["origin", "entered_by_label", "entered_at"]

    def save_model(self, request: HttpRequest, obj: HolidayArrangement, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = arrangement_enter(
            year=data.get("year") or obj.year, holidays=data["holidays"], workdays=data["workdays"],
            source=data["source"], title=data["title"], published_on=data["published_on"], url=data["url"],
            actor_label=f"user:{request.user.get_username()}", actor_id=request.user.pk, replace=change,
        )
        for field in HolidayArrangement._meta.concrete_fields:  # the admin logs and redirects with ``obj``
            setattr(obj, field.attname, getattr(saved, field.attname))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*self.readonly_fields, "year"] if obj is not None else list(self.readonly_fields)

    def delete_model(self, request: HttpRequest, obj: HolidayArrangement) -> None:
        super().delete_model(request, obj)
        calendar_invalidate()

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        calendar_invalidate()
