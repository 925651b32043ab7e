"""Credit commitment pages under /commitments/.

For the subject: "my commitments" (``commitments:mine``), signing (``commitments:sign``: choose the matter,
read the eligibility and the full text, sign) and each commitment's page. For the receiving department and
the credit office: the verification queue (``commitments:workbench``), the verification page (fulfilled or
broken) and the statistics with CSS bar charts. Views are thin: reads through commitments.selectors, writes
through commitments.services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongxin.accounts.actors import actor_shown, actors_annotate
from gongxin.accounts.capabilities import acts_for_source_unit, is_office
from gongxin.accounts.doors import page_requires, page_viewer
from gongxin.accounts.viewer import Viewer
from gongxin.commitments.errors import CommitmentNotEligible, CommitmentNotVerifier, CommitmentOpenExists
from gongxin.commitments.forms import MatterForm, QueueFilterForm, SignForm, VerifyForm
from gongxin.commitments.matters import matters_search
from gongxin.commitments.models import Commitment
from gongxin.commitments.selectors import (
    commitment_is_overdue,
    commitment_statistics,
    commitment_visible,
    commitments_of_subject,
    commitments_queue,
    receiving_unit,
    statistics_bars,
    type_by_code,
)
from gongxin.commitments.services import (
    commitment_breach,
    commitment_fulfil,
    commitment_preview,
    commitment_sign,
    commitment_signature_valid,
    verify_check,
)
from gongxin.core import clock
from gongxin.core.errors import GongxinError, PermissionDenied
from gongxin.subjects.models import Subject

QUEUE_LIMIT = 500
NO_SUBJECT = gettext_lazy("Commitments are made by a subject: sign in as a person or as an organization's agent.")


def _visible(commitment_id: int, viewer: Viewer) -> Commitment:
    return commitment_visible(commitment_id=commitment_id, viewer=viewer)


@page_requires()
def mine(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    if viewer.subject_id is None:
        if acts_for_source_unit(viewer) or is_office(viewer):
            return redirect("commitments:workbench")
        raise PermissionDenied(NO_SUBJECT)
    today = clock.today()
    rows = [(c, commitment_is_overdue(c, today=today)) for c in commitments_of_subject(viewer=viewer)[:QUEUE_LIMIT]]
    return render(request, "commitments/mine.html", {"rows": rows})


@page_requires()
def sign(request: HttpRequest) -> HttpResponse:
    """GET without a matter: the choice form. GET with one: eligibility + full text + the signing form.
    POST: sign (the hidden hash makes sure the text signed is the text shown)."""
    viewer = page_viewer(request)
    if viewer.subject_id is None:
        raise PermissionDenied(NO_SUBJECT)
    subject = Subject.objects.get(pk=viewer.subject_id)
    source = request.POST if request.method == "POST" else request.GET
    matter_form = MatterForm(source if source.get("type") else None, search_url=reverse("commitments:matters"))
    context: dict[str, Any] = {"matter_form": matter_form, "subject": subject}
    if not matter_form.is_bound or not matter_form.is_valid():
        return render(request, "commitments/sign.html", context, status=400 if matter_form.is_bound else 200)
    data = matter_form.cleaned_data
    try:
        kind = type_by_code(data["type"])
        unit = receiving_unit(code=data["department"])
        matter_code, matter_name = matter_form.matter_resolved()
        preview = commitment_preview(subject=subject, type=kind, source_unit=unit, matter_code=matter_code,
                                     matter_name=matter_name)
    except GongxinError as error:
        matter_form.add_error(None, str(error.message))
        return render(request, "commitments/sign.html", context, status=400)
    organization = subject.kind == "organization"
    status = 200
    if request.method == "POST":
        form = SignForm(request.POST, type=kind, organization=organization)
        if form.is_valid():
            try:
                commitment = commitment_sign(
                    subject=subject, type=kind, source_unit=unit, matter_code=matter_code,
                    matter_name=matter_name, signer_name=form.cleaned_data["signer_name"],
                    accepted=form.cleaned_data["accepted"], actor=viewer,
                    shown_text_sha256=form.cleaned_data["text_sha256"],
                    publish=bool(form.cleaned_data.get("publish")),
                )
            except (CommitmentNotEligible, CommitmentOpenExists) as error:
                form.add_error(None, str(error.message))
            except GongxinError as error:
                form.add_error(None, str(error.message))
                preview = commitment_preview(subject=subject, type=kind, source_unit=unit,
                                             matter_code=matter_code, matter_name=matter_name)
            else:
                messages.success(request, _("Commitment %(number)s signed. %(unit)s verifies it by %(deadline)s.")
                                 % {"number": commitment.number, "unit": unit.department.name,
                                    "deadline": commitment.deadline.isoformat()})
                return redirect("commitments:detail", commitment_id=commitment.pk)
        status = 400
    else:
        form = SignForm(initial={"text_sha256": preview.text_sha256}, type=kind, organization=organization)
    context.update({"preview": preview, "type": kind, "unit": unit, "form": form, "matter": data,
                    "matter_name": matter_name})
    return render(request, "commitments/sign.html", context, status=status)


@page_requires()
def matters(request: HttpRequest) -> JsonResponse:
    """The matters whose name holds ``q`` (of the ``department`` when given): the signing form's search as the
    subject types. For a signed-in subject, like the form; active matters only, by name."""
    if page_viewer(request).subject_id is None:
        raise PermissionDenied(NO_SUBJECT)
    found = matters_search(text=request.GET.get("q", ""), department_code=request.GET.get("department", ""))
    return JsonResponse({"results": [{"value": m.value, "label": m.label, "detail": m.detail} for m in found]})


def _commitment_context(commitment: Commitment, viewer: Viewer) -> dict[str, Any]:
    return {
        "commitment": commitment,
        "events": actors_annotate(items=commitment.events.all(), viewer=viewer, subject_id=commitment.subject_id),
        "verified_by": actor_shown(label=commitment.verified_by_label, viewer=viewer),
        "overdue": commitment_is_overdue(commitment),
        "signature_valid": commitment_signature_valid(commitment),
        "is_own": viewer.subject_id == commitment.subject_id,
    }


@page_requires()
def detail(request: HttpRequest, commitment_id: int) -> HttpResponse:
    viewer = page_viewer(request)
    commitment = _visible(commitment_id, viewer)
    return render(request, "commitments/detail.html", _commitment_context(commitment, viewer))


@page_requires()
def workbench(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    today = clock.today()
    base = commitments_queue(viewer=viewer, today=today)
    filters = QueueFilterForm(request.GET or None)
    status, overdue = "", False
    if filters.is_valid():
        status = filters.cleaned_data["status"]
        overdue = bool(filters.cleaned_data["overdue"])
    queue = commitments_queue(viewer=viewer, status=status, overdue=overdue, today=today)
    rows = [{"commitment": c, "overdue": commitment_is_overdue(c, today=today), "days_left": (c.deadline - today).days,
             "days_overdue": (today - c.deadline).days} for c in queue[:QUEUE_LIMIT]]
    counts = {"open": base.filter(status="signed").count(),
              "overdue": base.filter(status="signed", deadline__lt=today).count()}
    return render(request, "commitments/workbench.html", {"rows": rows, "filters": filters, "counts": counts})


@page_requires()
def verify(request: HttpRequest, commitment_id: int) -> HttpResponse:
    viewer = page_viewer(request)
    commitment = _visible(commitment_id, viewer)
    try:
        verify_check(viewer=viewer, commitment=commitment)
        can_verify = commitment.is_open
    except CommitmentNotVerifier:
        can_verify = False
    form = VerifyForm(request.POST or None) if can_verify else None
    status = 200
    if request.method == "POST":
        if not can_verify:
            raise PermissionDenied()
        assert form is not None
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["outcome"] == "fulfil":
                    commitment_fulfil(commitment=commitment, actor=viewer, note=data["note"])
                    messages.success(request, _("Recorded: the commitment is fulfilled."))
                else:
                    commitment_breach(commitment=commitment, actor=viewer, facts=data["note"],
                                      handling=data["handling"], severity=data["severity"])
                    messages.success(request, _("Recorded: the commitment is broken; a negative record was added."))
            except GongxinError as error:
                form.add_error(None, str(error.message))
            else:
                return redirect("commitments:verify", commitment_id=commitment_id)
        status = 400
    context = _commitment_context(commitment, viewer)
    context.update({"form": form, "can_verify": can_verify})
    return render(request, "commitments/verify.html", context, status=status)


@page_requires()
def statistics(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    stats = commitment_statistics(viewer=viewer)
    return render(request, "commitments/statistics.html", {"stats": stats, "bars": statistics_bars(stats)})
