"""Records API at /api/v1/records: the source units' writes (submit = create or correct, revoke) and the
schemas of a shown record.

The reads of this router (a subject's records, one record and its history) disclose, so they are declared
above the store, in access.api, on this same router (one path, GET and POST, is one Django view)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from gongxin.accounts.auth import viewer_auth
from gongxin.accounts.doors import api_viewer
from gongxin.catalog.selectors import item_by_code, source_unit_by_code
from gongxin.records.errors import RecordNotFound, SubjectRequired
from gongxin.records.models import Record
from gongxin.records.permissions import write_check
from gongxin.records.services import record_revoke, record_submit
from gongxin.subjects.services import subject_resolve_or_create

router = Router(tags=["records"], auth=viewer_auth)


class RecordFieldOut(Schema):
    code: str
    label: str
    value: str


class ProvenanceOut(Schema):
    via: str = Field(..., description="How the record came: \"exchange\" (a package of another platform)")
    node: str = Field(..., description="The sending node's division code (GB/T 2260)")
    node_name: str = Field(..., description="Its name as registered here; empty when no longer registered")
    package: str = Field(..., description="The package's GUID")
    received_at: datetime | None = Field(..., description="When the package was received here")


class ExchangedFromOut(Schema):
    node: str = Field(..., description="The division code of the node whose package named the subject")
    node_name: str
    package: str = Field(..., description="The package's GUID")
    at: datetime | None = Field(..., description="When the subject was registered here")


class RecordOut(Schema):
    record_id: int
    item_code: str
    item_name: str
    record_kind: str
    polarity: str
    severity: str
    source_unit_name: str
    legal_basis: str
    decision_date: date | None
    published: bool
    publicity_min_end: date | None
    publicity_max_end: date | None
    retention_end: date | None
    under_objection: bool
    repaired: bool
    status: str
    version: int
    fields: list[RecordFieldOut]
    provenance: ProvenanceOut | None = Field(None, description=(
        "Staff and audit: where the record came from when its first version came by the exchange; else null"))


class RecordListOut(Schema):
    subject_name: str
    purpose: str
    count: int
    records: list[RecordOut]
    exchanged_from: ExchangedFromOut | None = Field(None, description=(
        "Staff and audit: the package that registered the subject here (unknown until then); else null"))


class VersionOut(Schema):
    number: int
    change: str
    status: str
    created_at: datetime
    actor: str = Field(..., description="Who wrote the version: the source unit, or the login for staff and audit")
    reason: str = Field(..., description="Why (internal): staff and audit only, else empty")
    legal_basis: str
    source_unit_name: str
    content_hash: str
    severity: str
    under_objection: bool
    repaired: bool
    publicity_min_end: date | None
    publicity_max_end: date | None
    retention_end: date | None


class SubjectRef(Schema):
    uscc: str | None = None
    rin: str | None = None
    name: str = ""


class RecordSubmitIn(Schema):
    source_unit: str = Field(..., description="Source unit (department) code")
    item: str = Field(..., description="Catalog item code")
    source_record_id: str | None = Field(
        None, max_length=200,
        description="The source's own id; when absent, the item's natural key identifies the record",
    )
    subject: SubjectRef
    payload: dict[str, Any]
    severity: str | None = Field(None, description="Override of the computed severity: minor, general, serious")
    reason: str = ""


class RecordSubmitOut(Schema):
    record_id: int
    outcome: str
    version: int | None


class RecordRevokeIn(Schema):
    reason: str = Field(..., min_length=1)


@router.post("", response={200: RecordSubmitOut, 201: RecordSubmitOut}, summary="Submit a record (create or correct)")
def record_submit_endpoint(request: HttpRequest, body: RecordSubmitIn) -> Status[dict[str, Any]]:
    viewer = api_viewer(request)
    source_unit = source_unit_by_code(body.source_unit)
    item = item_by_code(body.item)
    if not body.subject.uscc and not body.subject.rin:
        raise SubjectRequired()
    # Checked before the subject is resolved, so that an outsider cannot register subjects on the fly.
    write_check(viewer=viewer, source_unit=source_unit, item=item)
    subject = subject_resolve_or_create(
        uscc=body.subject.uscc, rin=body.subject.rin, name=body.subject.name, actor_label=viewer.label
    )
    result = record_submit(
        source_unit=source_unit, item=item, source_record_id=body.source_record_id, subject=subject,
        payload=body.payload, actor=viewer, severity=body.severity, reason=body.reason,
    )
    status = 201 if result.outcome == "created" else 200
    number = result.version.number if result.version else None
    return Status(status, {"record_id": result.record.pk, "outcome": result.outcome, "version": number})


@router.post("/{int:record_id}/revoke", response=RecordSubmitOut, summary="Revoke a record")
def record_revoke_endpoint(request: HttpRequest, record_id: int, body: RecordRevokeIn) -> dict[str, Any]:
    viewer = api_viewer(request)
    record = Record.objects.select_related("source_unit", "catalog_item").filter(pk=record_id).first()
    if record is None:
        raise RecordNotFound()
    version = record_revoke(record=record, actor=viewer, reason=body.reason)
    return {"record_id": record.pk, "outcome": "revoked", "version": version.number}
