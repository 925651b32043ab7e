"""Forms of the commitment pages: choosing the matter, signing, the department's verification, the queue filter."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongxin.catalog.choices import Severity
from gongxin.commitments.choices import CommitmentStatus
from gongxin.commitments.errors import CommitmentMatterUnknown
from gongxin.commitments.matters import matter_chosen, matters_listed
from gongxin.commitments.models import CommitmentType
from gongxin.commitments.selectors import receiving_units, types_in_force


class MatterForm(forms.Form):
    """Step 1 (GET): which commitment, for which matter, to which department. The matter is picked by name from
    the registry (``commitments.matters``), or named in words when it is not listed: never a code."""

    type = forms.ChoiceField(label=_("Commitment type"))
    department = forms.ChoiceField(label=_("Receiving department"))
    matter = forms.ChoiceField(label=_("Matter"), required=False,
                               help_text=_("The matter as the department lists it; type part of its name to find it."))
    matter_other = forms.CharField(label=_("Or the matter's name, if it is not listed"), max_length=200,
                                   required=False)

    def __init__(self, *args: Any, search_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["type"]).choices = [(t.code, t.name) for t in types_in_force()]
        cast(forms.ChoiceField, self.fields["department"]).choices = [
            (u.department.code, u.department.name) for u in receiving_units()]
        # Without script the select lists every matter, grouped by department; with it (core/picker.js) a search
        # box above it asks ``search_url`` for the chosen department's matters as the subject types.
        groups: dict[str, list[tuple[str, str]]] = {}
        for choice in matters_listed():
            groups.setdefault(choice.detail, []).append((choice.value, choice.label))
        matter = cast(forms.ChoiceField, self.fields["matter"])
        matter.choices = [("", _("Choose the matter")), *groups.items()]
        matter.widget.attrs.update({"data-picker": search_url, "data-picker-params": "department",
                                    "data-picker-placeholder": _("Search by name")})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code, other = data.get("matter") or "", (data.get("matter_other") or "").strip()
        if code and other:
            self.add_error("matter_other", _("Choose the matter from the list or name it, not both."))
        elif not code and not other:
            self.add_error("matter", _("Choose the matter, or name it below if it is not listed."))
        return data

    def matter_resolved(self) -> tuple[str, str]:
        """(matter code, matter name) for ``commitments.services``: the listed matter's, or the name given."""
        chosen = matter_chosen(code=self.cleaned_data.get("matter") or "",
                               name=self.cleaned_data.get("matter_other") or "")
        if chosen is None:
            raise CommitmentMatterUnknown()
        return chosen


class SignForm(forms.Form):
    """Step 2 (POST): the signer read the full text shown above the form."""

    text_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
    publish = forms.BooleanField(label=_("Publish this commitment on our public credit profile"), required=False)
    accepted = forms.BooleanField(label=_("I have read the commitment above and sign it"))
    signer_name = forms.CharField(label=_("Signed by (name)"), max_length=100)

    def __init__(self, *args: Any, type: CommitmentType | None = None, organization: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not organization or (type is not None and type.public_always):
            # Persons are never published; some types always are.
            del self.fields["publish"]


class VerifyForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Verification result"), widget=forms.RadioSelect, choices=[
        ("fulfil", _("Kept: the commitment is fulfilled")),
        ("breach", _("Broken or false: record a negative record")),
    ])
    note = forms.CharField(label=_("Findings"), max_length=4000, required=False,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Required for a breach: the facts found (the subject reads them)."))
    handling = forms.CharField(label=_("Handling"), max_length=2000, required=False,
                               help_text=_("Breach: what the department does (e.g. revoke the decision)."))
    severity = forms.ChoiceField(label=_("Severity of the breach"), required=False,
                                 choices=[("", _("The catalog item's default")), *Severity.choices])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == "breach" and not (data.get("note") or "").strip():
            self.add_error("note", _("Describe the facts of the breach."))
        return data


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All")), *CommitmentStatus.choices])
    overdue = forms.BooleanField(label=pgettext_lazy("commitments", "Overdue only"), required=False)
