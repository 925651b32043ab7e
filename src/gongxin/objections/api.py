"""JSON API of the objections app (mounted at /api/v1/objections). Thin: parse, call one service or
selector, shape the output; errors leave in the one shape ``{code, message, details}``.

The subject files (JSON) and adds evidence (multipart), lists its objections and asks for a review; staff
accept, reject, forward and extend; the record's source unit decides.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from gongxin.accounts.auth import viewer_auth
from gongxin.accounts.capabilities import decides_for_office
from gongxin.accounts.doors import viewer_for_request
from gongxin.accounts.viewer import Viewer
from gongxin.core import clock
from gongxin.core.events import topic_label
from gongxin.objections.choices import Decision, Ground
from gongxin.objections.models import Evidence, Objection
from gongxin.objections.selectors import (
    objection_tasks,
    objection_timeline,
    objection_visible,
    objections_of_subject,
    objections_queue,
    record_for_filing,
)
from gongxin.objections.services import (
    objection_accept,
    objection_decide,
    objection_evidence_add,
    objection_extend,
    objection_extension_request,
    objection_file,
    objection_forward,
    objection_reject,
    objection_review_request,
    unit_decides,
)

router = Router(tags=["objections"], auth=viewer_auth)

PAGE_MAX = 100
OFFSET_MAX = 100_000


class ObjectionIn(Schema):
    record_id: int
    ground: Ground
    description: str = Field(..., min_length=1, max_length=4000)


class ObjectionNoteIn(Schema):
    note: str = Field("", max_length=4000)


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=4000)


class ExtendIn(Schema):
    working_days: int = Field(..., ge=1, le=100)
    reason: str = Field(..., min_length=1, max_length=4000)


class DecideIn(Schema):
    decision: Decision
    reason: str = Field(..., min_length=1, max_length=4000)
    payload: dict[str, Any] | None = Field(None, description="The record's corrected content (correct, supplement)")
    severity: str | None = Field(None, description="Override of the computed severity (correct, supplement)")


class ObjectionEventOut(Schema):
    action: str
    action_label: str = Field("", description="the step in words, in the request's language (core.events.topic_label)")
    status: str
    actor: str
    note: str
    at: datetime


class ObjectionEvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    url: str


class ObjectionOut(Schema):
    id: int
    number: str
    record_id: int
    record_item: str
    record_under_objection: bool
    subject_name: str
    source_unit: str
    ground: str
    description: str
    status: str
    round: int
    filed_at: datetime
    accepted_at: datetime | None
    due_date: date | None
    deadline_working_days: int
    overdue: bool
    forwarded_at: datetime | None
    extension_requested_days: int
    extension_request_reason: str
    rejection_reason: str
    decision: str
    decision_reason: str
    decided_at: datetime | None
    decision_version: int | None
    review_requested_at: datetime | None
    review_reason: str


class ObjectionDetailOut(ObjectionOut):
    events: list[ObjectionEventOut]
    evidence: list[ObjectionEvidenceOut]


class ObjectionPage(Schema):
    count: int
    items: list[ObjectionOut]


def _out(objection: Objection) -> dict[str, Any]:
    record = objection.record
    current = record.current_version
    return {
        "id": objection.pk, "number": objection.number, "record_id": record.pk,
        "record_item": record.catalog_item.name,
        "record_under_objection": bool(current and current.under_objection),
        "subject_name": objection.subject.name, "source_unit": objection.source_unit.department.name,
        "ground": objection.ground, "description": objection.description, "status": objection.status,
        "round": objection.round, "filed_at": objection.filed_at, "accepted_at": objection.accepted_at,
        "due_date": objection.due_date, "deadline_working_days": objection.deadline_working_days,
        "overdue": objection.is_overdue(clock.today()), "forwarded_at": objection.forwarded_at,
        "extension_requested_days": objection.extension_requested_days,
        "extension_request_reason": objection.extension_request_reason,
        "rejection_reason": objection.rejection_reason, "decision": objection.decision,
        "decision_reason": objection.decision_reason, "decided_at": objection.decided_at,
        "decision_version": objection.decision_version.number if objection.decision_version else None,
        "review_requested_at": objection.review_requested_at, "review_reason": objection.review_reason,
    }


def _evidence_out(evidence: Evidence) -> dict[str, Any]:
    return {"id": evidence.pk, "name": evidence.name, "content_type": evidence.content_type, "size": evidence.size,
            "sha256": evidence.sha256, "uploaded_at": evidence.uploaded_at,
            "url": reverse("objections:evidence", args=[evidence.objection_id, evidence.pk])}


def _detail(objection_id: int, viewer: Viewer) -> dict[str, Any]:
    objection = objection_visible(objection_id=objection_id, viewer=viewer)
    body = _out(objection)
    if not (decides_for_office(viewer) or unit_decides(viewer, objection)):
        body["extension_request_reason"] = ""  # the unit's request to the office (objection_timeline)
    body["events"] = [{"action": e.action, "action_label": topic_label(e.action), "status": e.status,
                       "actor": e.actor_shown, "note": e.note,
                       "at": e.created_at} for e in objection_timeline(objection=objection, viewer=viewer)]
    body["evidence"] = [_evidence_out(e) for e in objection.evidence.order_by("id")]
    return body


def _page(queryset: Any, limit: int, offset: int) -> dict[str, Any]:
    limit = max(1, min(limit, PAGE_MAX))
    offset = max(0, min(offset, OFFSET_MAX))
    return {"count": queryset.count(), "items": [_out(o) for o in queryset[offset:offset + limit]]}


@router.post("", response={201: ObjectionDetailOut}, summary="File an objection to one of my records")
def objection_file_endpoint(request: HttpRequest, body: ObjectionIn) -> Status[dict[str, Any]]:
    viewer = viewer_for_request(request)
    record = record_for_filing(record_id=body.record_id, viewer=viewer)
    objection = objection_file(record=record, ground=body.ground, description=body.description, actor=viewer)
    return Status(201, _detail(objection.pk, viewer))


@router.post("/{int:objection_id}/evidence", response={201: list[ObjectionEvidenceOut]},
             summary="Add evidence files (multipart, field 'files'; PDF, JPEG or PNG)")
def objection_evidence_endpoint(
    request: HttpRequest, objection_id: int, files: list[UploadedFile] = File(...)  # noqa: B008 - ninja's idiom
) -> Status[list[dict[str, Any]]]:
    viewer = viewer_for_request(request)
    objection = objection_visible(objection_id=objection_id, viewer=viewer)
    added = objection_evidence_add(objection=objection, actor=viewer, files=files)
    return Status(201, [_evidence_out(e) for e in added])


@router.get("", response=ObjectionPage, summary="My objections (the signed-in subject's)")
def objections_mine(request: HttpRequest, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    return _page(objections_of_subject(viewer=viewer_for_request(request)), limit, offset)


@router.get("/queue", response=ObjectionPage, summary="The staff workbench queue, filtered")
def objections_queue_endpoint(request: HttpRequest, status: str = "", source_unit: int | None = None,
                              overdue: bool = False, extension_requested: bool = False, limit: int = 50,
                              offset: int = 0) -> dict[str, Any]:
    queryset = objections_queue(viewer=viewer_for_request(request), status=status, source_unit_id=source_unit,
                                overdue=overdue, extension_requested=extension_requested)
    return _page(queryset, limit, offset)


@router.get("/tasks", response=ObjectionPage, summary="The source unit operator's tasks")
def objections_tasks_endpoint(request: HttpRequest, done: bool = False, limit: int = 50,
                              offset: int = 0) -> dict[str, Any]:
    return _page(objection_tasks(viewer=viewer_for_request(request), done=done), limit, offset)


@router.get("/{int:objection_id}", response=ObjectionDetailOut, summary="One objection with its timeline")
def objection_detail(request: HttpRequest, objection_id: int) -> dict[str, Any]:
    return _detail(objection_id, viewer_for_request(request))


@router.post("/{int:objection_id}/accept", response=ObjectionDetailOut, summary="Accept (staff)")
def objection_accept_endpoint(request: HttpRequest, objection_id: int, body: ObjectionNoteIn) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    objection_accept(objection=objection_visible(objection_id=objection_id, viewer=viewer), actor=viewer,
                     note=body.note)
    return _detail(objection_id, viewer)


@router.post("/{int:objection_id}/reject", response=ObjectionDetailOut, summary="Do not accept, with a reason (staff)")
def objection_reject_endpoint(request: HttpRequest, objection_id: int, body: ReasonIn) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    objection_reject(objection=objection_visible(objection_id=objection_id, viewer=viewer), actor=viewer,
                     reason=body.reason)
    return _detail(objection_id, viewer)


@router.post("/{int:objection_id}/forward", response=ObjectionDetailOut, summary="Forward to the source unit (staff)")
def objection_forward_endpoint(request: HttpRequest, objection_id: int, body: ObjectionNoteIn) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    objection_forward(objection=objection_visible(objection_id=objection_id, viewer=viewer), actor=viewer,
                      note=body.note)
    return _detail(objection_id, viewer)


@router.post("/{int:objection_id}/extend", response=ObjectionDetailOut, summary="Extend the deadline (staff)")
def objection_extend_endpoint(request: HttpRequest, objection_id: int, body: ExtendIn) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    objection_extend(objection=objection_visible(objection_id=objection_id, viewer=viewer), actor=viewer,
                     working_days=body.working_days, reason=body.reason)
    return _detail(objection_id, viewer)


@router.post("/{int:objection_id}/extension-request", response=ObjectionDetailOut,
             summary="Ask the credit office for more time (operators of the record's source unit)")
def objection_extension_request_endpoint(request: HttpRequest, objection_id: int, body: ExtendIn) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    objection_extension_request(objection=objection_visible(objection_id=objection_id, viewer=viewer), actor=viewer,
                                working_days=body.working_days, reason=body.reason)
    return _detail(objection_id, viewer)


@router.post("/{int:objection_id}/decide", response=ObjectionDetailOut,
             summary="Decide (operators of the record's source unit)")
def objection_decide_endpoint(request: HttpRequest, objection_id: int, body: DecideIn) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    objection_decide(objection=objection_visible(objection_id=objection_id, viewer=viewer), actor=viewer,
                     decision=body.decision, reason=body.reason, payload=body.payload, severity=body.severity)
    return _detail(objection_id, viewer)


@router.post("/{int:objection_id}/review", response=ObjectionDetailOut, summary="Ask for a review, once (the subject)")
def objection_review_endpoint(request: HttpRequest, objection_id: int, body: ReasonIn) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    objection_review_request(objection=objection_visible(objection_id=objection_id, viewer=viewer), actor=viewer,
                             reason=body.reason)
    return _detail(objection_id, viewer)
