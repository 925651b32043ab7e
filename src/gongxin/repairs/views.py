"""Credit repair pages under /repairs/.

For the subject: the application form with the eligibility explained (``repairs:apply?record=<id>``),
"my repairs" and each application's page. For the source unit's operators and the credit office: the
workbench (queue, deadlines, overdue first, filters) and the decision page. Views are thin: reads
through repairs.selectors (which hold the permission rules), writes through repairs.services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongxin.accounts.actors import actor_shown, actors_annotate
from gongxin.accounts.doors import page_requires, page_viewer
from gongxin.accounts.viewer import Viewer
from gongxin.core import clock
from gongxin.core.errors import GongxinError, NotFound, PermissionDenied
from gongxin.repairs.choices import RejectionReason, RepairStatus
from gongxin.repairs.eligibility import eligibility_check
from gongxin.repairs.errors import RepairNotDecider, RepairNotEligible
from gongxin.repairs.forms import RepairApplyForm, RepairDecisionForm, WorkbenchFilterForm
from gongxin.repairs.models import RepairApplication
from gongxin.repairs.selectors import (
    own_record,
    record_brief,
    repair_is_overdue,
    repair_platform_overdue,
    repair_visible,
    repairs_of_subject,
    repairs_queue,
    workbench_units,
)
from gongxin.repairs.services import decide_check, repair_apply, repair_approve, repair_reject, repair_withdraw

QUEUE_LIMIT = 500
NO_SUBJECT = gettext_lazy("Your account does not act for a credit subject, so it cannot apply for credit repair.")


def _record_id(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("record") or request.POST.get("record") or "")
    except ValueError:
        raise Http404 from None


def _visible(repair_id: int, viewer: Viewer) -> RepairApplication:
    try:
        return repair_visible(application_id=repair_id, viewer=viewer)
    except NotFound:
        raise Http404 from None


def _reason_labels(application: RepairApplication) -> list[str]:
    return [str(RejectionReason(r).label) if r in RejectionReason.values else r
            for r in application.rejection_reasons]


@page_requires()
def apply(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    if viewer.subject_id is None:
        raise PermissionDenied(NO_SUBJECT)
    try:
        record = own_record(record_id=_record_id(request), viewer=viewer)
    except NotFound:
        raise Http404 from None
    today = clock.today()
    form = RepairApplyForm(request.POST, request.FILES) if request.method == "POST" else RepairApplyForm()
    conditions = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                application = repair_apply(
                    record=record, actor=viewer, statement=form.cleaned_data["statement"],
                    commitment_accepted=form.cleaned_data["commitment_accepted"],
                    commitment_signer=form.cleaned_data["commitment_signer"],
                    evidence=form.cleaned_data["evidence"],
                )
            except RepairNotEligible as error:
                form.add_error(None, str(error.message))
                conditions = (error.details or {}).get("conditions")
            except GongxinError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Your repair application has been filed and forwarded to %(unit)s.")
                                 % {"unit": application.source_unit.department.name})
                return redirect("repairs:detail", repair_id=application.pk)
        status = 400
    eligibility = eligibility_check(record=record, day=today)
    context: dict[str, Any] = {
        "record": record_brief(record=record, viewer=viewer),
        "eligibility": eligibility,
        "conditions": conditions or eligibility.as_list(),
        "commitment_text": eligibility.policy.params.get("commitment_text") or "",
        "form": form,
    }
    return render(request, "repairs/apply.html", context, status=status)


@page_requires()
def mine(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    if viewer.subject_id is None:
        raise PermissionDenied(NO_SUBJECT)
    today = clock.today()
    rows = [(a, repair_is_overdue(a, today=today)) for a in repairs_of_subject(viewer=viewer)[:QUEUE_LIMIT]]
    return render(request, "repairs/mine.html", {"rows": rows})


def _application_context(application: RepairApplication, viewer: Viewer) -> dict[str, Any]:
    today = clock.today()
    return {
        "application": application,
        "record": record_brief(record=application.record, viewer=viewer),
        "evidence": list(application.evidence.all()),
        "events": actors_annotate(items=application.events.all(), viewer=viewer, subject_id=application.subject_id),
        "decided_by": actor_shown(label=application.decided_by_label, viewer=viewer),
        "overdue": repair_is_overdue(application, today=today),
        "platform_overdue": repair_platform_overdue(application, today=today),
        "reason_labels": _reason_labels(application),
        "is_own": viewer.subject_id == application.subject_id,
    }


@page_requires()
def detail(request: HttpRequest, repair_id: int) -> HttpResponse:
    viewer = page_viewer(request)
    application = _visible(repair_id, viewer)
    return render(request, "repairs/detail.html", _application_context(application, viewer))


@page_requires()
@require_POST
def withdraw(request: HttpRequest, repair_id: int) -> HttpResponse:
    viewer = page_viewer(request)
    application = _visible(repair_id, viewer)
    try:
        repair_withdraw(application=application, actor=viewer)
    except GongxinError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Application withdrawn."))
    return redirect("repairs:detail", repair_id=repair_id)


@page_requires()
def evidence(request: HttpRequest, repair_id: int, evidence_id: int) -> FileResponse:
    viewer = page_viewer(request)
    application = _visible(repair_id, viewer)
    item = application.evidence.filter(pk=evidence_id).first()
    if item is None:
        raise Http404
    return FileResponse(item.file.open("rb"), content_type=item.content_type, as_attachment=True,
                        filename=item.original_name)


@page_requires()
def workbench(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    today = clock.today()
    base = repairs_queue(viewer=viewer, today=today)
    filters = WorkbenchFilterForm(request.GET or None, units=workbench_units(viewer=viewer))
    status, overdue, unit = "", False, None
    if filters.is_valid():
        status = filters.cleaned_data["status"]
        overdue = filters.cleaned_data["overdue"]
        unit = filters.cleaned_data.get("unit")
    queue = repairs_queue(viewer=viewer, status=status or "", overdue=bool(overdue), source_unit_id=unit, today=today)
    rows = [
        {"application": a, "overdue": repair_is_overdue(a, today=today),
         "platform_overdue": repair_platform_overdue(a, today=today),
         "days_left": (a.department_due - today).days, "days_overdue": (today - a.department_due).days}
        for a in queue[:QUEUE_LIMIT]
    ]
    counts = {
        "pending": base.filter(status=RepairStatus.FORWARDED).count(),
        "overdue": base.filter(status=RepairStatus.FORWARDED, department_due__lt=today).count(),
    }
    return render(request, "repairs/workbench.html", {"rows": rows, "filters": filters, "counts": counts,
                                                      "today": today})


@page_requires()
def decide(request: HttpRequest, repair_id: int) -> HttpResponse:
    viewer = page_viewer(request)
    application = _visible(repair_id, viewer)
    try:
        decide_check(viewer=viewer, application=application)
        can_decide = application.is_pending
    except RepairNotDecider:
        can_decide = False
    form = RepairDecisionForm(request.POST or None) if can_decide else None
    status = 200
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied()
        assert form is not None
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["outcome"] == "approve":
                    repair_approve(application=application, actor=viewer,
                                   obligations_confirmed=data["obligations_confirmed"], note=data["note"])
                    messages.success(request, _("Repair approved: the record is marked repaired."))
                else:
                    repair_reject(application=application, actor=viewer, reasons=data["reasons"], note=data["note"])
                    messages.success(request, _("Repair rejected; the subject has been told the reasons."))
            except GongxinError as error:
                form.add_error(None, str(error.message))
            else:
                return redirect("repairs:decide", repair_id=repair_id)
        status = 400
    context = _application_context(application, viewer)
    context.update({"form": form, "can_decide": can_decide})
    return render(request, "repairs/decide.html", context, status=status)
