"""Forms of the repair pages: the subject's application and the source unit's decision."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from gongxin.core.files import EVIDENCE_MAX_FILES
from gongxin.repairs.choices import RejectionReason, RepairStatus
from gongxin.repairs.services import STATEMENT_MAX


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class RepairApplyForm(forms.Form):
    statement = forms.CharField(
        label=_("How the act was corrected and the obligations performed"), max_length=STATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    evidence = MultipleFileField(
        label=_("Evidence of performance"), required=False,
        help_text=_("PDF, JPEG or PNG, at most 10 MB each. Without evidence, the source unit confirms "
                    "performance from its own files."),
    )
    commitment_accepted = forms.BooleanField(label=_("I accept and sign the credit commitment above"))
    commitment_signer = forms.CharField(label=_("Signed by (name)"), max_length=100)

    def clean_evidence(self) -> list[Any]:
        files = self.cleaned_data.get("evidence") or []
        if len(files) > EVIDENCE_MAX_FILES:
            raise forms.ValidationError(_("At most %(max)s files.") % {"max": EVIDENCE_MAX_FILES})
        return files


class RepairDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve the repair")),
                                                              ("reject", _("Reject"))],
                                widget=forms.RadioSelect)
    obligations_confirmed = forms.BooleanField(
        label=_("The act has been corrected and the obligations performed (checked against the evidence or "
                "our own files)"), required=False)
    reasons = forms.MultipleChoiceField(label=_("Reasons for rejection"), choices=RejectionReason.choices,
                                        required=False, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Explanation"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Required for a rejection: the subject reads it."))


class WorkbenchFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    unit = forms.TypedChoiceField(label=_("Source unit"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, units: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        """``units``: the source units to filter by (oversight roles); none for a unit's own operators."""
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", _("All")), *RepairStatus.choices]
        if units:
            cast(forms.ChoiceField, self.fields["unit"]).choices = [("", _("All")), *units]
        else:
            del self.fields["unit"]
