"""Set-based loading of many records: the bulk path of the record lifecycle.

Rows stream in; each chunk is validated, its clocks computed, compared with the current versions by
content hash, and written in one transaction with executemany-sized statements: new records and
their first versions, corrections as new versions, pointer updates, list entries and outbox events.
Re-running the same rows changes nothing (identical content is "unchanged"), so a crashed load is
completed by running it again. On PostgreSQL new records and all versions are written with COPY, with ids
reserved from the tables' sequences beforehand (``_write_copy``); elsewhere with executemany.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.db import connection, transaction

from gongxin.catalog.models import CatalogItem, SourceUnit
from gongxin.catalog.policy import PolicyBook
from gongxin.catalog.schema import payload_validate
from gongxin.core import clock
from gongxin.core.errors import GongxinError
from gongxin.core.events import record_topic
from gongxin.core.outbox import EventDraft, events_emit_bulk
from gongxin.ledger.kinds import ledger_key
from gongxin.records.choices import ChangeKind, RecordStatus
from gongxin.records.content import clock_fields, content_digest, record_identity, source_fingerprint_bind
from gongxin.records.ledger import open_json, version_leaf, version_leaves, versions_log
from gongxin.records.lists import list_entries_sync_bulk, list_types_by_code
from gongxin.records.models import Record, RecordVersion
from gongxin.records.packing import payload_pack_json, texts_ensure
from gongxin.records.partitions import version_partitions_ensure
from gongxin.records.personal import payload_seal, personal_codes
from gongxin.records.selectors import identity_probe, identity_probe_cursor


@dataclass(frozen=True)
class RowContent:
    """What a row becomes before it meets the database: its identity, the payload as stored (personal
    fields sealed), the content hash with the canonical JSON it was computed over, and the clock fields.
    ``record_content`` computes it; a bulk caller with spare CPU elsewhere (the ingest reader process)
    computes it ahead and hands it over on ``RecordRow.content``, so the writing process only writes."""

    identity: str
    payload: dict[str, Any]
    digest: str
    payload_json: str  # the stored form (records.packing): ``[layout, values...]`` as JSON text
    fields: dict[str, Any]
    layout: str = ""  # the text of the payload's layout (stored before the version, by the writer)
    # The canonical JSON of the non-personal fields, which the version's leaf commits to (records.ledger): the
    # content hash's own payload JSON when the row has no personal field (most rows: no second encoding).
    open_json: str = ""


def record_content(*, item: CatalogItem, domain: str, payload: dict[str, Any], severity: str | None,
                   source_record_id: str | None, policies: PolicyBook,
                   fields_cache: dict[Any, dict[str, Any]] | None = None) -> RowContent:
    """The content of a validated payload (raises ``GongxinError`` as loading it would: no policy, no
    identity). ``fields_cache`` shares one clock-fields dict per distinct clocks (they repeat a lot)."""
    clocks = policies.clocks(item=item, domain=domain, payload=payload, severity=severity)
    identity = record_identity(item=item, payload=payload, source_record_id=source_record_id)
    digest, canonical = content_digest(payload=payload, severity=clocks.severity)
    stored = payload_seal(item=item, payload=payload)  # the hash is of the plain content; storage is sealed
    personal = personal_codes(item)
    if any(code in payload for code in personal):
        canonical = open_json({k: v for k, v in payload.items() if k not in personal}).decode("utf-8")
    layout, payload_json = payload_pack_json(stored)
    if fields_cache is None:
        fields = clock_fields(clocks)
    else:
        fields = fields_cache.get(clocks) or fields_cache.setdefault(clocks, clock_fields(clocks))
    return RowContent(identity=identity, payload=stored, digest=digest, payload_json=payload_json, fields=fields,
                      layout=layout, open_json=canonical)


@dataclass(frozen=True)
class RecordRow:
    source_unit_id: int
    catalog_item: CatalogItem
    source_record_id: str | None  # None or "": identified by the item's natural key
    subject_id: int
    payload: dict[str, Any]
    severity: str | None = None
    # The payload is already canonical (the ingest app validated it): skip ``payload_validate``.
    validated: bool = False
    # The caller's handle on the row (ingest: the row number), returned with its outcome.
    tag: int | None = None
    # Computed ahead by the caller (``record_content`` over this row's payload, severity and id), or None.
    content: RowContent | None = None
    # The fingerprint of the source row (ingest.fingerprint): kept on the record, bound to the content written.
    fingerprint: int | None = None


@dataclass
class RowRejection:
    source_record_id: str
    code: str
    message: Any  # a lazy translatable message: str() it in the language wanted
    details: Any = None
    tag: int | None = None


@dataclass(frozen=True)
class RowOutcome:
    tag: int | None
    outcome: str  # "created", "corrected" or "unchanged"
    record_id: int


@dataclass
class LoadResult:
    inserted: int = 0
    corrected: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: list[RowRejection] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)  # only when asked for (``with_outcomes``)

    def add(self, other: LoadResult) -> None:
        self.inserted += other.inserted
        self.corrected += other.corrected
        self.unchanged += other.unchanged
        self.rejected += other.rejected
        self.rejections.extend(other.rejections)
        self.outcomes.extend(other.outcomes)


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
    with_outcomes: bool = False,
) -> LoadResult:
    """Load ``rows`` in chunks of ``batch_size``, each chunk in its own transaction (or in the caller's,
    when it opened one). Within a chunk the last row of an identity wins: callers that must count
    repeats (ingest) send each identity at most once per chunk."""
    total = LoadResult()
    domains = dict(SourceUnit.objects.values_list("pk", "domain"))
    unit_codes = dict(SourceUnit.objects.values_list("pk", "department__code"))
    list_types = list_types_by_code()
    policies = PolicyBook.load()
    for chunk in _chunks(rows, batch_size):
        result = _load_chunk(chunk, actor_label=actor_label, domains=domains, list_types=list_types,
                             policies=policies, with_outcomes=with_outcomes, unit_codes=unit_codes)
        if len(total.rejections) + len(result.rejections) > keep_rejections:
            result.rejections = result.rejections[: max(0, keep_rejections - len(total.rejections))]
        total.add(result)
        if progress is not None:
            progress(len(chunk))
    return total


@dataclass
class _Prepared:
    row: RecordRow
    source_record_id: str
    payload: dict[str, Any]
    digest: str
    fields: dict[str, Any]
    payload_json: str = ""
    layout: str = ""
    open_json: str = ""


def _prepare(
    chunk: list[RecordRow], domains: dict[int, str], policies: PolicyBook, result: LoadResult
) -> list[_Prepared]:
    prepared: dict[tuple[int, int, str], _Prepared] = {}
    for row in chunk:
        item = row.catalog_item
        content = row.content
        if content is None:
            try:
                payload = row.payload if row.validated else payload_validate(item=item, payload=row.payload)
                content = record_content(item=item, domain=domains.get(row.source_unit_id, ""), payload=payload,
                                         severity=row.severity, source_record_id=row.source_record_id,
                                         policies=policies)
            except GongxinError as exc:
                result.rejected += 1
                result.rejections.append(
                    RowRejection(row.source_record_id or "", exc.code, exc.message, exc.details, row.tag)
                )
                continue
        # The last row wins when a chunk holds the same identity twice.
        prepared[(row.source_unit_id, item.pk, content.identity)] = _Prepared(
            row=row, source_record_id=content.identity, payload=content.payload, digest=content.digest,
            fields=content.fields, payload_json=content.payload_json, layout=content.layout,
            open_json=content.open_json,
        )
    return list(prepared.values())


@dataclass(frozen=True)
class _Current:
    """What a chunk needs to know of an existing record: its id, subject and current version."""

    record_id: int
    subject_id: int
    number: int
    status: str | None
    content_hash: str | None
    under_objection: bool
    repaired: bool
    publicity_ended: bool


@dataclass(frozen=True)
class _NewVersion:
    """A version about to be written (plain data: the bulk path builds no model objects)."""

    record_id: int
    subject_id: int
    item: CatalogItem
    number: int
    change: str
    status: str
    payload: dict[str, Any]
    decision_date: Any
    repaired: bool
    retention_end: Any
    legal_basis: str
    polarity: str


_CURRENT_COLUMNS = (
    "id", "source_record_id", "subject_id", "current_version__number", "current_version__status",
    "current_version__content_hash", "current_version__under_objection", "current_version__repaired",
    "current_version__publicity_ended",
)


def _lookup(unit_id: int, item_id: int, source_record_ids: list[str]) -> Iterator[tuple[Any, ...]]:
    if connection.vendor == "postgresql":
        yield from _lookup_postgresql(unit_id, item_id, source_record_ids)
        return
    for start in range(0, len(source_record_ids), 900):  # stay under SQLite's host-parameter limit
        yield from Record.objects.filter(
            source_unit_id=unit_id, catalog_item_id=item_id, source_record_id__in=source_record_ids[start:start + 900]
        ).values_list(*_CURRENT_COLUMNS)


def _lookup_postgresql(unit_id: int, item_id: int, source_record_ids: list[str]) -> list[tuple[Any, ...]]:
    """One query per chunk that looks each id up in the identity index (``records.selectors.identity_probe``)."""
    with identity_probe_cursor() as cursor:
        cursor.execute(
            identity_probe(keys="unnest(%s::text[]) AS k(identity)", version_join="LEFT JOIN",
                           select="r.id, r.source_record_id, r.subject_id, v.number, v.status, "
                                  "encode(v.content_hash, 'hex'), v.under_objection, v.repaired, v.publicity_ended"),
            [source_record_ids, unit_id, item_id],
        )
        return cursor.fetchall()


def _existing(prepared: list[_Prepared]) -> dict[tuple[int, int, str], _Current]:
    found: dict[tuple[int, int, str], _Current] = {}
    by_scope: dict[tuple[int, int], list[str]] = {}
    for p in prepared:
        by_scope.setdefault((p.row.source_unit_id, p.row.catalog_item.pk), []).append(p.source_record_id)
    for (unit_id, item_id), ids in by_scope.items():
        for rid, srid, subject_id, number, status, digest, objection, repaired, ended in _lookup(unit_id, item_id, ids):
            found[(unit_id, item_id, srid)] = _Current(
                record_id=rid, subject_id=subject_id, number=number or 0, status=status, content_hash=digest,
                under_objection=bool(objection), repaired=bool(repaired), publicity_ended=bool(ended),
            )
    return found


_VERSION_COLUMNS = (
    "record_id", "number", "change", "status", "payload", "content_hash", "polarity", "severity", "decision_date",
    "under_objection", "repaired", "published", "publicity_min_end", "publicity_max_end", "publicity_ended",
    "retention_end", "publicity_policy_id", "retention_policy_id", "actor_label", "reason", "legal_basis",
    "legal_basis_ref", "created_at",
)


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    return f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"  # noqa: S608 - names from the models


def _new_version(p: _Prepared, current: _Current, change: str) -> _NewVersion:
    f = p.fields
    item = p.row.catalog_item
    return _NewVersion(
        record_id=current.record_id, subject_id=p.row.subject_id, item=item, number=current.number + 1,
        change=change, status=RecordStatus.ACTIVE, payload=p.payload, decision_date=f["decision_date"],
        repaired=current.repaired, retention_end=f["retention_end"], legal_basis=item.legal_basis,
        polarity=f["polarity"],
    )


def _version_values(p: _Prepared, current: _Current, change: str, actor_label: str,
                    refs: dict[str, int | None]) -> list[Any]:
    """The values of ``_VERSION_COLUMNS`` after ``record_id`` and ``number``: the payload as stored JSON text
    (packed when its layout is stored, ``refs``), the hash as bytes, the legal basis by reference."""
    f = p.fields
    basis = p.row.catalog_item.legal_basis
    basis_ref = refs.get(basis) if basis else None
    payload_json = p.payload_json if refs.get(p.layout) is not None else json.dumps(
        p.payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return [
        change, RecordStatus.ACTIVE, payload_json, bytes.fromhex(p.digest), f["polarity"], f["severity"],
        f["decision_date"], current.under_objection, current.repaired, f["published"], f["publicity_min_end"],
        f["publicity_max_end"], current.publicity_ended, f["retention_end"], f["publicity_policy_id"],
        f["retention_policy_id"], actor_label, "", "" if basis_ref is not None else basis, basis_ref,
    ]


def _texts_refs(pairs: list[tuple[_Prepared, _Current, str]]) -> dict[str, int | None]:
    """Store the layouts and legal bases of a chunk's versions (set-based) and return their references."""
    texts = {p.layout for p, _current, _change in pairs} | {
        p.row.catalog_item.legal_basis for p, _current, _change in pairs if p.row.catalog_item.legal_basis}
    return texts_ensure(texts) if texts else {}


