"""Credit commitments API, mounted at /api/v1/commitments (thin: parse, call one service or selector, shape).

- ``GET  /types`` — the commitment types in force (text templates, periods, legal basis);
- ``GET  /eligibility`` (or ``POST`` with a JSON body, for persons by RIN) — the check before signing:
  conditions, the full text to sign and its hash;
- ``POST ""`` — sign: the subject itself (session), or the receiving department's system with the
  subject's signature (``uscc``/``rin`` + ``subject_signature``);
- ``GET  ""`` — own commitments (subject), the department's queue (operator/system), all (staff);
- ``GET  /{id}`` — one commitment with its history and whether its platform signature verifies;
- ``POST /{id}/fulfil`` and ``POST /{id}/breach`` — the receiving department's verification;
- ``GET  /statistics`` — counts by status, type, department; payouts and amounts paid;
- ``POST /payouts`` — instant policy payout (政策秒兑付): check + commitment → approval or refusal.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from gongxin.access.choices import Channel
from gongxin.access.services import inquiry_record
from gongxin.accounts.actors import actors_annotate, actors_shown
from gongxin.accounts.auth import viewer_auth
from gongxin.accounts.doors import viewer_for_request
from gongxin.accounts.viewer import Viewer
from gongxin.commitments.choices import PayoutReason
from gongxin.commitments.errors import PayoutForbidden
from gongxin.commitments.models import Commitment, Payout
from gongxin.commitments.selectors import (
    commitment_is_overdue,
    commitment_statistics,
    commitment_visible,
    commitments_of_subject,
    commitments_queue,
    receiving_unit,
    subject_for_signing,
    type_by_code,
    types_in_force,
)
from gongxin.commitments.services import (
    commitment_breach,
    commitment_fulfil,
    commitment_preview,
    commitment_sign,
    commitment_signature_valid,
    payout_request,
    preview_check,
)
from gongxin.core.events import topic_label
from gongxin.records.choices import Purpose
from gongxin.subjects.models import Subject

router = Router(tags=["commitments"], auth=viewer_auth)

PAGE_MAX = 200


class TypeOut(Schema):
    code: str
    name: str
    name_en: str
    group: str
    eligibility_applies: bool
    public_always: bool
    fulfilment_working_days: int
    reminder_working_days: int
    text_template: str
    legal_basis: str
    effective_from: date


class CommitmentConditionOut(Schema):
    code: str
    label: str
    met: bool
    explanation: str


class CommitmentEligibilityOut(Schema):
    subject_name: str
    type: str
    matter_code: str
    eligible: bool
    conditions: list[CommitmentConditionOut]
    text: str = Field(..., description="The full commitment text the subject signs")
    text_sha256: str = Field(..., description="Send it back when signing: a changed text is refused")
    deadline: date


class SignIn(Schema):
    type: str = Field(..., description="Commitment type code, see GET /types")
    department: str = Field(..., description="Code of the receiving department (a source unit)")
    matter_code: str = Field(..., min_length=1, max_length=60)
    matter_name: str = Field(..., min_length=1, max_length=200)
    signer_name: str = Field(..., min_length=1, max_length=100, description="Who signs for the subject")
    accepted: bool = Field(..., description="The signer read and accepts the text")
    text_sha256: str = Field("", description="Hash of the text shown (from /eligibility)")
    publish: bool = Field(False, description="Publish the commitment on the organization's profile")
    uscc: str = Field("", description="Department systems: the organization signing")
    rin: str = Field("", description="Department systems: the person signing")
    subject_signature: str = Field("", max_length=20000,
                                   description="Department systems: the subject's own signature (e.g. e-seal value)")
    deadline: date | None = Field(None, description="Department systems: verify by (default: the type's period)")


class CommitmentEventOut(Schema):
    action: str
    action_label: str = Field("", description="the step in words, in the request's language (core.events.topic_label)")
    actor: str
    note: str
    at: datetime


class CommitmentOut(Schema):
    id: int
    number: str
    type: str
    type_name: str
    subject_name: str
    department: str
    matter_code: str
    matter_name: str
    status: str
    status_label: str
    public: bool
    text: str
    text_sha256: str
    signer_name: str
    signed_via: str
    signed_at: datetime
    deadline: date
    overdue: bool
    reminded_at: datetime | None
    verified_at: datetime | None
    verified_by: str
    verification_note: str
    breach_record_id: int | None
    platform_key_id: str
    platform_signature: str
    conditions: list[CommitmentConditionOut]
    signature_valid: bool | None = None
    events: list[CommitmentEventOut] = []


class FulfilIn(Schema):
    note: str = Field("", max_length=4000)


class BreachIn(Schema):
    facts: str = Field(..., min_length=1, max_length=4000, description="What was found false or broken")
    handling: str = Field("", max_length=2000, description="What the department does about it")
    severity: str = Field("", description="minor, general or serious (default: the catalog item's)")


class PayoutIn(Schema):
    uscc: str = ""
    rin: str = ""
    name: str = Field("", description="Name the paying system holds (a mismatch is a check warning)")
    matter: str = Field(..., min_length=1, max_length=60, description="Matter code of the payout")
    amount: Decimal = Field(..., gt=0, max_digits=14, decimal_places=2, description="Yuan")
    reference: str = Field(..., min_length=1, max_length=100, description="The paying system's own id (idempotent)")


class PayoutReasonOut(Schema):
    code: str
    label: str


class PayoutOut(Schema):
    id: int
    reference: str
    matter: str
    approved: bool
    outcome: str
    amount_requested: Decimal
    amount_paid: Decimal
    reasons: list[PayoutReasonOut]
    commitment: str | None
    commitment_status: str | None
    check_id: int | None
    check_decision: str
    hits: list[dict[str, Any]] = []
    repeated: bool = Field(False, description="This reference was answered before; the first answer is returned")
    decided_at: datetime


def _out(commitment: Commitment, *, viewer: Viewer, detail: bool = False,
         verifiers: dict[str, str] | None = None) -> dict[str, Any]:
    """``verified_by`` and each event's ``actor``: who acted as ``viewer`` may see it (accounts.actors)."""
    if verifiers is None:
        verifiers = actors_shown(labels=[commitment.verified_by_label], viewer=viewer)
    body: dict[str, Any] = {
        "id": commitment.pk, "number": commitment.number, "type": commitment.type.code,
        "type_name": commitment.type.name, "subject_name": commitment.subject.name,
        "department": commitment.source_unit.department.name, "matter_code": commitment.matter_code,
        "matter_name": commitment.matter_name, "status": commitment.status,
        "status_label": str(commitment.get_status_display()), "public": commitment.is_public,
        "text": commitment.text, "text_sha256": commitment.text_sha256, "signer_name": commitment.signer_name,
        "signed_via": commitment.signed_via, "signed_at": commitment.signed_at, "deadline": commitment.deadline,
        "overdue": commitment_is_overdue(commitment), "reminded_at": commitment.reminded_at,
        "verified_at": commitment.verified_at, "verified_by": verifiers[commitment.verified_by_label],
        "verification_note": commitment.verification_note, "breach_record_id": commitment.breach_record_id,
        "platform_key_id": commitment.platform_key_id, "platform_signature": commitment.platform_signature,
        "conditions": commitment.eligibility,
    }
    if detail:
        body["signature_valid"] = commitment_signature_valid(commitment)
        body["events"] = [{"action": e.action, "action_label": topic_label(e.action), "actor": e.actor_shown,
                           "note": e.note, "at": e.created_at}
                          for e in actors_annotate(items=commitment.events.all(), viewer=viewer,
                                                   subject_id=commitment.subject_id)]
    return body


