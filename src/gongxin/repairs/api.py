"""Credit repair API, mounted at /api/v1/repairs (thin: parse, call one service or selector, shape).

- ``GET  /eligibility?record=<id>`` — the subject's check: every condition, met or not and why;
- ``POST ""`` (JSON) and ``POST /multipart`` (form fields + evidence files) — the subject applies;
- ``GET  ""`` — the caller's applications (its own as a subject; its unit's queue as an operator; all
  for staff), filters ``status`` and ``overdue``;
- ``GET  /{id}`` — one application with its conditions, evidence list and events;
- ``POST /{id}/decision`` — the source unit approves or rejects (with reasons);
- ``POST /{id}/withdraw`` — the subject withdraws a pending application.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from gongxin.accounts.actors import actors_annotate, actors_shown
from gongxin.accounts.auth import viewer_auth
from gongxin.accounts.doors import viewer_for_request
from gongxin.accounts.viewer import Viewer
from gongxin.core import clock
from gongxin.core.events import topic_label
from gongxin.repairs.eligibility import eligibility_check
from gongxin.repairs.models import RepairApplication
from gongxin.repairs.selectors import (
    own_record,
    repair_is_overdue,
    repair_platform_overdue,
    repair_visible,
    repairs_of_subject,
    repairs_queue,
)
from gongxin.repairs.services import repair_apply, repair_approve, repair_reject, repair_withdraw

router = Router(tags=["repairs"], auth=viewer_auth)

PAGE_MAX = 200


class RepairConditionOut(Schema):
    code: str
    label: str
    met: bool | None = Field(..., description="true met, false not met, null to be done or confirmed")
    explanation: str


class RepairEligibilityOut(Schema):
    record_id: int
    day: date
    eligible: bool
    policy: str
    commitment_text: str
    conditions: list[RepairConditionOut]


class RepairIn(Schema):
    record_id: int
    statement: str = Field(..., min_length=1, max_length=4000, description="How the act was corrected")
    commitment_accepted: bool = Field(..., description="The subject accepts the credit commitment text")
    commitment_signer: str = Field(..., min_length=1, max_length=100, description="Who signs the commitment")


class RepairEvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str


class RepairEventOut(Schema):
    action: str
    action_label: str = Field("", description="the step in words, in the request's language (core.events.topic_label)")
    actor: str
    note: str
    at: datetime


class RepairOut(Schema):
    id: int
    record_id: int
    record_version: int
    item: str
    subject_name: str
    source_unit: str
    status: str
    status_label: str
    applied_at: datetime
    department_due: date
    platform_due: date
    overdue: bool
    platform_overdue: bool
    statement: str
    commitment_signer: str
    commitment_signed_at: datetime
    commitment_text: str
    conditions: list[RepairConditionOut]
    rejection_reasons: list[str]
    decision_note: str
    decided_at: datetime | None
    decided_by: str
    repaired_version: int | None
    evidence: list[RepairEvidenceOut] = []
    events: list[RepairEventOut] = []


class RepairDecisionIn(Schema):
    outcome: Literal["approve", "reject"]
    obligations_confirmed: bool = Field(False, description="Approval: the unit confirms correction and performance")
    reasons: list[str] = Field(default_factory=list, description="Rejection: codes of the rejection reasons")
    note: str = Field("", max_length=4000, description="Explanation (required for a rejection)")


def _out(application: RepairApplication, *, viewer: Viewer, detail: bool = False,
         deciders: dict[str, str] | None = None) -> dict[str, Any]:
    """``decided_by`` and each event's ``actor``: who acted as ``viewer`` may see it (accounts.actors)."""
    today = clock.today()
    if deciders is None:
        deciders = actors_shown(labels=[application.decided_by_label], viewer=viewer)
    body: dict[str, Any] = {
        "id": application.pk,
        "record_id": application.record_id,
        "record_version": application.record_version,
        "item": application.record.catalog_item.name,
        "subject_name": application.subject.name,
        "source_unit": application.source_unit.department.name,
        "status": application.status,
        "status_label": str(application.get_status_display()),
        "applied_at": application.applied_at,
        "department_due": application.department_due,
        "platform_due": application.platform_due,
        "overdue": repair_is_overdue(application, today=today),
        "platform_overdue": repair_platform_overdue(application, today=today),
        "statement": application.statement,
        "commitment_signer": application.commitment_signer,
        "commitment_signed_at": application.commitment_signed_at,
        "commitment_text": application.commitment_text,
        "conditions": application.eligibility,
        "rejection_reasons": list(application.rejection_reasons),
        "decision_note": application.decision_note,
        "decided_at": application.decided_at,
        "decided_by": deciders[application.decided_by_label],
        "repaired_version": application.repaired_version,
    }
    if detail:
        body["evidence"] = [
            {"id": e.pk, "name": e.original_name, "content_type": e.content_type, "size": e.size, "sha256": e.sha256}
            for e in application.evidence.all()
        ]
        body["events"] = [
            {"action": e.action, "action_label": topic_label(e.action), "actor": e.actor_shown, "note": e.note,
             "at": e.created_at}
            for e in actors_annotate(items=application.events.all(), viewer=viewer, subject_id=application.subject_id)
        ]
    return body