# A correction moving a record to another subject appends ``[last version number, former subject]`` to its
# subject history (Record.subject_history: its earlier versions' leaves commit to the former subject); SET
# expressions read the row as it was, so ``subject_id`` here is the former subject.
_HISTORY_PG = ("CASE WHEN r.subject_id <> v.subject_id THEN COALESCE(r.subject_history, '[]'::jsonb) "
               "|| jsonb_build_array(jsonb_build_array(v.number, r.subject_id)) ELSE r.subject_history END")
_HISTORY_SQLITE = ("CASE WHEN subject_id <> %s THEN json_insert(COALESCE(subject_history, '[]'), '$[#]', "
                   "json_array(%s, subject_id)) ELSE subject_history END")


def _insert_records(fresh: list[_Prepared], now_db: Any) -> list[tuple[_Prepared, _Current, str]]:
    """SQLite: insert the new records (executemany), then read back their ids."""
    with connection.cursor() as cursor:
        cursor.executemany(
            _insert_sql(Record._meta.db_table,
                        ("source_unit_id", "catalog_item_id", "source_record_id", "subject_id", "created_at",
                         "source_fingerprint")),
            [(p.row.source_unit_id, p.row.catalog_item.pk, p.source_record_id, p.row.subject_id, now_db,
              source_fingerprint_bind(p.row.fingerprint, p.digest)) for p in fresh],
        )
    created = _existing(fresh)
    return [(p, created[(p.row.source_unit_id, p.row.catalog_item.pk, p.source_record_id)], ChangeKind.CREATED)
            for p in fresh]


