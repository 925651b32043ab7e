"""Ingest API (mounted at /api/v1/ingest): upload a file as a batch, push records, follow batches, read
their error reports, and data quality. Thin: each endpoint parses, calls one service or selector, shapes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from gongxin.accounts.auth import viewer_auth
from gongxin.accounts.doors import api_viewer
from gongxin.catalog.models import CatalogItem, SourceUnit
from gongxin.catalog.selectors import item_by_code, source_unit_by_code
from gongxin.ingest.models import Batch
from gongxin.ingest.selectors import Quality, batches_visible, quality_by_unit_and_item
from gongxin.ingest.services import (
    PUSH_LIMIT,
    batch_get,
    batch_push,
    batch_snapshot_cancel,
    batch_snapshot_confirm,
    batch_upload,
    error_report_rows,
)

router = Router(tags=["ingest"], auth=viewer_auth)
# Past any batch's rows; larger offsets would overflow the database's integers (422 instead).
OFFSET_MAX = 100_000_000


class BatchOut(Schema):
    id: int
    source_unit: str = Field(..., description="department code of the source unit")
    item: str
    channel: str
    status: str
    file_name: str
    file_format: str
    encoding: str
    rows_done: int
    received: int
    inserted: int
    corrected: int
    unchanged: int
    revoked: int
    duplicate: int
    rejected: int
    flagged: int
    failure: str
    snapshot: bool = Field(..., description="a full snapshot of (source unit, item): records it no longer names "
                                            "are revoked once confirmed")
    missing: int = Field(..., description="records in force the snapshot no longer names (revoked on confirm)")
    snapshot_plan: dict[str, Any] | None = Field(
        None, description="active, missing, share, limit (over it: held for review), decision, by, at")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_seconds: float | None
    error_report_url: str


class IssueOut(Schema):
    row: int
    level: str
    column: str
    value: str
    code: str
    reason: str
    reason_en: str


class RowResultIssue(Schema):
    column: str
    code: str
    level: str
    reason: str
    reason_en: str


class RowResult(Schema):
    row: int = Field(..., description="1-based position of the record in the request")
    outcome: str = Field(..., description="inserted, corrected, unchanged, revoked, duplicate or rejected")
    record_id: int | None
    issues: list[RowResultIssue]


class PushIn(Schema):
    source_unit: str = Field(..., description="department code of the source unit")
    item: str = Field(..., description="catalog item code")
    idempotency_key: str = Field("", max_length=200,
                                 description="repeat a push with the same key and nothing is loaded twice")
    records: list[dict[str, Any]] = Field(
        ..., description=f"at most {PUSH_LIMIT} records; keys are field codes or Chinese labels, plus optional "
                         "source_record_id, revoked (true withdraws the record) and severity",
    )


class PushOut(Schema):
    batch: BatchOut
    results: list[RowResult]


class CompletenessOut(Schema):
    field: str
    label: str
    share: float


class QualityOut(Schema):
    source_unit_id: int
    source_unit_name: str
    item_code: str
    item_name: str
    batches: int
    received: int
    loaded: int
    rejected: int
    rejection_rate: float
    rejections_by_reason: dict[str, int]
    volume_by_month: dict[str, int]
    mean_lag_working_days: float | None
    late_share: float | None
    lag_buckets: dict[str, int]
    completeness: list[CompletenessOut]


def _batch_out(batch: Batch) -> dict[str, Any]:
    return {
        "id": batch.pk, "source_unit": batch.source_unit.department.code, "item": batch.catalog_item.code,
        "channel": batch.channel, "status": batch.status, "file_name": batch.file_shown,
        "file_format": batch.file_format, "encoding": batch.encoding, "rows_done": batch.rows_done,
        "received": batch.received, "inserted": batch.inserted, "corrected": batch.corrected,
        "unchanged": batch.unchanged, "revoked": batch.revoked, "duplicate": batch.duplicate,
        "rejected": batch.rejected, "flagged": batch.flagged, "failure": batch.failure,
        "snapshot": batch.snapshot, "missing": batch.missing, "snapshot_plan": _plan_out(batch.snapshot_plan),
        "created_at": batch.created_at, "started_at": batch.started_at, "finished_at": batch.finished_at,
        "duration_seconds": batch.duration_seconds, "error_report_url": f"/api/v1/ingest/batches/{batch.pk}/errors.csv",
    }


def _plan_out(plan: dict[str, Any] | None) -> dict[str, Any] | None:
    if not plan:
        return None
    return {key: plan[key] for key in ("active", "missing", "share", "limit", "held", "decision", "by", "at")
            if key in plan}


def _unit_and_item(source_unit: str, item: str) -> tuple[SourceUnit, CatalogItem]:
    return source_unit_by_code(source_unit), item_by_code(item)


@router.post("/batches", response={202: BatchOut}, summary="Upload a file as a batch (runs in the background)")
def batch_upload_endpoint(request: HttpRequest, source_unit: Form[str], item: Form[str],
                          file: File[UploadedFile], snapshot: Form[bool] = False) -> Status[dict[str, Any]]:
    """multipart/form-data: ``source_unit`` (department code), ``item`` (catalog item code) and ``file``
    (CSV in UTF-8/GBK/GB18030, .xlsx, or JSON Lines); ``snapshot=true`` when the file is the full snapshot of
    the unit's records of the item (records it no longer names are revoked once confirmed:
    ``POST /batches/{id}/confirm``). Follow the batch at ``GET /batches/{id}``."""
    viewer = api_viewer(request)
    unit, found = _unit_and_item(source_unit, item)
    batch = batch_upload(source_unit=unit, item=found, upload=file, actor=viewer, snapshot=snapshot)
    batch.refresh_from_db()
    return Status(202, _batch_out(batch))


@router.get("/batches", response=list[BatchOut], summary="Batches the caller may see, newest first")
def batches_list(request: HttpRequest, source_unit: str = "", item: str = "", status: str = "",
                 limit: int = Query(50, ge=1, le=500),
                 offset: int = Query(0, ge=0, le=OFFSET_MAX)) -> list[dict[str, Any]]:
    batches = batches_visible(viewer=api_viewer(request))
    if source_unit:
        batches = batches.filter(source_unit__department__code=source_unit)
    if item:
        batches = batches.filter(catalog_item__code=item)
    if status:
        batches = batches.filter(status=status)
    return [_batch_out(b) for b in batches[offset:offset + limit]]


@router.get("/batches/{int:batch_id}", response=BatchOut, summary="One batch: status, progress and counts")
def batch_detail(request: HttpRequest, batch_id: int) -> dict[str, Any]:
    return _batch_out(batch_get(batch_id=batch_id, viewer=api_viewer(request)))


@router.post("/batches/{int:batch_id}/confirm", response={202: BatchOut},
             summary="Confirm a snapshot: revoke the records it no longer names (in the background)")
def batch_confirm(request: HttpRequest, batch_id: int) -> Status[dict[str, Any]]:
    """A snapshot awaiting confirmation: the source unit's operators and systems; one held for review (over the
    policy's share): the credit office. 409 ``ingest.snapshot_not_awaiting`` otherwise."""
    batch = batch_snapshot_confirm(batch_id=batch_id, actor=api_viewer(request))
    return Status(202, _batch_out(batch))


