"""Batches: create from an upload, a local file or an API push; run (and resume); revoke through rows.

A batch belongs to one source unit and one catalog item; only that unit's operators (and its API
clients with ``records:write``) create one — the same rule as every record write
(``records.permissions.write_check``). Uploads run in the background (``ingest.tasks``); ``gongxin ingest``
runs in the foreground with progress; pushes run in the request (at most 10,000 records).
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gongxin.accounts.capabilities import decides_for_office, is_office, writes_for_unit
from gongxin.accounts.choices import Role
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.models import CatalogItem, SourceUnit
from gongxin.core import clock
from gongxin.core.errors import GongxinError
from gongxin.core.files import upload_sha256
from gongxin.core.models import OutboxEvent
from gongxin.core.tabular import cell_defuse
from gongxin.ingest import parsing, snapshot
from gongxin.ingest.choices import BatchChannel, BatchStatus, FileFormat
from gongxin.ingest.errors import (
    BatchNotFound,
    BatchNotYours,
    BatchTakenOver,
    FileRefused,
    IdempotencyKeyReused,
    NulCharacter,
    PushEmpty,
    PushTooLarge,
    SnapshotHeldForReview,
    SnapshotNotAwaiting,
    UploadTooLarge,
)
from gongxin.ingest.load import CHUNK_SIZE, BatchLoader
from gongxin.ingest.locking import batch_claim, batch_interrupted_mark, batch_release, chunk_lock
from gongxin.ingest.models import Batch
from gongxin.records.load import records_revoke_bulk
from gongxin.records.models import Record, RecordVersion
from gongxin.records.permissions import write_check

logger = logging.getLogger(__name__)

PUSH_LIMIT = 10_000
# Files larger than this are read and checked in a forked process while this one writes (ingest.load).
READER_PROCESS_MIN_BYTES = 1 << 20


def _sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def batch_visible_check(*, batch: Batch, viewer: Viewer) -> None:
    if is_office(viewer) or writes_for_unit(viewer, source_unit_id=batch.source_unit_id):
        return
    raise BatchNotYours()


def batch_upload(*, source_unit: SourceUnit, item: CatalogItem, upload: UploadedFile, actor: Viewer,
                 snapshot: bool = False) -> Batch:
    """Store an uploaded file as a queued batch and run it in the background once committed. With ``snapshot``
    the file is the full snapshot of (unit, item): records it no longer names are revoked once confirmed.

    Refused at once, with nothing kept: a file over ``GONGXIN_INGEST_MAX_UPLOAD_BYTES``, one that cannot be
    read or lacks required columns, an .xlsx that would unpack too large (``FileRefused``)."""
    write_check(viewer=actor, source_unit=source_unit, item=item)
    limit = settings.GONGXIN_INGEST_MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise UploadTooLarge(details={"limit_bytes": limit, "received_bytes": upload.size})
    digest = upload_sha256(upload)
    batch = Batch(
        source_unit=source_unit, catalog_item=item, channel=BatchChannel.UPLOAD, status=BatchStatus.QUEUED,
        file_name=(upload.name or "upload")[:255], file_sha256=digest, actor_id=actor.user_id,
        actor_label=actor.label, created_at=clock.now(), snapshot=snapshot,
    )
    batch.file.save(Path(upload.name or "upload").name, upload, save=False)
    try:
        table = parsing.table_open(Path(batch.file.path), item=item, name=batch.file_name)
        table.close()
        batch.file_format, batch.encoding = table.file_format, table.encoding
        with transaction.atomic():
            batch.save()
            transaction.on_commit(lambda: _enqueue(batch.pk))
    except BaseException:
        batch.file.delete(save=False)
        raise
    return batch


def _enqueue(batch_id: int) -> None:
    from gongxin.ingest.tasks import batch_run_task

    batch_run_task.enqueue(batch_id)


def batch_for_file(*, path: Path, source_unit: SourceUnit, item: CatalogItem, actor: Viewer,
                   snapshot: bool = False) -> Batch:
    """The batch that loads a local file: the unfinished batch of the same file (resumed; a snapshot awaiting
    its decision is returned as it is), or a new one."""
    write_check(viewer=actor, source_unit=source_unit, item=item)
    digest = _sha256_of(path)
    unfinished = Batch.objects.filter(
        source_unit=source_unit, catalog_item=item, file_sha256=digest, snapshot=snapshot,
        status__in=[BatchStatus.QUEUED, BatchStatus.RUNNING, BatchStatus.FAILED, *_DECIDING],
    ).exclude(snapshot_plan__decision__in=_ENDED).order_by("-pk").first()
    if unfinished is not None:
        return unfinished
    return Batch.objects.create(
        source_unit=source_unit, catalog_item=item, channel=BatchChannel.COMMAND, status=BatchStatus.QUEUED,
        file_name=str(path)[:255], file_sha256=digest, actor_id=actor.user_id, actor_label=actor.label,
        created_at=clock.now(), snapshot=snapshot,
    )


# A snapshot whose missing records wait for a decision: confirm or cancel.
_DECIDING = (BatchStatus.AWAITING, BatchStatus.HELD)
# A failed snapshot that is never run again (its stage is dropped): its file was refused, a newer snapshot of
# the unit and item superseded it, or ``gongxin ingest cleanup`` found it failed for longer than allowed.
_ENDED = ("abandoned", "superseded")


def batch_run(*, batch_id: int, path: Path | None = None, actor: Viewer | None = None,
              progress: Callable[[int], None] | None = None, chunk_size: int | None = None) -> Batch:
    """Run (or resume) a batch from its file; rows committed by an earlier run are skipped.

    One run at a time: a batch a live run holds is refused with ``BatchRunning`` (ingest.locking). A file
    that cannot be loaded fails the batch with the reason (an uploaded one is removed: it is refused);
    rows never fail a batch, they are rejected one by one."""
    batch = Batch.objects.select_related("source_unit", "catalog_item").get(pk=batch_id)
    if batch.status == BatchStatus.DONE or batch.status in _DECIDING:
        return batch
    if batch.snapshot and (batch.snapshot_plan or {}).get("decision") in _ENDED:
        return batch  # its stage is gone: resuming it would count every skipped row's record as missing
    token = batch_claim(batch=batch)
    if token is None:  # finished by another run meanwhile
        batch.refresh_from_db()
        return batch
    try:
        _run_claimed(batch, token, path=path, actor=actor, progress=progress, chunk_size=chunk_size)
    finally:
        batch_release(batch_id=batch.pk)
    if batch.status == BatchStatus.DONE:
        _statistics_refresh(batch)
    return batch


def _run_claimed(batch: Batch, token: str, *, path: Path | None, actor: Viewer | None,
                 progress: Callable[[int], None] | None, chunk_size: int | None) -> None:
    source = path or (Path(batch.file.path) if batch.file else Path(batch.file_name))
    runner = actor or Viewer(label=batch.actor_label, role=Role.OPERATOR, user_id=batch.actor_id,
                             department_id=batch.source_unit_id)
    if batch.started_at is None:
        batch.started_at = clock.now()
        Batch.objects.filter(pk=batch.pk).update(started_at=batch.started_at)
    confirmed = (batch.snapshot_plan or {}).get("decision") == "confirmed"
    try:
        if not confirmed:  # a confirmed snapshot has read its file: only its revocations are left
            table = parsing.table_open(source, item=batch.catalog_item, name=batch.file_name)
            table.close()
            Batch.objects.filter(pk=batch.pk).update(file_format=table.file_format, encoding=table.encoding)
            batch.file_format, batch.encoding = table.file_format, table.encoding
            loader = BatchLoader(batch=batch, actor=runner, owner=token, chunk_size=chunk_size or CHUNK_SIZE)
            in_worker = settings.GONGXIN_INGEST_READER_PROCESS and source.stat().st_size > READER_PROCESS_MIN_BYTES
            loader.load_file(source, name=batch.file_name, skip=batch.rows_done, in_worker=in_worker,
                             progress=progress)
        if batch.snapshot and _snapshot_finish(batch, token, runner, confirmed=confirmed):
            return
    except BatchTakenOver:
        batch.refresh_from_db()
        raise
    except FileRefused as exc:
        _fail(batch, exc.as_dict(), token)
        if batch.snapshot:  # the same file is refused again: the batch has failed for good
            _snapshot_abandon(batch, decision="abandoned", reason=exc.code)
        if batch.channel == BatchChannel.UPLOAD and batch.file:
            batch.file.delete(save=False)  # a refused upload is not kept
            Batch.objects.filter(pk=batch.pk).update(file="")
        return
    except GongxinError as exc:
        _fail(batch, exc.as_dict(), token)
        return
    except BaseException as exc:
        logger.exception("batch %s failed", batch.pk)
        _fail(batch, {"code": "internal_error", "message": str(exc)}, token)
        raise
    Batch.objects.filter(pk=batch.pk, owner=token).update(status=BatchStatus.DONE, finished_at=clock.now())
    batch.refresh_from_db()


def _snapshot_finish(batch: Batch, token: str, runner: Viewer, *, confirmed: bool) -> bool:
    """A snapshot's file is read: revoke its missing records when confirmed; else count them and, when there
    are any, leave the batch awaiting confirmation (or held for review, over the policy's share). True when
    the batch now waits for that decision."""
    if confirmed:
        if snapshot.stage_exists(batch.pk):  # else revoked and dropped by a run that died just before the end
            _snapshot_revoke(batch, token, runner)
            snapshot.stage_drop(batch.pk)
        return False
    plan = snapshot.plan_compute(batch_id=batch.pk, unit_id=batch.source_unit_id, item_id=batch.catalog_item_id,
                                 day=clock.today())
    _snapshots_supersede(batch)
    if not plan["missing"]:
        Batch.objects.filter(pk=batch.pk, owner=token).update(missing=0, snapshot_plan=plan)
        snapshot.stage_drop(batch.pk)
        return False
    status = BatchStatus.HELD if plan["held"] else BatchStatus.AWAITING
    Batch.objects.filter(pk=batch.pk, owner=token).update(status=status, missing=plan["missing"],
                                                           snapshot_plan=plan, heartbeat_at=clock.now())
    batch.refresh_from_db()
    return True


def _snapshots_supersede(batch: Batch) -> None:
    """Earlier snapshots of the same unit and item still waiting for a decision are cancelled: this one is newer
    (confirming an older one would revoke what this one names)."""
    older = Batch.objects.filter(source_unit_id=batch.source_unit_id, catalog_item_id=batch.catalog_item_id,
                                 snapshot=True, pk__lt=batch.pk)
    for earlier in older.filter(status=BatchStatus.FAILED).exclude(snapshot_plan__decision__in=_ENDED):
        _snapshot_abandon(earlier, decision="superseded", reason="superseded", by_batch=batch.pk)
    for earlier in older.filter(status__in=_DECIDING):
        plan = {**(earlier.snapshot_plan or {}), "decision": "superseded", "by_batch": batch.pk,
                "at": clock.now().isoformat()}
        if Batch.objects.filter(pk=earlier.pk, status=earlier.status).update(
                status=BatchStatus.DONE, snapshot_plan=plan, finished_at=clock.now()):
            snapshot.stage_drop(earlier.pk)


def _snapshot_abandon(batch: Batch, *, decision: str, reason: str, by_batch: int | None = None) -> bool:
    """A failed snapshot ends for good: its stage is dropped and it is never run again (``_ENDED``); the same
    file sent again is a new batch. False when the batch was no longer failed (a run took it meanwhile)."""
    plan = {**(batch.snapshot_plan or {}), "decision": decision, "reason": reason, "at": clock.now().isoformat()}
    if by_batch is not None:
        plan["by_batch"] = by_batch
    with transaction.atomic():
        if not Batch.objects.filter(pk=batch.pk, status=BatchStatus.FAILED).update(snapshot_plan=plan):
            return False
        snapshot.stage_drop(batch.pk)
    batch.snapshot_plan = plan
    return True


# A failed snapshot batch keeps its stage this many days for a resume; ``gongxin ingest cleanup`` then ends it.
STAGE_KEEP_FAILED_DAYS = 7


@dataclass(frozen=True)
class StageDropped:
    batch_id: int
    table: str
    reason: str  # "no_batch", "finished", "ended" (abandoned or superseded), "failed_long_ago"


def snapshot_stages_cleanup(*, failed_days: int = STAGE_KEEP_FAILED_DAYS, dry_run: bool = False) -> list[StageDropped]:
    """Drop the stages (``ingest_snapshot_<batch id>``) no batch will read again: of a batch that is gone or
    finished, of a failed snapshot that has ended for good, and of one failed more than ``failed_days`` days
    ago (ended now: never resumed, the same file sent again is a new batch). Stages of batches queued, running,
    awaiting a decision, or failed recently (resumable) are kept. ``gongxin ingest cleanup``."""
    dropped: list[StageDropped] = []
    stages = snapshot.stages_list()
    batches = Batch.objects.in_bulk(list(stages))
    cutoff = clock.now() - timedelta(days=failed_days)
    for batch_id, table in sorted(stages.items()):
        batch = batches.get(batch_id)
        if batch is not None and batch.status == BatchStatus.RUNNING:
            batch_interrupted_mark(batch=batch)  # a dead run's batch is failed (and resumable) from now on
        if batch is None:
            reason = "no_batch"
        elif batch.status == BatchStatus.DONE:
            reason = "finished"
        elif batch.status != BatchStatus.FAILED:
            continue
        elif (batch.snapshot_plan or {}).get("decision") in _ENDED:
            reason = "ended"
        elif (batch.finished_at or batch.created_at) < cutoff:
            reason = "failed_long_ago"
        else:
            continue
        if dry_run:
            dropped.append(StageDropped(batch_id, table, reason))
            continue
        if reason == "failed_long_ago" and batch is not None:
            if not _snapshot_abandon(batch, decision="abandoned", reason=reason):
                continue
        else:
            snapshot.stage_drop(batch_id)
        dropped.append(StageDropped(batch_id, table, reason))
    return dropped


# Missing records revoked per transaction by a confirmed snapshot.
REVOKE_CHUNK = 5000


def _snapshot_revoke(batch: Batch, token: str, runner: Viewer) -> None:
    """Revoke the confirmed snapshot's missing records, a chunk per transaction (set-based:
    ``records.load.records_revoke_bulk``); a run killed midway resumes with those not revoked yet."""
    plan = batch.snapshot_plan or {}
    ids = snapshot.missing_ids(batch_id=batch.pk, unit_id=batch.source_unit_id, item_id=batch.catalog_item_id,
                               plan=plan)
    reason = _("Not in the full snapshot of batch %(batch)s (confirmed by %(by)s).") % {
        "batch": batch.pk, "by": plan.get("by", "")}
    for start in range(0, len(ids), REVOKE_CHUNK):
        with transaction.atomic():
            chunk_lock(source_unit_id=batch.source_unit_id, item_id=batch.catalog_item_id)
            revoked = records_revoke_bulk(ids[start:start + REVOKE_CHUNK], actor_label=runner.label,
                                          actor_id=runner.user_id, reason=reason)
            saved = Batch.objects.filter(pk=batch.pk, owner=token).update(
                revoked=F("revoked") + len(revoked), heartbeat_at=clock.now())
            if not saved:
                raise BatchTakenOver()


def batch_snapshot_confirm(*, batch_id: int, actor: Viewer, background: bool = True) -> Batch:
    """Confirm the revocation of a snapshot's missing records: the unit's operators for a snapshot awaiting
    confirmation, the credit office (staff, administrators) for one held for review. The revocations run in
    the background (``background``) or by the caller's ``batch_run`` (the command)."""
    batch = batch_get(batch_id=batch_id, viewer=actor)
    if batch.status not in _DECIDING:
        raise SnapshotNotAwaiting(details={"batch": batch.pk, "status": batch.status})
    if batch.status == BatchStatus.HELD and not decides_for_office(actor):
        raise SnapshotHeldForReview(details={"batch": batch.pk, **_plan_details(batch)})
    if batch.status == BatchStatus.AWAITING:
        _decider_check(batch, actor)
    plan = {**(batch.snapshot_plan or {}), "decision": "confirmed", "by": actor.label,
            "at": clock.now().isoformat()}
    with transaction.atomic():
        if not Batch.objects.filter(pk=batch.pk, status=batch.status).update(status=BatchStatus.QUEUED,
                                                                             snapshot_plan=plan):
            raise SnapshotNotAwaiting(details={"batch": batch.pk})
        if background:
            transaction.on_commit(lambda: _enqueue(batch.pk))
    batch.refresh_from_db()
    return batch


