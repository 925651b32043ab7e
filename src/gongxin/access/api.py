"""Consents, inquiries and record reads API (thin: parse, call one service or selector, shape the output).

Mounted at /api/v1/consents (``router``) and /api/v1/inquiries (``inquiries_router``). A subject (a
signed-in person or organization agent) grants and revokes consents and reads its inquiry log; a
requester lists the consents it received and queries a subject's non-public records under one.
Persons are named by RIN only in request bodies, never in a URL. The reads of /api/v1/records (a
subject's records, one record, its history) are declared here too, on the records router.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from gongxin.access.choices import Channel
from gongxin.access.consents import consent_grant, consent_grantee_shown, consent_revoke
from gongxin.access.errors import NoSubject
from gongxin.access.models import Consent, Inquiry
from gongxin.access.queries import records_query
from gongxin.access.selectors import (
    consent_by_id,
    consent_grantee_find,
    consent_grantee_kind,
    consent_of_subject,
    consent_state,
    consents_of,
    consents_received,
    inquiries_visible,
)
from gongxin.access.shown import (
    ShownRecord,
    profile_records,
    record_shown,
    record_versions,
    records_origin,
    subject_origin,
)
from gongxin.accounts.actors import actors_annotate
from gongxin.accounts.auth import viewer_auth
from gongxin.accounts.capabilities import decides_for_office
from gongxin.accounts.doors import api_viewer, viewer_for_request
from gongxin.accounts.viewer import Viewer
from gongxin.core.provenance import Provenance
from gongxin.records.api import RecordListOut, RecordOut, VersionOut
from gongxin.records.api import router as records_router
from gongxin.records.choices import Purpose
from gongxin.subjects.errors import SubjectNotFound
from gongxin.subjects.models import Subject
from gongxin.subjects.selectors import subject_by_uscc, subject_display_code

router = Router(tags=["consents"], auth=viewer_auth)
inquiries_router = Router(tags=["inquiries"], auth=viewer_auth)

PAGE_MAX = 100
OFFSET_MAX = 100_000  # deeper pages are not served (keeps the SQL offset within 64-bit integers)


class ConsentIn(Schema):
    grantee_username: str = Field("", max_length=150, description="The requester's user name (a person's account)")
    grantee_client: str = Field("", max_length=12, description="The requester's API client, by its key prefix")
    grantee_department: str = Field("", max_length=40, description="The requester's department, by its code")
    purpose: str = Field(..., min_length=1, max_length=200)
    scope: list[str] = Field(default_factory=list,
                             description="Catalog item codes; empty: every item up to the authorized level")
    valid_until: datetime = Field(..., description="End of the consent; in the future, at most one year ahead")


class ConsentOut(Schema):
    id: int
    subject_name: str
    subject_code: str
    grantee_kind: str
    grantee_label: str
    purpose: str
    scope: list[str]
    valid_from: datetime
    valid_until: datetime
    granted_at: datetime
    revoked_at: datetime | None
    revoked_reason: str
    state: str


class ConsentRevokeIn(Schema):
    reason: str = Field("", max_length=1000)


class QueryIn(Schema):
    rin: str = Field("", max_length=30, description="A person's resident identity number")
    uscc: str = Field("", max_length=30, description="An organization's unified social credit code")
    purpose: Literal["authorized", "sharing"] = "authorized"
    reason: str = Field("", max_length=300, description="Why the requester queries (shown to the subject)")


class ConsentRef(Schema):
    id: int
    purpose: str
    scope: list[str]
    valid_until: datetime


class QueryOut(Schema):
    subject_name: str
    subject_code: str = Field(..., description="The USCC, or the person's RIN masked")
    purpose: str
    consent: ConsentRef | None
    count: int
    records: list[RecordOut]


class InquiryOut(Schema):
    id: int
    created_at: datetime
    requester: str
    purpose: str
    purpose_label: str
    reason: str
    channel: str
    channel_label: str
    consent_id: int | None
    consent_purpose: str | None
    records_shown: int


class InquiryPage(Schema):
    subject_name: str
    total: int
    limit: int
    offset: int
    items: list[InquiryOut]


def _own_subject(viewer: Viewer) -> Subject:
    if viewer.subject_id is None:
        raise NoSubject()
    return Subject.objects.select_related("organization", "person").get(pk=viewer.subject_id)


def _consent_out(consent: Consent, *, viewer: Viewer) -> dict[str, Any]:
    subject = consent.subject
    return {
        "id": consent.pk,
        "subject_name": subject.name,
        "subject_code": subject_display_code(subject=subject, viewer=viewer),
        "grantee_kind": consent_grantee_kind(consent),
        "grantee_label": consent_grantee_shown(consent=consent, viewer=viewer),
        "purpose": consent.purpose,
        "scope": list(consent.scope),
        "valid_from": consent.valid_from,
        "valid_until": consent.valid_until,
        "granted_at": consent.granted_at,
        "revoked_at": consent.revoked_at,
        "revoked_reason": consent.revoked_reason,
        "state": consent_state(consent),
    }


@router.post("", response={201: ConsentOut}, summary="Grant a consent (the subject itself)")
def consent_grant_endpoint(request: HttpRequest, body: ConsentIn) -> Status[dict[str, Any]]:
    viewer = viewer_for_request(request)
    subject = _own_subject(viewer)
    grantee = consent_grantee_find(username=body.grantee_username, client_key_prefix=body.grantee_client,
                                   department_code=body.grantee_department)
    consent = consent_grant(
        subject=subject, grantee_user=grantee.user, grantee_client=grantee.client,
        grantee_department=grantee.department, purpose=body.purpose, scope=body.scope,
        valid_until=body.valid_until, actor=viewer,
    )
    consent.subject = subject
    return Status(201, _consent_out(consent, viewer=viewer))


@router.get("", response=list[ConsentOut], summary="The consents the signed-in subject has granted")
def consents_granted(request: HttpRequest) -> list[dict[str, Any]]:
    viewer = viewer_for_request(request)
    subject = _own_subject(viewer)
    consents = list(consents_of(subject_id=subject.pk))
    for consent in consents:
        consent.subject = subject
    return [_consent_out(c, viewer=viewer) for c in consents]


@router.get("/received", response=list[ConsentOut], summary="The consents naming the caller as requester")
def consents_received_endpoint(request: HttpRequest) -> list[dict[str, Any]]:
    viewer = viewer_for_request(request)
    return [_consent_out(c, viewer=viewer) for c in consents_received(viewer=viewer)]


@router.post("/{int:consent_id}/revoke", response=ConsentOut, summary="Revoke a consent")
def consent_revoke_endpoint(request: HttpRequest, consent_id: int, body: ConsentRevokeIn) -> dict[str, Any]:
    viewer = viewer_for_request(request)
    if decides_for_office(viewer):
        consent = consent_by_id(consent_id=consent_id)
    else:
        consent = consent_of_subject(consent_id=consent_id, subject_id=_own_subject(viewer).pk)
    consent = consent_revoke(consent=consent, actor=viewer, reason=body.reason)
    return _consent_out(consent, viewer=viewer)


@router.post("/query", response=QueryOut, summary="Query a subject's non-public records (authorized or sharing)")
def consent_query(request: HttpRequest, body: QueryIn) -> dict[str, Any]:
    """Name the subject by ``uscc`` or ``rin`` (never in a URL). ``authorized`` needs an active consent
    of the subject naming the caller (``disclosure.consent_required`` otherwise) and shows only the
    items in its scope; ``sharing`` is for government clients with ``records:share``. Every query is
    logged in the subject's inquiry log."""
    viewer = viewer_for_request(request)
    result = records_query(viewer=viewer, purpose=body.purpose, reason=body.reason, rin=body.rin, uscc=body.uscc)
    consent = result.consent
    return {
        "subject_name": result.subject.name,
        "subject_code": result.subject_code,
        "purpose": result.purpose,
        "consent": (
            {"id": consent.pk, "purpose": consent.purpose, "scope": list(consent.scope),
             "valid_until": consent.valid_until}
            if consent is not None else None
        ),
        "count": len(result.records),
        "records": result.records,
    }