def _write_versions(pairs: list[tuple[_Prepared, _Current, str]], *, actor_label: str,
                    now_db: Any) -> list[_NewVersion]:
    """SQLite: insert the versions and point their records at them (executemany)."""
    ops = connection.ops
    rows = []
    refs = _texts_refs(pairs)
    for p, current, change in pairs:
        values = _version_values(p, current, change, actor_label, refs)
        for position in (6, 10, 11, 13):
            values[position] = ops.adapt_datefield_value(values[position])
        rows.append((current.record_id, current.number + 1, *values, now_db))
    record_table = ops.quote_name(Record._meta.db_table)
    version_table = ops.quote_name(RecordVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(_insert_sql(RecordVersion._meta.db_table, _VERSION_COLUMNS), rows)
        cursor.executemany(
            f"UPDATE {record_table} SET current_version_id = (SELECT v.id FROM {version_table} v "  # noqa: S608
            f"WHERE v.record_id = {record_table}.id AND v.number = %s), subject_history = {_HISTORY_SQLITE}, "
            "subject_id = %s, source_fingerprint = %s WHERE id = %s",
            [(current.number + 1, p.row.subject_id, current.number, p.row.subject_id,
              source_fingerprint_bind(p.row.fingerprint, p.digest), current.record_id)
             for p, current, _change in pairs],
        )
    return [_new_version(p, current, change) for p, current, change in pairs]


def _ids_reserve(cursor: Any, table: str, count: int) -> list[int]:
    """``count`` ids from the table's sequence, so that rows can be COPYed with their ids (and linked)."""
    if not count:
        return []
    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count])
    return [row[0] for row in cursor.fetchall()]


