"""Forms of the objection pages. Evidence files are read from ``request.FILES.getlist("files")``
(several per field) and checked by ``objections.evidence``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongxin.objections.choices import Decision, Ground

REASON_MAX = 4000


class FileForm(forms.Form):
    ground = forms.ChoiceField(label=_("Ground"), choices=Ground.choices, widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("What is wrong, and what should the record say?"), max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), max_length=REASON_MAX, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=pgettext_lazy("objection", "Reason"), max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ExtendForm(forms.Form):
    working_days = forms.IntegerField(label=_("More working days"), min_value=1, max_value=100)
    reason = forms.CharField(label=pgettext_lazy("objection", "Reason"), max_length=REASON_MAX)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reasons of the decision"), max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 4}))
