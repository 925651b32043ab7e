"""Forms of the self-service pages. They parse input only; rules live in access.consents."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongxin.access.consents import consent_latest_end
from gongxin.access.errors import ConsentValidityInvalid
from gongxin.access.grantees import requester_by_value, requesters_named
from gongxin.access.selectors import Grantee
from gongxin.catalog.selectors import items_current
from gongxin.core import clock
from gongxin.subjects.models import Subject


class ConsentGrantForm(forms.Form):
    grantee = forms.ChoiceField(
        label=_("Requester"),
        help_text=_("The organization that may query your records: a department, a bank or a service provider "
                    "registered with the platform. Type part of its name to find it."),
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

    def __init__(self, *args: Any, subject: Subject, search_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = [item for item in items_current() if not item.subject_kinds or subject.kind in item.subject_kinds]
        cast(forms.ChoiceField, self.fields["scope"]).choices = [(item.code, item.name) for item in items]
        # Without script the select lists every requester by name; with it (core/picker.js) a search box above
        # it asks ``search_url`` as the person types.
        grantee = cast(forms.ChoiceField, self.fields["grantee"])
        grantee.choices = [("", _("Choose the requester")), *((r.value, r.label) for r in requesters_named())]
        grantee.widget.attrs.update({"data-picker": search_url, "data-picker-placeholder": _("Search by name")})

    def clean_valid_until(self) -> date:
        # Checked before the confirmation shows it (consent_grant checks it again when the consent is made).
        day: date = self.cleaned_data["valid_until"]
        if day < clock.today() or day > timezone.localtime(consent_latest_end()).date():
            raise forms.ValidationError(ConsentValidityInvalid.default_message)
        return day

    def grantee_lookup(self) -> Grantee:
        """The requester chosen by name, resolved to the record ``access.consents.consent_grant`` names."""
        return requester_by_value(self.cleaned_data["grantee"])

    def valid_until_at(self) -> datetime:
        """The end of the chosen day (local time), or the latest end allowed when that is the last day."""
        day = self.cleaned_data["valid_until"]
        end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
        latest = consent_latest_end()
        return latest if day == timezone.localtime(latest).date() else end


class ConsentRevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=1000, required=False)