def _write_copy(fresh: list[_Prepared], changed: list[tuple[_Prepared, _Current]], *, actor_label: str,
                now: Any) -> tuple[list[tuple[_Prepared, _Current, str]], list[_NewVersion]]:
    """PostgreSQL: COPY new records and all versions with reserved ids; a new record is written already
    pointing at its first version (the foreign key is checked at commit); corrected records are pointed at
    their new versions with one UPDATE."""
    ops = connection.ops
    record_table, version_table = Record._meta.db_table, RecordVersion._meta.db_table
    with connection.cursor() as cursor:
        record_ids = _ids_reserve(cursor, record_table, len(fresh))
        version_ids = _ids_reserve(cursor, version_table, len(fresh) + len(changed))
        if version_ids:
            version_partitions_ensure(up_to=version_ids[-1])  # no-op but near a partition's end
        pairs: list[tuple[_Prepared, _Current, str]] = [
            (p, _Current(record_id=record_id, subject_id=p.row.subject_id, number=0, status=None,
                         content_hash=None, under_objection=False, repaired=False, publicity_ended=False),
             ChangeKind.CREATED)
            for record_id, p in zip(record_ids, fresh, strict=True)
        ]
        pairs += [(p, current, ChangeKind.CORRECTED) for p, current in changed]
        if fresh:
            columns = ("id, source_unit_id, catalog_item_id, source_record_id, subject_id, created_at, "
                       "current_version_id, source_fingerprint")
            with cursor.copy(f"COPY {ops.quote_name(record_table)} ({columns}) FROM STDIN") as copy:
                for record_id, version_id, p in zip(record_ids, version_ids, fresh, strict=False):
                    copy.write_row((record_id, p.row.source_unit_id, p.row.catalog_item.pk, p.source_record_id,
                                    p.row.subject_id, now, version_id,
                                    source_fingerprint_bind(p.row.fingerprint, p.digest)))
        if pairs:
            refs = _texts_refs(pairs)
            columns = ", ".join(ops.quote_name(c) for c in ("id", *_VERSION_COLUMNS))
            with cursor.copy(f"COPY {ops.quote_name(version_table)} ({columns}) FROM STDIN") as copy:
                for version_id, (p, current, change) in zip(version_ids, pairs, strict=True):
                    values = _version_values(p, current, change, actor_label, refs)
                    copy.write_row((version_id, current.record_id, current.number + 1, *values, now))
        if changed:
            cursor.execute(
                f"UPDATE {ops.quote_name(record_table)} AS r SET current_version_id = v.version_id, "  # noqa: S608
                f"subject_id = v.subject_id, subject_history = {_HISTORY_PG}, source_fingerprint = v.fingerprint "
                "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[]) "
                "AS v(record_id, version_id, subject_id, number, fingerprint) WHERE r.id = v.record_id",
                [[current.record_id for _p, current in changed], version_ids[len(fresh):],
                 [p.row.subject_id for p, _current in changed], [current.number for _p, current in changed],
                 [source_fingerprint_bind(p.row.fingerprint, p.digest) for p, _current in changed]],
            )
    return pairs, [_new_version(p, current, change) for p, current, change in pairs]


