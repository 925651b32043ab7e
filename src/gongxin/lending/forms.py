"""Forms of the lending pages."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class AuthorizeForm(forms.Form):
    lender = forms.CharField(widget=forms.HiddenInput)
    valid_until = forms.DateField(label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}))


class ContributionForm(forms.Form):
    amount_yuan = forms.DecimalField(label=_("Amount (yuan)"), min_value=Decimal("0.01"), max_digits=14,
                                     decimal_places=2)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