def batch_snapshot_cancel(*, batch_id: int, actor: Viewer) -> Batch:
    """Keep the snapshot's missing records: the batch ends with its rows loaded and nothing revoked."""
    batch = batch_get(batch_id=batch_id, viewer=actor)
    if batch.status not in _DECIDING:
        raise SnapshotNotAwaiting(details={"batch": batch.pk, "status": batch.status})
    _decider_check(batch, actor)
    plan = {**(batch.snapshot_plan or {}), "decision": "cancelled", "by": actor.label, "at": clock.now().isoformat()}
    if not Batch.objects.filter(pk=batch.pk, status=batch.status).update(
            status=BatchStatus.DONE, snapshot_plan=plan, finished_at=clock.now()):
        raise SnapshotNotAwaiting(details={"batch": batch.pk})
    snapshot.stage_drop(batch.pk)
    batch.refresh_from_db()
    return batch


def _decider_check(batch: Batch, actor: Viewer) -> None:
    if not (writes_for_unit(actor, source_unit_id=batch.source_unit_id) or decides_for_office(actor)):
        raise BatchNotYours()


def _plan_details(batch: Batch) -> dict[str, Any]:
    plan = batch.snapshot_plan or {}
    return {key: plan.get(key) for key in ("active", "missing", "share", "limit")}


