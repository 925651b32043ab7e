"""Forms of the staff pages: register a business system or a matter; write a measure's new version."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongxin.accounts.models import ApiClient, Department
from gongxin.rewards.choices import MatterType, MeasureClass, MeasureKind
from gongxin.rewards.models import BusinessSystem


class SystemForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.order_by("code"))
    client = forms.ModelChoiceField(label=_("API client"), queryset=ApiClient.objects.filter(is_active=True)
                                    .order_by("name"), required=False)


class MatterForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=60)
    name = forms.CharField(label=_("Name"), max_length=200)
    system = forms.ModelChoiceField(label=_("Business system"), queryset=BusinessSystem.objects.order_by("code"))
    matter_type = forms.ChoiceField(label=_("Matter type"), choices=MatterType.choices)


class MeasureForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=60,
                           help_text=_("A short code that names the measure for good: its family and what it restricts "
                                       "or grants, in lowercase letters joined by a dot"))
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=MeasureKind.choices)
    measure_class = forms.ChoiceField(label=_("Class"), choices=MeasureClass.choices)
    trigger = forms.CharField(label=_("Trigger"), widget=forms.Textarea(attrs={"rows": 2, "class": "mono"}))
    matter_types = forms.MultipleChoiceField(label=_("Matter types"), choices=MatterType.choices, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    matter_codes = forms.CharField(label=_("Matters"), required=False,
                                   help_text=_("Matter codes, separated by commas or spaces"))
    department = forms.CharField(label=_("Implementing department"), max_length=200)
    legal_basis = forms.CharField(label=_("Legal basis"), widget=forms.Textarea(attrs={"rows": 3}))
    content = forms.CharField(label=_("Measure content"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    effective_from = forms.DateField(label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"}))
    effective_to = forms.DateField(label=_("Effective until"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)

    def matter_code_list(self) -> list[str]:
        return [c for c in self.cleaned_data.get("matter_codes", "").replace(",", " ").split() if c]
