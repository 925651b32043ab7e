"""Objection pages: the subject's filing form, list and detail (timeline); the staff workbench; the source
unit operators' task list. Views are thin: selectors read (with their permission checks), one service
writes, errors come back as messages on the detail page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongxin.access.disclosure import fields_shown
from gongxin.accounts.capabilities import decides_for_office, is_office
from gongxin.accounts.doors import page_requires, page_viewer
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.models import SourceUnit
from gongxin.core import clock
from gongxin.core.errors import GongxinError, NotFound
from gongxin.objections.choices import PAYLOAD_DECISIONS, Status
from gongxin.objections.forms import DecideForm, ExtendForm, FileForm, NoteForm, ReasonForm
from gongxin.objections.models import Objection
from gongxin.objections.selectors import (
    evidence_visible,
    objection_pending_for,
    objection_tasks,
    objection_timeline,
    objection_visible,
    objections_of_subject,
    objections_queue,
    queue_counts,
    record_for_filing,
)
from gongxin.objections.services import (
    is_filer,
    objection_accept,
    objection_decide,
    objection_extend,
    objection_extension_request,
    objection_file,
    objection_forward,
    objection_reject,
    objection_review_request,
    unit_decides,
)
from gongxin.records.models import Record
from gongxin.records.personal import payload_unseal

PER_PAGE = 30



def _page_number(request: HttpRequest) -> int:
    try:
        return min(max(int(request.GET.get("page") or 1), 1), 10_000)
    except ValueError:
        return 1


def _query(request: HttpRequest) -> str:
    """The page's filters without its page number, for the pager's links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _record_facts(record: Record) -> list[Any]:
    version = record.current_version
    if version is None:
        return []
    return fields_shown(item=record.catalog_item, payload=version.payload, purpose="self")