def _load_chunk(
    chunk: list[RecordRow], *, actor_label: str, domains: dict[int, str], list_types: dict[str, Any],
    policies: PolicyBook,
    with_outcomes: bool = False,
    unit_codes: dict[int, str] | None = None,
) -> LoadResult:
    result = LoadResult()
    prepared = _prepare(chunk, domains, policies, result)
    ops = connection.ops
    now = clock.now()
    now_db = ops.adapt_datetimefield_value(now)
    with transaction.atomic():
        existing = _existing(prepared)
        fresh: list[_Prepared] = []
        changed: list[tuple[_Prepared, _Current]] = []
        for p in prepared:
            current = existing.get((p.row.source_unit_id, p.row.catalog_item.pk, p.source_record_id))
            if current is None:
                fresh.append(p)
            elif current.status == RecordStatus.REVOKED or (
                current.content_hash == p.digest and current.subject_id == p.row.subject_id
            ):
                result.unchanged += 1
                if with_outcomes:
                    result.outcomes.append(RowOutcome(p.row.tag, "unchanged", current.record_id))
            else:
                changed.append((p, current))
        if connection.vendor == "postgresql":
            pairs, versions = _write_copy(fresh, changed, actor_label=actor_label, now=now)
        else:
            pairs = _insert_records(fresh, now_db) + [(p, current, ChangeKind.CORRECTED) for p, current in changed]
            versions = _write_versions(pairs, actor_label=actor_label, now_db=now_db)
        _versions_log(pairs, now=now, unit_codes=unit_codes)
        list_entries_sync_bulk(
            ((v.record_id, v.subject_id, v.item.list_type_code, v) for v in versions if v.item.list_type_code),
            list_types=list_types,
        )
        events_emit_bulk(
            EventDraft(
                topic=record_topic(v.change), aggregate_type="record", aggregate_id=v.record_id,
                subject_id=v.subject_id,
                payload={"version": v.number, "item": v.item.code, "status": v.status, "polarity": v.polarity},
            )
            for v in versions
        )
    result.inserted = len(fresh)
    result.corrected = len(changed)
    if with_outcomes:
        result.outcomes.extend(RowOutcome(p.row.tag, str(change), current.record_id) for p, current, change in pairs)
    return result