def _log_inquiry(viewer: Viewer, subject: Subject, reason: str) -> None:
    """A department system asking about a subject reads non-public facts (serious records, breaches)."""
    if viewer.subject_id != subject.pk:
        inquiry_record(subject_id=subject.pk, viewer=viewer, purpose=Purpose.SHARING, channel=Channel.API,
                       reason=reason)


@router.get("/types", response=list[TypeOut], summary="Commitment types in force, with their text templates")
def types_list(request: HttpRequest) -> list[Any]:
    return types_in_force()


class EligibilityQuery(Schema):
    type: str = Field(..., min_length=1, max_length=60, description="A commitment type's code")
    department: str = Field(..., min_length=1, max_length=60, description="The receiving department's code")
    matter_code: str = Field(..., min_length=1, max_length=60)
    matter_name: str = Field(..., min_length=1, max_length=200)
    uscc: str = Field("", max_length=40)


class EligibilityIn(EligibilityQuery):
    rin: str = Field("", max_length=40,
                     description="Department systems: the person (a RIN is never a URL parameter)")


def _eligibility(viewer: Viewer, query: EligibilityIn) -> dict[str, Any]:
    subject = subject_for_signing(viewer=viewer, uscc=query.uscc, rin=query.rin)
    kind = type_by_code(query.type)
    unit = receiving_unit(code=query.department)
    preview_check(actor=viewer, subject=subject, source_unit=unit)
    preview = commitment_preview(subject=subject, type=kind, source_unit=unit, matter_code=query.matter_code,
                                 matter_name=query.matter_name)
    _log_inquiry(viewer, subject, f"commitment eligibility: {kind.code} {query.matter_code}")
    return {"subject_name": subject.name, "type": kind.code, "matter_code": query.matter_code,
            "eligible": preview.eligibility.eligible, "conditions": preview.eligibility.as_list(),
            "text": preview.text, "text_sha256": preview.text_sha256, "deadline": preview.deadline}


@router.get("/eligibility", response=CommitmentEligibilityOut,
            summary="May the subject (you, or an organization by uscc) make this commitment? Conditions and text")
def eligibility_endpoint(request: HttpRequest, query: Query[EligibilityQuery]) -> dict[str, Any]:
    # The parameters are validated as the body of the POST is (422 on empty or overlong values).
    return _eligibility(viewer_for_request(request), EligibilityIn(**query.dict()))


@router.post("/eligibility", response=CommitmentEligibilityOut,
             summary="The same check with a JSON body (department systems asking about a person by RIN)")