@router.post("/batches/{int:batch_id}/cancel", response=BatchOut,
             summary="Cancel a snapshot's revocations: its rows stay loaded, no record is revoked")
def batch_cancel(request: HttpRequest, batch_id: int) -> dict[str, Any]:
    return _batch_out(batch_snapshot_cancel(batch_id=batch_id, actor=api_viewer(request)))


@router.get("/batches/{int:batch_id}/issues", response=list[IssueOut], summary="Rejected and flagged rows")
def batch_issues(request: HttpRequest, batch_id: int, level: str = "", code: str = "",
                 limit: int = Query(100, ge=1, le=1000),
                 offset: int = Query(0, ge=0, le=OFFSET_MAX)) -> list[dict[str, Any]]:
    batch = batch_get(batch_id=batch_id, viewer=api_viewer(request))
    issues = batch.issues.order_by("row_number", "pk")
    if level:
        issues = issues.filter(level=level)
    if code:
        issues = issues.filter(code=code)
    return [{"row": i.row_number, "level": i.level, "column": i.column, "value": i.value, "code": i.code,
             "reason": i.reason_zh, "reason_en": i.reason_en} for i in issues[offset:offset + limit]]


def error_report_response(batch: Batch) -> StreamingHttpResponse:
    def lines() -> Iterator[str]:
        yield "\ufeff"  # Excel opens UTF-8 CSV correctly only with a BOM
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in error_report_rows(batch):
            writer.writerow(row)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="batch-{batch.pk}-errors.csv"'
    return response


@router.get("/batches/{int:batch_id}/errors.csv", summary="The error report as CSV (row, column, value, reasons)",
            response={200: None})
def batch_error_report(request: HttpRequest, batch_id: int) -> StreamingHttpResponse:
    return error_report_response(batch_get(batch_id=batch_id, viewer=api_viewer(request)))


@router.post("/push", response=PushOut, summary="Push up to 10,000 records; per-row results")
def push(request: HttpRequest, body: PushIn) -> dict[str, Any]:
    viewer = api_viewer(request)
    unit, found = _unit_and_item(body.source_unit, body.item)
    batch = batch_push(source_unit=unit, item=found, records=body.records, idempotency_key=body.idempotency_key,
                       actor=viewer)
    return {"batch": _batch_out(batch), "results": batch.results or []}


def quality_out(quality: Quality) -> dict[str, Any]:
    return {
        "source_unit_id": quality.source_unit_id, "source_unit_name": quality.source_unit_name,
        "item_code": quality.item_code, "item_name": quality.item_name, "batches": quality.batches,
        "received": quality.received, "loaded": quality.loaded, "rejected": quality.rejected,
        "rejection_rate": quality.rejection_rate, "rejections_by_reason": quality.rejections_by_reason,
        "volume_by_month": dict(quality.volume_series()), "mean_lag_working_days": quality.mean_lag_working_days,
        "late_share": quality.late_share, "lag_buckets": quality.lag_buckets,
        "completeness": quality.completeness(),
    }


@router.get("/quality", response=list[QualityOut], summary="Data quality per source unit and catalog item")
def quality(request: HttpRequest, source_unit: str = "", item: str = "", since: date | None = None) -> list[Any]:
    unit_id = None
    if source_unit:
        unit_id = source_unit_by_code(source_unit).pk
    rows = quality_by_unit_and_item(viewer=api_viewer(request), source_unit_id=unit_id, item_code=item or None,
                                    since=since)
    return [quality_out(q) for q in rows]