def _versions_log(pairs: list[tuple[_Prepared, _Current, str]], *, now: Any,
                  unit_codes: dict[int, str] | None) -> None:
    """Queue the chunk's versions' leaves of the tamper-evident log (records.ledger), in the chunk's transaction:
    computed from what was just written, one executemany (COPY on PostgreSQL) for the chunk."""
    if not pairs:
        return
    if unit_codes is None or any(p.row.source_unit_id not in unit_codes for p, _c, _ch in pairs):
        unit_codes = dict(SourceUnit.objects.values_list("pk", "department__code"))
    leaves = []
    key = ledger_key()
    for p, current, change in pairs:
        f = p.fields
        number = current.number + 1
        leaves.append((current.record_id, number, version_leaf(
            record_id=current.record_id, number=number, subject_id=p.row.subject_id,
            unit_code=unit_codes[p.row.source_unit_id],
            item=p.row.catalog_item, source_record_id=p.source_record_id, change=change, status=RecordStatus.ACTIVE,
            created_at=now, digest=p.digest, payload=p.payload,
            fields={**f, "under_objection": current.under_objection, "repaired": current.repaired,
                    "publicity_ended": current.publicity_ended},
            legal_basis=p.row.catalog_item.legal_basis, open_text=p.open_json or None, key=key,
        )))
    versions_log(leaves)


_REVOKE_COPIED = (
    "payload", "content_hash", "polarity", "severity", "decision_date", "under_objection", "repaired", "published",
    "publicity_min_end", "publicity_max_end", "publicity_ended", "retention_end", "publicity_policy_id",
    "retention_policy_id",
)


