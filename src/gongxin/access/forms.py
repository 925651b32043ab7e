"""Forms of the self-service pages. They parse input only; rules live in access.consents."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongxin.access.choices import GranteeKind
from gongxin.access.consents import consent_latest_end
from gongxin.catalog.selectors import items_current
from gongxin.subjects.models import Subject


class ConsentGrantForm(forms.Form):
    grantee_kind = forms.ChoiceField(label=_("Requester kind"), choices=GranteeKind.choices,
                                     initial=GranteeKind.USER, widget=forms.RadioSelect)
    grantee = forms.CharField(
        label=_("Requester"), max_length=150,
        help_text=_("The requester's user name, its API client's key prefix, or its department's code."),
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=200,
                              help_text=_("For example: loan application at a named bank."))
    scope = forms.MultipleChoiceField(
        label=_("Scope"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("The kinds of records the requester may see. None ticked: every kind it may be authorized for."),
    )
    valid_until = forms.DateField(
        label=_("Valid until (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("At most one year from today."),
    )

    def __init__(self, *args: Any, subject: Subject, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = [item for item in items_current() if not item.subject_kinds or subject.kind in item.subject_kinds]
        cast(forms.ChoiceField, self.fields["scope"]).choices = [(item.code, item.name) for item in items]

    def grantee_lookup(self) -> dict[str, str]:
        """Keyword arguments of ``access.selectors.consent_grantee_find``."""
        kind = self.cleaned_data["grantee_kind"]
        value = self.cleaned_data["grantee"]
        key = {GranteeKind.USER: "username", GranteeKind.CLIENT: "client_key_prefix",
               GranteeKind.DEPARTMENT: "department_code"}[GranteeKind(kind)]
        return {key: value}

    def valid_until_at(self) -> datetime:
        """The end of the chosen day (local time), or the latest end allowed when that is the last day."""
        day = self.cleaned_data["valid_until"]
        end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
        latest = consent_latest_end()
        return latest if day == timezone.localtime(latest).date() else end


class ConsentRevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=1000, required=False)