# After a batch that wrote this many versions, PostgreSQL's planner statistics are refreshed at once.
ANALYZE_AFTER_VERSIONS = 50_000


def _statistics_refresh(batch: Batch) -> None:
    """Autovacuum analyzes a table long after a big load (if at all during it): until then the planner
    believes the record tables small and picks scans for the portal's and the next batch's queries."""
    if connection.vendor != "postgresql" or batch.inserted + batch.corrected < ANALYZE_AFTER_VERSIONS:
        return
    tables = [Record._meta.db_table, RecordVersion._meta.db_table, OutboxEvent._meta.db_table]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _fail(batch: Batch, error: dict[str, Any], token: str) -> None:
    """The run ends in failure; written only while the batch is still this run's."""
    failure = json.dumps(error, ensure_ascii=False, default=str)
    Batch.objects.filter(pk=batch.pk, owner=token).update(status=BatchStatus.FAILED, finished_at=clock.now(),
                                                           failure=failure)
    batch.refresh_from_db()


def batch_ingest_file(*, path: Path, source_unit: SourceUnit, item: CatalogItem, actor: Viewer,
                      progress: Callable[[int], None] | None = None, snapshot: bool = False,
                      chunk_size: int | None = None) -> Batch:
    """``gongxin ingest``: load a local file in the foreground, resuming an interrupted run of it."""
    batch = batch_for_file(path=path, source_unit=source_unit, item=item, actor=actor, snapshot=snapshot)
    return batch_run(batch_id=batch.pk, path=path, actor=actor, progress=progress, chunk_size=chunk_size)


