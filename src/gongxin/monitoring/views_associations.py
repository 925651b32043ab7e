"""Association pages (关联分析) under /associations/: find an organization by its code, then its related subjects
(to depth 1-3, each with its path), who stands behind it (ultimate controllers with exact shares and their holding
chains) and the organizations sharing its legal representative or address — as tables, with a CSV of the related
subjects. The credit office and government sharing only (``monitoring.associations``: natural persons named to
the office alone; each view of a subject logged as an inquiry). Thin: reads through ``monitoring.associations``.
"""

from __future__ import annotations

import csv
from datetime import date

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongxin.access.choices import Channel
from gongxin.accounts.doors import page_requires, page_viewer
from gongxin.monitoring.associations import (
    associations_controllers,
    associations_may_read,
    associations_party,
    associations_related,
    associations_shared,
)
from gongxin.subjects.associations import DEFAULT_DEPTH, MAX_DEPTH
from gongxin.subjects.choices import RelationKind
from gongxin.subjects.selectors import subject_by_code


class FindForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Unified social credit code"), max_length=40)


class ViewForm(forms.Form):
    depth = forms.TypedChoiceField(label=gettext_lazy("Depth"), coerce=int, initial=DEFAULT_DEPTH,
                                   choices=[(d, str(d)) for d in range(1, MAX_DEPTH + 1)], required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Relation"), required=False,
                             choices=[("", gettext_lazy("All relations")), *RelationKind.choices])
    as_of = forms.DateField(label=gettext_lazy("As of"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))


@page_requires(associations_may_read)
def index(request: HttpRequest) -> HttpResponse:
    form = FindForm(request.GET or None)
    status = 200
    if request.GET and form.is_valid():
        subject = subject_by_code(form.cleaned_data["code"].strip())
        if subject is not None:
            return redirect("associations:subject", subject_id=subject.pk)
        form.add_error("code", _("No organization has this code."))
        status = 404
    return render(request, "monitoring/associations/index.html", {"form": form}, status=status)


def _view(request: HttpRequest) -> tuple[int, list[str] | None, date | None, ViewForm]:
    form = ViewForm(request.GET or None)
    depth, kinds, as_of = DEFAULT_DEPTH, None, None
    if form.is_valid():
        depth = form.cleaned_data.get("depth") or DEFAULT_DEPTH
        kinds = [form.cleaned_data["kind"]] if form.cleaned_data.get("kind") else None
        as_of = form.cleaned_data.get("as_of")
    return depth, kinds, as_of, form


@page_requires(associations_may_read)
def subject(request: HttpRequest, subject_id: int) -> HttpResponse:
    viewer = page_viewer(request)
    depth, kinds, as_of, form = _view(request)
    related = associations_related(viewer=viewer, subject_id=subject_id, channel=Channel.PORTAL, depth=depth,
                                   kinds=kinds, as_of=as_of)
    controllers = associations_controllers(viewer=viewer, subject_id=subject_id, channel=Channel.PORTAL, as_of=as_of)
    shared = associations_shared(viewer=viewer, subject_id=subject_id, channel=Channel.PORTAL, as_of=as_of)
    asked = associations_party(viewer=viewer, subject_id=subject_id)
    return render(request, "monitoring/associations/subject.html", {
        "subject_id": subject_id, "asked": asked, "form": form, "related": related, "controllers": controllers,
        "shared": shared, "depth": depth, "as_of": as_of,
    })


@page_requires(associations_may_read)
def subject_csv(request: HttpRequest, subject_id: int) -> HttpResponse:
    viewer = page_viewer(request)
    depth, kinds, as_of, _form = _view(request)
    related = associations_related(viewer=viewer, subject_id=subject_id, channel=Channel.EXPORT, depth=depth,
                                   kinds=kinds, as_of=as_of)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="associations-{subject_id}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("Related subject"), _("Code"), _("Depth"), _("Path")])
    for item in related:
        writer.writerow([item.party.name, item.party.code, item.depth,
                         " → ".join(f"{hop.reads} {hop.party.name}"
                                    + (f" ({hop.share_percent}%)" if hop.share_percent else "") for hop in item.path)])
    return response