def _inquiry_out(inquiry: Inquiry) -> dict[str, Any]:
    return {
        "id": inquiry.pk,
        "created_at": inquiry.created_at,
        "requester": inquiry.actor_shown,  # accounts.actors: the department, not a login, but to the office
        "purpose": inquiry.purpose,
        "purpose_label": str(Purpose(inquiry.purpose).label) if inquiry.purpose in Purpose.values else inquiry.purpose,
        "reason": inquiry.reason,
        "channel": inquiry.channel,
        "channel_label": inquiry.get_channel_display(),
        "consent_id": inquiry.consent_id,
        "consent_purpose": inquiry.consent.purpose if inquiry.consent is not None else None,
        "records_shown": inquiry.records_shown,
    }


@inquiries_router.get("", response=InquiryPage, summary="A subject's inquiry log: who queried it, when and why")
def inquiries_list(request: HttpRequest, subject: str = "", limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """The signed-in subject's own log, newest first. Credit office staff and auditors may pass
    ``subject`` (an organization's USCC) to read another subject's log."""
    viewer = viewer_for_request(request)
    if subject:
        target = subject_by_uscc(subject)
        if target is None:
            raise SubjectNotFound()
    else:
        target = _own_subject(viewer)
    limit = max(1, min(limit, PAGE_MAX))
    offset = min(max(0, offset), OFFSET_MAX)
    log = inquiries_visible(viewer=viewer, subject_id=target.pk)
    return {
        "subject_name": target.name,
        "total": log.count(),
        "limit": limit,
        "offset": offset,
        "items": [_inquiry_out(i) for i in actors_annotate(items=log[offset:offset + limit], viewer=viewer,
                                                           subject_id=target.pk, field="viewer_label")],
    }


def _provenance_out(origin: Provenance | None) -> dict[str, Any] | None:
    if origin is None:
        return None
    return {"via": origin.via, "node": origin.node, "node_name": origin.node_name, "package": origin.package,
            "received_at": origin.at}


def _exchanged_from_out(origin: Provenance | None) -> dict[str, Any] | None:
    if origin is None:
        return None
    return {"node": origin.node, "node_name": origin.node_name, "package": origin.package, "at": origin.at}


def _records_out(shown: list[ShownRecord], *, purpose: str) -> list[dict[str, Any]]:
    """The records with their provenance (staff and audit; null otherwise)."""
    origins = records_origin(record_ids=[r.record_id for r in shown], purpose=purpose)
    return [{**asdict(r), "provenance": _provenance_out(origins.get(r.record_id))} for r in shown]


# The reads of /api/v1/records disclose, so they are declared here, above the store, on the records router
# (records.api holds the source units' writes on the same paths: one path answers GET and POST in one view).
@records_router.get("", response=RecordListOut, summary="A subject's records, as the caller may see them")
def records_of_subject(
    request: HttpRequest, subject: str, purpose: Purpose = Purpose.PUBLIC, reason: str = ""
) -> dict[str, Any]:
    """``subject`` is an organization's USCC. ``purpose`` decides what is disclosed (access.disclosure):
    public for anyone; self for the subject's own agent; sharing for government clients; staff, audit."""
    viewer = api_viewer(request)
    target = subject_by_uscc(subject)
    if target is None:
        raise SubjectNotFound()
    shown: list[ShownRecord] = profile_records(subject=target, viewer=viewer, purpose=purpose, channel=Channel.API,
                                               reason=reason[:300])
    return {"subject_name": target.name, "purpose": purpose, "count": len(shown),
            "records": _records_out(shown, purpose=purpose),
            "exchanged_from": _exchanged_from_out(subject_origin(subject_id=target.pk, purpose=purpose))}


@records_router.get("/mine", response=RecordListOut, summary="The signed-in subject's own records")
def records_mine(request: HttpRequest) -> dict[str, Any]:
    viewer = api_viewer(request)
    if viewer.subject_id is None:
        raise SubjectNotFound()
    target = Subject.objects.get(pk=viewer.subject_id)
    shown = profile_records(subject=target, viewer=viewer, purpose=Purpose.SELF, channel=Channel.API)
    return {"subject_name": target.name, "purpose": Purpose.SELF, "count": len(shown), "records": shown}


@records_router.get("/{int:record_id}", response=RecordOut, summary="One record")
def record_detail(request: HttpRequest, record_id: int, purpose: Purpose = Purpose.PUBLIC) -> dict[str, Any]:
    shown = record_shown(record_id=record_id, viewer=api_viewer(request), purpose=purpose)
    return _records_out([shown], purpose=purpose)[0]


@records_router.get("/{int:record_id}/versions", response=list[VersionOut], summary="A record's history")
def record_history(request: HttpRequest, record_id: int, purpose: Purpose = Purpose.STAFF) -> list[Any]:
    return record_versions(record_id=record_id, viewer=api_viewer(request), purpose=purpose)