def batch_push(*, source_unit: SourceUnit, item: CatalogItem, records: list[dict[str, Any]],
               idempotency_key: str, actor: Viewer) -> Batch:
    """Load up to 10,000 records sent in one request; per-row results are kept on the batch.

    A repeated idempotency key returns the first push's batch without loading anything again."""
    write_check(viewer=actor, source_unit=source_unit, item=item)
    if not records:
        raise PushEmpty()
    if len(records) > PUSH_LIMIT:
        raise PushTooLarge(details={"limit": PUSH_LIMIT, "received": len(records)})
    key = idempotency_key.strip()[:200]
    if "\x00" in key:
        raise NulCharacter()
    if key:
        earlier = Batch.objects.filter(source_unit=source_unit, idempotency_key=key).first()
        if earlier is not None:
            if earlier.catalog_item_id != item.pk:
                raise IdempotencyKeyReused()
            if earlier.status == BatchStatus.DONE:
                return earlier
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8", delete=False) as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, default=str))
            handle.write("\n")
        path = Path(handle.name)
    try:
        batch = Batch.objects.filter(source_unit=source_unit, idempotency_key=key).first() if key else None
        if batch is None:
            try:
                with transaction.atomic():
                    batch = Batch.objects.create(
                        source_unit=source_unit, catalog_item=item, channel=BatchChannel.PUSH,
                        status=BatchStatus.QUEUED, file_name=f"push-{clock.local():%Y%m%d%H%M%S}.jsonl",
                        file_format=FileFormat.JSONL, idempotency_key=key, actor_id=actor.user_id,
                        actor_label=actor.label, created_at=clock.now(), results=[],
                    )
            except IntegrityError:  # the same key pushed twice at once: the other push runs it
                batch = Batch.objects.get(source_unit=source_unit, idempotency_key=key)
                if batch.status == BatchStatus.DONE:
                    return batch
        _run_push(batch, path, actor)
    finally:
        path.unlink(missing_ok=True)
    batch.refresh_from_db()
    return batch


