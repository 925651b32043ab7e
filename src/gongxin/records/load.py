"""Set-based loading of many records: the bulk path of the record lifecycle.

Rows stream in; each chunk is validated, its clocks computed, compared with the current versions by
content hash, and written in one transaction with executemany-sized statements: new records and
their first versions, corrections as new versions, pointer updates, list entries and outbox events.
Re-running the same rows changes nothing (identical content is "unchanged"), so a crashed load is
completed by running it again. The ingest app (issue #3) adds COPY on PostgreSQL on top of this.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.db import connection, transaction

from gongxin.catalog.models import CatalogItem, SourceUnit
from gongxin.catalog.policy import PolicyBook, clocks_compute
from gongxin.catalog.schema import payload_validate
from gongxin.core import clock
from gongxin.core.errors import GongxinError
from gongxin.core.outbox import EventDraft, events_emit_bulk
from gongxin.records.choices import ChangeKind, RecordStatus
from gongxin.records.content import clock_fields, content_hash
from gongxin.records.lists import list_entries_sync_bulk, list_types_by_code
from gongxin.records.models import Record, RecordVersion


@dataclass(frozen=True)
class RecordRow:
    source_unit_id: int
    catalog_item: CatalogItem
    source_record_id: str
    subject_id: int
    payload: dict[str, Any]
    severity: str | None = None


@dataclass
class RowRejection:
    source_record_id: str
    code: str
    message: str
    details: Any = None


@dataclass
class LoadResult:
    inserted: int = 0
    corrected: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: list[RowRejection] = field(default_factory=list)

    def add(self, other: LoadResult) -> None:
        self.inserted += other.inserted
        self.corrected += other.corrected
        self.unchanged += other.unchanged
        self.rejected += other.rejected
        self.rejections.extend(other.rejections)


def _chunks(rows: Iterable[RecordRow], size: int) -> Iterator[list[RecordRow]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def records_load(
    rows: Iterable[RecordRow],
    *,
    actor_label: str,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
    keep_rejections: int = 10_000,
) -> LoadResult:
    total = LoadResult()
    domains = dict(SourceUnit.objects.values_list("pk", "domain"))
    list_types = list_types_by_code()
    policies = PolicyBook.load()
    for chunk in _chunks(rows, batch_size):
        result = _load_chunk(chunk, actor_label=actor_label, domains=domains, list_types=list_types,
                             policies=policies)
        if len(total.rejections) + len(result.rejections) > keep_rejections:
            result.rejections = result.rejections[: max(0, keep_rejections - len(total.rejections))]
        total.add(result)
        if progress is not None:
            progress(len(chunk))
    return total


@dataclass
class _Prepared:
    row: RecordRow
    payload: dict[str, Any]
    digest: str
    fields: dict[str, Any]


def _prepare(
    chunk: list[RecordRow], domains: dict[int, str], policies: PolicyBook, result: LoadResult
) -> list[_Prepared]:
    prepared: dict[tuple[int, int, str], _Prepared] = {}
    for row in chunk:
        try:
            item = row.catalog_item
            payload = payload_validate(item=item, payload=row.payload)
            clocks = clocks_compute(item=item, domain=domains.get(row.source_unit_id, ""), payload=payload,
                                    severity=row.severity, policies=policies)
        except GongxinError as exc:
            result.rejected += 1
            result.rejections.append(RowRejection(row.source_record_id, exc.code, str(exc.message), exc.details))
            continue
        key = (row.source_unit_id, item.pk, row.source_record_id)
        # The last row wins when a chunk holds the same identity twice.
        prepared[key] = _Prepared(
            row=row, payload=payload, digest=content_hash(payload=payload, severity=clocks.severity),
            fields=clock_fields(clocks),
        )
    return list(prepared.values())


def _existing(prepared: list[_Prepared]) -> dict[tuple[int, int, str], Record]:
    found: dict[tuple[int, int, str], Record] = {}
    by_scope: dict[tuple[int, int], list[str]] = {}
    for p in prepared:
        by_scope.setdefault((p.row.source_unit_id, p.row.catalog_item.pk), []).append(p.row.source_record_id)
    for (unit_id, item_id), ids in by_scope.items():
        for start in range(0, len(ids), 900):  # stay under SQLite's host-parameter limit
            for record in Record.objects.filter(
                source_unit_id=unit_id, catalog_item_id=item_id, source_record_id__in=ids[start:start + 900]
            ).select_related("current_version"):
                found[(unit_id, item_id, record.source_record_id)] = record
    return found


def _load_chunk(
    chunk: list[RecordRow], *, actor_label: str, domains: dict[int, str], list_types: dict[str, Any],
    policies: PolicyBook,
) -> LoadResult:
    result = LoadResult()
    prepared = _prepare(chunk, domains, policies, result)
    now = clock.now()
    with transaction.atomic():
        existing = _existing(prepared)
        new_records: list[tuple[_Prepared, Record]] = []
        versions: list[tuple[_Prepared, Record, RecordVersion]] = []
        for p in prepared:
            key = (p.row.source_unit_id, p.row.catalog_item.pk, p.row.source_record_id)
            record = existing.get(key)
            if record is None:
                record = Record(
                    source_unit_id=p.row.source_unit_id, catalog_item=p.row.catalog_item,
                    source_record_id=p.row.source_record_id, subject_id=p.row.subject_id, created_at=now,
                )
                new_records.append((p, record))
                continue
            current = record.current_version
            if current is not None and (current.status == RecordStatus.REVOKED or (
                    current.content_hash == p.digest and record.subject_id == p.row.subject_id)):
                result.unchanged += 1
                continue
            versions.append((p, record, _version(p, record, current, ChangeKind.CORRECTED, actor_label, now)))
        Record.objects.bulk_create([r for _, r in new_records], batch_size=1000)
        for p, record in new_records:
            versions.append((p, record, _version(p, record, None, ChangeKind.CREATED, actor_label, now)))
        RecordVersion.objects.bulk_create([v for _, _, v in versions], batch_size=1000)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {Record._meta.db_table} SET current_version_id = %s, subject_id = %s WHERE id = %s",  # noqa: S608 - table name from the model
                [(v.pk, p.row.subject_id, r.pk) for p, r, v in versions],
            )
        for p, record, version in versions:
            record.current_version = version
            record.subject_id = p.row.subject_id
        list_entries_sync_bulk(((r, v) for _, r, v in versions), list_types=list_types)
        events_emit_bulk(
            EventDraft(
                topic=f"record.{v.change}", aggregate_type="record", aggregate_id=r.pk, subject_id=r.subject_id,
                payload={"version": v.number, "item": p.row.catalog_item.code, "status": v.status,
                         "polarity": v.polarity},
            )
            for p, r, v in versions
        )
    result.inserted = len(new_records)
    result.corrected = len(versions) - len(new_records)
    return result


def _version(
    p: _Prepared, record: Record, current: RecordVersion | None, change: str, actor_label: str, now: Any
) -> RecordVersion:
    carried = {
        "under_objection": current.under_objection if current else False,
        "repaired": current.repaired if current else False,
        "publicity_ended": current.publicity_ended if current else False,
    }
    return RecordVersion(
        record=record, number=(current.number + 1) if current else 1, change=change,
        status=RecordStatus.ACTIVE, payload=p.payload, content_hash=p.digest,
        actor_label=actor_label, legal_basis=p.row.catalog_item.legal_basis, created_at=now,
        **carried, **p.fields,
    )