@router.get("/eligibility", response=RepairEligibilityOut, summary="Check whether one of your records may be repaired")
def eligibility_endpoint(request: HttpRequest, record: int) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    found = own_record(record_id=record, viewer=viewer)
    result = eligibility_check(record=found, day=clock.today())
    return {
        "record_id": found.pk, "day": result.day, "eligible": result.eligible, "policy": result.policy.code,
        "commitment_text": str(result.policy.params.get("commitment_text") or ""), "conditions": result.as_list(),
    }


@router.post("", response={201: RepairOut}, summary="Apply for the repair of one of your records (JSON)")
def repair_apply_endpoint(request: HttpRequest, body: RepairIn) -> Status[dict[str, Any]]:
    viewer = viewer_for_request(request)
    record = own_record(record_id=body.record_id, viewer=viewer)
    application = repair_apply(record=record, actor=viewer, statement=body.statement,
                               commitment_accepted=body.commitment_accepted, commitment_signer=body.commitment_signer)
    return Status(201, _out(repair_visible(application_id=application.pk, viewer=viewer), viewer=viewer, detail=True))


@router.post("/multipart", response={201: RepairOut},
             summary="Apply for the repair of one of your records, with evidence files (multipart)")
def repair_apply_multipart(
    request: HttpRequest, body: Form[RepairIn], evidence: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Status[dict[str, Any]]:
    viewer = viewer_for_request(request)
    record = own_record(record_id=body.record_id, viewer=viewer)
    application = repair_apply(record=record, actor=viewer, statement=body.statement,
                               commitment_accepted=body.commitment_accepted, commitment_signer=body.commitment_signer,
                               evidence=list(evidence or []))
    return Status(201, _out(repair_visible(application_id=application.pk, viewer=viewer), viewer=viewer, detail=True))


@router.get("", response=list[RepairOut], summary="Your applications (subject), your unit's queue (operator)")
def repairs_list(
    request: HttpRequest, status: str = "", overdue: bool = False, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    viewer = viewer_for_request(request)
    limit = min(max(limit, 1), PAGE_MAX)
    offset = min(max(offset, 0), 100_000)
    if viewer.subject_id is not None:
        queryset = repairs_of_subject(viewer=viewer)
        if status:
            queryset = queryset.filter(status=status)
    else:
        queryset = repairs_queue(viewer=viewer, status=status, overdue=overdue)
    page = list(queryset[offset:offset + limit])
    deciders = actors_shown(labels=(a.decided_by_label for a in page), viewer=viewer)
    return [_out(a, viewer=viewer, deciders=deciders) for a in page]


@router.get("/{int:repair_id}", response=RepairOut, summary="One application, with its evidence and events")
def repair_detail(request: HttpRequest, repair_id: int) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    return _out(repair_visible(application_id=repair_id, viewer=viewer), viewer=viewer, detail=True)


@router.post("/{int:repair_id}/decision", response=RepairOut, summary="Approve or reject (the source unit)")
def repair_decide(request: HttpRequest, repair_id: int, body: RepairDecisionIn) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    application = repair_visible(application_id=repair_id, viewer=viewer)
    if body.outcome == "approve":
        repair_approve(application=application, actor=viewer, obligations_confirmed=body.obligations_confirmed,
                       note=body.note)
    else:
        repair_reject(application=application, actor=viewer, reasons=body.reasons, note=body.note)
    return _out(repair_visible(application_id=repair_id, viewer=viewer), viewer=viewer, detail=True)


@router.post("/{int:repair_id}/withdraw", response=RepairOut, summary="Withdraw your pending application")
def repair_withdraw_endpoint(request: HttpRequest, repair_id: int) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    application = repair_visible(application_id=repair_id, viewer=viewer)
    repair_withdraw(application=application, actor=viewer)
    return _out(repair_visible(application_id=repair_id, viewer=viewer), viewer=viewer, detail=True)