def _run_push(batch: Batch, path: Path, actor: Viewer) -> None:
    """A push runs in its request; like any run it holds its batch, and never leaves it ``running``."""
    token = batch_claim(batch=batch)
    if token is None:
        return
    try:
        if batch.started_at is None:
            Batch.objects.filter(pk=batch.pk).update(started_at=clock.now())
        loader = BatchLoader(batch=batch, actor=actor, with_results=True, owner=token)
        loader.load_file(path, skip=batch.rows_done)
    except BatchTakenOver:
        raise
    except GongxinError as exc:
        _fail(batch, exc.as_dict(), token)
        raise
    except BaseException as exc:
        logger.exception("push batch %s failed", batch.pk)
        _fail(batch, {"code": "internal_error", "message": str(exc)}, token)
        raise
    finally:
        batch_release(batch_id=batch.pk)
    Batch.objects.filter(pk=batch.pk, owner=token).update(status=BatchStatus.DONE, finished_at=clock.now())


def batch_get(*, batch_id: int, viewer: Viewer) -> Batch:
    """One batch for its readers; a batch left ``running`` by a dead run is marked interrupted first."""
    batch = Batch.objects.select_related("source_unit__department", "catalog_item").filter(pk=batch_id).first()
    if batch is None:
        raise BatchNotFound()
    batch_visible_check(batch=batch, viewer=viewer)
    batch_interrupted_mark(batch=batch)
    return batch


def error_report_rows(batch: Batch) -> Iterator[list[str]]:
    """The error report of a batch as CSV rows: header, then every issue in row order.

    Every writer of the report (the page, the API, ``gongxin ingest report``) writes these rows: the values
    quoted from the source unit's file are defused (``core.tabular.cell_defuse``), so a cell such as
    ``=HYPERLINK(...)`` shows as text in Excel instead of running."""
    yield ["行号 row", "级别 level", "列 column", "值 value", "代码 code", "原因", "reason"]
    for issue in batch.issues.order_by("row_number", "pk").iterator(chunk_size=2000):
        yield [str(issue.row_number), issue.level, cell_defuse(issue.column), cell_defuse(issue.value), issue.code,
               cell_defuse(issue.reason_zh), cell_defuse(issue.reason_en)]