@page_requires()
def mine(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    page = Paginator(objections_of_subject(viewer=viewer), PER_PAGE).get_page(_page_number(request))
    return render(request, "objections/mine.html", {"page": page, "has_subject": viewer.subject_id is not None,
                                                    "today": clock.today()})


@page_requires()
def file(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    try:
        record_id = int(request.GET.get("record") or 0)
    except ValueError:
        raise NotFound(_("No such record.")) from None
    record = record_for_filing(record_id=record_id, viewer=viewer)
    pending = objection_pending_for(record=record)
    if pending is not None:
        messages.info(request, _("An objection to this record is already being handled."))
        return redirect("objections:detail", pending.pk)
    form = FileForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                objection = objection_file(record=record, ground=form.cleaned_data["ground"],
                                           description=form.cleaned_data["description"], actor=viewer,
                                           files=request.FILES.getlist("files"))
            except GongxinError as error:
                form.add_error(None, str(error.message))
                for problem in (error.details if isinstance(error.details, list) else []):
                    if isinstance(problem, dict) and problem.get("reason"):
                        form.add_error(None, f"{problem.get('file') or ''} {problem['reason']}".strip())
            else:
                messages.success(request, _("Your objection %(number)s has been filed.") % {"number": objection.number})
                return redirect("objections:detail", objection.pk)
        status = 400
    return render(request, "objections/file.html", {"record": record, "form": form, "facts": _record_facts(record)},
                  status=status)


def _payload_fields(objection: Objection) -> list[dict[str, Any]]:
    """The record's fields with their current values, for a correction or supplement."""
    version = objection.record.current_version
    item = objection.record.catalog_item
    payload = payload_unseal(item=item, payload=version.payload) if version is not None else {}  # the unit's own data
    return [{"code": f["code"], "label": f.get("label") or f["code"], "required": bool(f.get("required")),
             "value": payload.get(f["code"], "")} for f in objection.record.catalog_item.fields]


@page_requires()
def detail(request: HttpRequest, objection_id: int) -> HttpResponse:
    viewer = page_viewer(request)
    objection = objection_visible(objection_id=objection_id, viewer=viewer)
    return render(request, "objections/detail.html", _detail_context(viewer, objection))


def _detail_context(viewer: Viewer, objection: Objection, **forms: Any) -> dict[str, Any]:
    staff = decides_for_office(viewer)
    operator = unit_decides(viewer, objection) and objection.status == Status.FORWARDED
    return {
        "objection": objection,
        "events": objection_timeline(objection=objection, viewer=viewer),
        "evidence": list(objection.evidence.order_by("id")),
        "overdue": objection.is_overdue(clock.today()),
        "facts": _record_facts(objection.record),
        "can_accept": staff and objection.status == Status.SUBMITTED,
        "can_forward": staff and objection.status == Status.ACCEPTED,
        "can_extend": staff and objection.is_open,
        "can_decide": operator,
        "can_request_extension": operator and not objection.extension_requested_days,
        "can_review": is_filer(viewer, objection) and objection.status == Status.DECIDED and objection.round == 1,
        "is_staff": staff,
        "payload_fields": _payload_fields(objection) if operator else [],
        "payload_decisions": [str(d) for d in PAYLOAD_DECISIONS],
        "note_form": forms.get("note_form") or NoteForm(),
        "reason_form": forms.get("reason_form") or ReasonForm(),
        "extend_form": forms.get("extend_form") or ExtendForm(),
        "decide_form": forms.get("decide_form") or DecideForm(),
    }


def _act(request: HttpRequest, objection_id: int, action: str) -> HttpResponse:
    viewer = page_viewer(request)
    objection = objection_visible(objection_id=objection_id, viewer=viewer)
    try:
        if action == "accept":
            note = NoteForm(request.POST)
            objection_accept(objection=objection, actor=viewer,
                             note=note.cleaned_data["note"] if note.is_valid() else "")
            messages.success(request, _("Accepted; the record now carries the mark \"under objection\"."))
        elif action == "forward":
            note = NoteForm(request.POST)
            objection_forward(objection=objection, actor=viewer,
                              note=note.cleaned_data["note"] if note.is_valid() else "")
            messages.success(request, _("Forwarded to the source unit."))
        elif action in ("reject", "review"):
            form: forms.Form = ReasonForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            if action == "reject":
                objection_reject(objection=objection, actor=viewer, reason=reason)
                messages.success(request, _("The objection has not been accepted; the subject has been told why."))
            else:
                objection_review_request(objection=objection, actor=viewer, reason=reason)
                messages.success(request, _("Your request for a review has been sent."))
        elif action == "extend":
            form = ExtendForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Give the number of working days and a reason."))
                return redirect("objections:detail", objection.pk)
            objection_extend(objection=objection, actor=viewer, working_days=form.cleaned_data["working_days"],
                             reason=form.cleaned_data["reason"])
            messages.success(request, _("The deadline has been extended."))
        elif action == "request_extension":
            form = ExtendForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Give the number of working days and a reason."))
                return redirect("objections:detail", objection.pk)
            objection_extension_request(objection=objection, actor=viewer,
                                        working_days=form.cleaned_data["working_days"],
                                        reason=form.cleaned_data["reason"])
            messages.success(request, _("Your request for more time has been sent to the credit office."))
        elif action == "decide":
            form = DecideForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose a decision and give its reasons."))
                return redirect("objections:detail", objection.pk)
            payload = None
            if form.cleaned_data["decision"] in PAYLOAD_DECISIONS:
                payload = {key[len("payload__"):]: str(value).strip() for key, value in request.POST.items()
                           if key.startswith("payload__") and str(value).strip()}
            objection_decide(objection=objection, actor=viewer, decision=form.cleaned_data["decision"],
                             reason=form.cleaned_data["reason"], payload=payload)
            messages.success(request, _("Decided; the record has been updated and the subject told."))
    except GongxinError as error:
        messages.error(request, str(error.message))
        details = error.details if isinstance(error.details, list) else []
        for problem in details[:10]:
            if isinstance(problem, dict):
                label = problem.get("label") or problem.get("field") or problem.get("file") or ""
                messages.error(request, f"{label}: {problem.get('reason', '')}")
    return redirect("objections:detail", objection.pk)


@page_requires()
@require_POST
def accept(request: HttpRequest, objection_id: int) -> HttpResponse:
    return _act(request, objection_id, "accept")


@page_requires()
@require_POST
def reject(request: HttpRequest, objection_id: int) -> HttpResponse:
    return _act(request, objection_id, "reject")


@page_requires()
@require_POST
def forward(request: HttpRequest, objection_id: int) -> HttpResponse:
    return _act(request, objection_id, "forward")


@page_requires()
@require_POST
def extend(request: HttpRequest, objection_id: int) -> HttpResponse:
    return _act(request, objection_id, "extend")


@page_requires()
@require_POST
def request_extension(request: HttpRequest, objection_id: int) -> HttpResponse:
    return _act(request, objection_id, "request_extension")


@page_requires()
@require_POST
def decide(request: HttpRequest, objection_id: int) -> HttpResponse:
    return _act(request, objection_id, "decide")


@page_requires()
@require_POST
def review(request: HttpRequest, objection_id: int) -> HttpResponse:
    return _act(request, objection_id, "review")


@page_requires()
def evidence(request: HttpRequest, objection_id: int, evidence_id: int) -> HttpResponseBase:
    """An evidence file, to the subject, staff, auditors and the source unit's operators only."""
    item = evidence_visible(objection_id=objection_id, evidence_id=evidence_id, viewer=page_viewer(request))
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name,
                            content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@page_requires(is_office)
def workbench(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    try:
        unit_id = int(request.GET.get("unit") or 0) or None
    except ValueError:
        unit_id = None
    overdue = request.GET.get("overdue") == "1"
    extension = request.GET.get("extension") == "1"
    queryset = objections_queue(viewer=viewer, status=status, source_unit_id=unit_id, overdue=overdue,
                                extension_requested=extension)
    page = Paginator(queryset, PER_PAGE).get_page(_page_number(request))
    units = SourceUnit.objects.filter(objections__isnull=False).select_related("department").distinct().order_by(
        "department__code"
    )
    return render(request, "objections/workbench.html", {
        "page": page, "counts": queue_counts(), "statuses": Status.choices, "status": status, "units": units,
        "unit_id": unit_id, "overdue": overdue, "extension": extension, "today": clock.today(),
        "query": _query(request),
    })


@page_requires()
def tasks(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    done = request.GET.get("done") == "1"
    page = Paginator(objection_tasks(viewer=viewer, done=done), PER_PAGE).get_page(_page_number(request))
    return render(request, "objections/tasks.html", {"page": page, "done": done, "today": clock.today(),
                                                     "is_operator": viewer.department_id is not None,
                                                     "query": _query(request)})