def eligibility_post(request: HttpRequest, body: EligibilityIn) -> dict[str, Any]:
    return _eligibility(viewer_for_request(request), body)


@router.post("", response={201: CommitmentOut}, summary="Sign a commitment for a matter")
def sign_endpoint(request: HttpRequest, body: SignIn) -> Status[dict[str, Any]]:
    viewer = viewer_for_request(request)
    subject = subject_for_signing(viewer=viewer, uscc=body.uscc, rin=body.rin)
    commitment = commitment_sign(
        subject=subject, type=type_by_code(body.type), source_unit=receiving_unit(code=body.department),
        matter_code=body.matter_code, matter_name=body.matter_name, signer_name=body.signer_name,
        accepted=body.accepted, actor=viewer, shown_text_sha256=body.text_sha256, publish=body.publish,
        subject_signature=body.subject_signature, deadline=body.deadline, via_api=True,
    )
    return Status(201, _out(commitment_visible(commitment_id=commitment.pk, viewer=viewer), viewer=viewer, detail=True))


@router.get("", response=list[CommitmentOut],
            summary="Your commitments (subject), your department's queue (operator, system), all (staff)")
def commitments_list(request: HttpRequest, status: str = "", overdue: bool = False, limit: int = 50,
                     offset: int = 0) -> list[dict[str, Any]]:
    viewer = viewer_for_request(request)
    limit = min(max(limit, 1), PAGE_MAX)
    offset = min(max(offset, 0), 100_000)
    if viewer.subject_id is not None and viewer.client_id is None:
        queryset = commitments_of_subject(viewer=viewer)
        if status:
            queryset = queryset.filter(status=status)
    else:
        queryset = commitments_queue(viewer=viewer, status=status, overdue=overdue)
    page = list(queryset[offset:offset + limit])
    verifiers = actors_shown(labels=(c.verified_by_label for c in page), viewer=viewer)
    return [_out(c, viewer=viewer, verifiers=verifiers) for c in page]


@router.get("/statistics", summary="Commitment and instant payout statistics")
def statistics_endpoint(request: HttpRequest) -> dict[str, Any]:
    return commitment_statistics(viewer=viewer_for_request(request))


@router.get("/{int:commitment_id}", response=CommitmentOut, summary="One commitment with its history")
def commitment_detail(request: HttpRequest, commitment_id: int) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    return _out(commitment_visible(commitment_id=commitment_id, viewer=viewer), viewer=viewer, detail=True)


@router.post("/{int:commitment_id}/fulfil", response=CommitmentOut,
             summary="Record that the commitment was kept (the receiving department)")
def fulfil_endpoint(request: HttpRequest, commitment_id: int, body: FulfilIn) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    commitment_fulfil(commitment=commitment_visible(commitment_id=commitment_id, viewer=viewer), actor=viewer,
                      note=body.note)
    return _out(commitment_visible(commitment_id=commitment_id, viewer=viewer), viewer=viewer, detail=True)


@router.post("/{int:commitment_id}/breach", response=CommitmentOut,
             summary="Record that the commitment was false or broken: writes a negative record")
def breach_endpoint(request: HttpRequest, commitment_id: int, body: BreachIn) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    commitment_breach(commitment=commitment_visible(commitment_id=commitment_id, viewer=viewer), actor=viewer,
                      facts=body.facts, handling=body.handling, severity=body.severity)
    return _out(commitment_visible(commitment_id=commitment_id, viewer=viewer), viewer=viewer, detail=True)


def _payout_out(payout: Payout, *, hits: list[dict[str, Any]], repeated: bool) -> dict[str, Any]:
    labels = dict(PayoutReason.choices)
    commitment = payout.commitment
    return {
        "id": payout.pk, "reference": payout.reference, "matter": payout.matter_code,
        "approved": payout.outcome == "approved", "outcome": payout.outcome,
        "amount_requested": payout.amount_requested, "amount_paid": payout.amount_paid,
        "reasons": [{"code": r, "label": str(labels.get(r, r))} for r in payout.reasons],
        "commitment": commitment.number if commitment else None,
        "commitment_status": commitment.status if commitment else None,
        "check_id": payout.check_id, "check_decision": payout.check_decision, "hits": hits, "repeated": repeated,
        "decided_at": payout.created_at,
    }


@router.post("/payouts", response={200: PayoutOut, 201: PayoutOut},
             summary="Instant policy payout: credit check + signed commitment → approval or refusal, in one call")
def payout_endpoint(request: HttpRequest, body: PayoutIn) -> Status[dict[str, Any]]:
    viewer = viewer_for_request(request)
    subject = subject_for_signing(viewer=viewer, uscc=body.uscc, rin=body.rin) if viewer.client_id else None
    if subject is None:
        raise PayoutForbidden()
    payout, check, created = payout_request(subject=subject, matter_code=body.matter, amount=body.amount,
                                            reference=body.reference, actor=viewer, name=body.name)
    hits = check.hits if check is not None else []
    return Status(201 if created else 200, _payout_out(payout, hits=hits, repeated=not created))