def records_revoke_bulk(record_ids: list[int], *, actor_label: str, reason: str,
                        actor_id: int | None = None) -> list[int]:
    """Revoke many records set-based: the bulk form of ``records.services.record_revoke`` (a snapshot's
    missing records, ingest.snapshot). Each record not revoked yet gets a revoked version — its current version's
    state otherwise, as ``record_version_append`` copies it —, is pointed at it, has its list entry rewritten and
    a ``records.record.revoked`` event, in the caller's transaction. The records are locked first (PostgreSQL),
    as ``record_version_append`` locks one. Returns the ids revoked (those already revoked are left as they are).
    """
    if not record_ids:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("records_revoke_bulk must run inside a transaction")
    ops = connection.ops
    record_table = ops.quote_name(Record._meta.db_table)
    version_table = ops.quote_name(RecordVersion._meta.db_table)
    item_table = ops.quote_name(CatalogItem._meta.db_table)
    postgres = connection.vendor == "postgresql"
    rows: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        step = len(record_ids) if postgres else 900  # SQLite's host-parameter limit
        for start in range(0, len(record_ids), step):
            part = sorted(record_ids[start:start + step])
            params: list[Any]
            if postgres:
                cursor.execute(f"SELECT id FROM {record_table} WHERE id = ANY(%s) ORDER BY id FOR UPDATE",  # noqa: S608
                               [part])
                where, params = "r.id = ANY(%s)", [part]
            else:
                where, params = f"r.id IN ({', '.join(['%s'] * len(part))})", part
            cursor.execute(
                f"SELECT r.id, r.subject_id, v.id, v.number, v.polarity, i.code, i.list_type_code "  # noqa: S608
                f"FROM {record_table} r JOIN {version_table} v ON v.id = r.current_version_id "
                f"JOIN {item_table} i ON i.id = r.catalog_item_id WHERE {where} AND v.status <> %s ORDER BY r.id",
                [*params, RecordStatus.REVOKED],
            )
            rows.extend(cursor.fetchall())
        if not rows:
            return []
        now = clock.now()
        copied = ", ".join(f"v.{ops.quote_name(c)}" for c in _REVOKE_COPIED)
        columns = ", ".join(ops.quote_name(c) for c in (
            "record_id", "number", "change", "status", *_REVOKE_COPIED, "actor_id", "actor_label", "reason",
            "legal_basis", "legal_basis_ref", "created_at"))
        fixed = [ChangeKind.REVOKED, RecordStatus.REVOKED]
        tail = [actor_id, actor_label, reason, "", None]
        if postgres:
            version_ids = _ids_reserve(cursor, RecordVersion._meta.db_table, len(rows))
            version_partitions_ensure(up_to=version_ids[-1])
            cursor.execute(
                f"INSERT INTO {version_table} (id, {columns}) SELECT n.new_id, v.record_id, v.number + 1, %s, %s, "  # noqa: S608
                f"{copied}, %s, %s, %s, %s, %s, %s FROM unnest(%s::bigint[], %s::bigint[]) AS n(old_id, new_id) "
                f"JOIN {version_table} v ON v.id = n.old_id",
                [*fixed, *tail, now, [row[2] for row in rows], version_ids],
            )
            cursor.execute(
                f"UPDATE {record_table} AS r SET current_version_id = n.new_id "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::bigint[]) AS n(record_id, new_id) WHERE r.id = n.record_id",
                [[row[0] for row in rows], version_ids],
            )
        else:
            now_db = ops.adapt_datetimefield_value(now)
            cursor.executemany(
                f"INSERT INTO {version_table} ({columns}) SELECT v.record_id, v.number + 1, %s, %s, {copied}, "  # noqa: S608
                f"%s, %s, %s, %s, %s, %s FROM {version_table} v WHERE v.id = %s",
                [(*fixed, *tail, now_db, row[2]) for row in rows],
            )
            cursor.executemany(
                f"UPDATE {record_table} SET current_version_id = (SELECT v.id FROM {version_table} v "  # noqa: S608
                "WHERE v.record_id = %s AND v.number = %s) WHERE id = %s",
                [(row[0], row[3] + 1, row[0]) for row in rows],
            )
    # Their leaves of the tamper-evident log, read back from the versions just written (records.ledger).
    written = version_leaves([(row[0], row[3] + 1) for row in rows], from_stored_hash=True)
    versions_log((record_id, number, leaf) for (record_id, number), leaf in sorted(written.items()))
    listed = [row for row in rows if row[6]]
    if listed:
        versions = {
            v.record_id: v for v in RecordVersion.objects.filter(
                record_id__in=[row[0] for row in listed], status=RecordStatus.REVOKED, change=ChangeKind.REVOKED,
            ).order_by("record_id", "number")
        }  # the last (highest number) of each record wins: the version just written
        list_entries_sync_bulk(((row[0], row[1], row[6], versions[row[0]]) for row in listed),
                               list_types=list_types_by_code())
    events_emit_bulk(
        EventDraft(topic=record_topic(ChangeKind.REVOKED), aggregate_type="record", aggregate_id=row[0],
                   subject_id=row[1], payload={"version": row[3] + 1, "item": row[5], "status": RecordStatus.REVOKED,
                                               "polarity": row[4]})
        for row in rows
    )
    return [row[0] for row in rows]
