"""Full snapshots (全量) of a (source unit, catalog item): the set-based comparison and the missing records.

A snapshot batch loads like any batch, chunk by chunk, with one difference per chunk: every identity the chunk
names is staged in the batch's own table (``ingest_snapshot_<batch id>``, written in the chunk's transaction,
so it always holds exactly the committed chunks' identities), and the rows' content hashes are compared with
the current versions in SQL, in the same statement (PostgreSQL: one ``WITH … INSERT`` over ``unnest`` arrays
and an index probe per identity; SQLite: executemany into a temporary table, then one join). The rows that
come back unchanged write nothing and never reach the record tables' writers; only new and changed rows go
through the usual path (subjects, ``records.load.records_load``).

When the file is read, the records of the unit and item in force that the snapshot does not name are counted
against the stage (one anti-join). They are revoked only once confirmed — and a snapshot that would revoke
more than the policy's share (``snapshot_revoke_max_share`` of the deadlines policy, 10 % when absent) is held
for review by the credit office. The revocation keeps to the records and versions that existed when the file
was read (``record_id_max``, ``version_id_max``): a record created or changed since is never revoked by it.
Decision 057.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection

from gongxin.catalog.choices import PolicyKind
from gongxin.catalog.errors import PolicyNotFound
from gongxin.catalog.policy import policy_select
from gongxin.records.choices import RecordStatus
from gongxin.records.content import source_fingerprint_bind
from gongxin.records.models import Record, RecordVersion
from gongxin.records.selectors import content_hash_head, identity_probe, identity_probe_cursor

DEFAULT_REVOKE_MAX_SHARE = 0.10
POLICY_PARAM = "snapshot_revoke_max_share"
_CHUNK_TEMP = "ingest_snapshot_chunk"
_STAGE_NAME = re.compile(r"ingest_snapshot_(\d+)")


def stage_table(batch_id: int) -> str:
    return f"ingest_snapshot_{int(batch_id)}"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def stage_create(batch_id: int) -> None:
    """The batch's stage (kept across runs: a resumed batch adds to it)."""
    table = stage_table(batch_id)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {_q(table)} (identity text NOT NULL)")
        if connection.vendor != "postgresql":  # SQLite anti-joins by index; PostgreSQL hashes the stage once
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {_q(table + '_identity')} ON {_q(table)} (identity)")


def stage_exists(batch_id: int) -> bool:
    with connection.cursor() as cursor:
        return stage_table(batch_id) in connection.introspection.table_names(cursor)


def stages_list() -> dict[int, str]:
    """Every stage in the database: batch id -> table name (whatever its batch's state)."""
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
    found = (_STAGE_NAME.fullmatch(name) for name in names)
    return {int(match[1]): match[0] for match in found if match}


def stage_drop(batch_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_q(stage_table(batch_id))}")


def stage_and_compare(*, batch_id: int, unit_id: int, item_id: int, identities: list[str],
                      candidates: list[tuple[int, str, str, int | None]]) -> set[int]:
    """Stage ``identities``; of ``candidates`` — (row number, identity, content hash in hex, the row's fingerprint or
    None) — return the row numbers whose record's current version has that content (or is revoked: a revoked record
    stays revoked, as in any batch). A record whose content equals the row's but that does not hold the row's
    fingerprint (loaded before fingerprints, or from a row spelled otherwise) gets it, bound to that content
    (decision 084): the next snapshot finds the row without checking it. Must run inside the chunk's transaction."""
    record, version = _q(Record._meta.db_table), _q(RecordVersion._meta.db_table)
    stage = _q(stage_table(batch_id))
    with identity_probe_cursor() as cursor:
        if connection.vendor == "postgresql":
            bound = f"k.fingerprint # {content_hash_head()}"
            found = identity_probe(
                keys="unnest(string_to_array(%s, ',')::int[], %s::text[], string_to_array(%s, ','), "
                     "string_to_array(%s, ',', '')::bigint[]) AS k(n, identity, digest, fingerprint)",
                select=f"k.n, r.id, CASE WHEN v.content_hash = decode(k.digest, 'hex') THEN {bound} END AS bound, "
                       f"r.source_fingerprint AS held",
                where="WHERE v.content_hash = decode(k.digest, 'hex') OR v.status = %s")
            cursor.execute(
                f"WITH staged AS (INSERT INTO {stage} (identity) SELECT unnest(%s::text[])), "  # noqa: S608
                f"found AS ({found}), "
                f"kept AS (UPDATE {record} AS t SET source_fingerprint = f.bound FROM found f WHERE t.id = f.id "
                f"AND f.bound IS NOT NULL AND f.held IS DISTINCT FROM f.bound) "
                f"SELECT n FROM found",
                # Row numbers, hex digests and fingerprints (no commas in any) as one string each: psycopg quotes an
                # array element by element, which cost the writer more than the comparison itself (decision 074).
                [identities, ",".join(str(c[0]) for c in candidates), [c[1] for c in candidates],
                 ",".join(c[2] for c in candidates), ",".join("" if c[3] is None else str(c[3]) for c in candidates),
                 unit_id, item_id, RecordStatus.REVOKED],
            )
            return {row[0] for row in cursor.fetchall()}
        cursor.executemany(f"INSERT INTO {stage} (identity) VALUES (%s)", [(i,) for i in identities])  # noqa: S608
        if not candidates:
            return set()
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_CHUNK_TEMP} (n integer, identity text, digest blob, "
                       f"fingerprint integer)")
        cursor.execute(f"DELETE FROM {_CHUNK_TEMP}")  # noqa: S608
        cursor.executemany(f"INSERT INTO {_CHUNK_TEMP} (n, identity, digest, fingerprint) "  # noqa: S608
                           f"VALUES (%s, %s, %s, %s)",
                           [(n, identity, bytes.fromhex(digest), fp) for n, identity, digest, fp in candidates])
        cursor.execute(
            f"SELECT k.n, r.id, r.source_fingerprint, k.fingerprint, v.content_hash = k.digest "  # noqa: S608
            f"FROM {_CHUNK_TEMP} k JOIN {record} r ON r.source_unit_id = %s AND r.catalog_item_id = %s "
            f"AND r.source_record_id = k.identity JOIN {version} v ON v.id = r.current_version_id "
            f"WHERE v.content_hash = k.digest OR v.status = %s",
            [unit_id, item_id, RecordStatus.REVOKED],
        )
        rows = cursor.fetchall()
        digests = {n: digest for n, _identity, digest, _fp in candidates}
        kept = [(fresh, record_id) for n, record_id, held, fp, same in rows
                if same and (fresh := source_fingerprint_bind(fp, digests[n])) is not None and fresh != held]
        if kept:
            cursor.executemany(f"UPDATE {record} SET source_fingerprint = %s WHERE id = %s", kept)  # noqa: S608
        cursor.execute(f"DELETE FROM {_CHUNK_TEMP}")  # noqa: S608
        return {row[0] for row in rows}


def _missing_sql(batch_id: int, *, bounded: bool) -> str:
    record, version = _q(Record._meta.db_table), _q(RecordVersion._meta.db_table)
    bounds = " AND r.id <= %s AND r.current_version_id <= %s" if bounded else ""
    return (
        f"FROM {record} r JOIN {version} v ON v.id = r.current_version_id "  # noqa: S608
        f"WHERE r.source_unit_id = %s AND r.catalog_item_id = %s AND v.status <> %s{bounds} "
        f"AND NOT EXISTS (SELECT 1 FROM {_q(stage_table(batch_id))} s WHERE s.identity = r.source_record_id)"
    )


def revoke_limit_share(day: date) -> float:
    """The share of a unit's records in force that a snapshot may revoke without a review: the deadlines
    policy's ``snapshot_revoke_max_share`` in force on ``day`` (policy data), else 10 %."""
    try:
        policy = policy_select(kind=PolicyKind.DEADLINES, day=day, jurisdiction=settings.GONGXIN_JURISDICTION)
    except PolicyNotFound:
        return DEFAULT_REVOKE_MAX_SHARE
    try:
        share = float((policy.params or {}).get(POLICY_PARAM, DEFAULT_REVOKE_MAX_SHARE))
    except (TypeError, ValueError):
        return DEFAULT_REVOKE_MAX_SHARE
    return min(max(share, 0.0), 1.0)


def plan_compute(*, batch_id: int, unit_id: int, item_id: int, day: date) -> dict[str, Any]:
    """After the last chunk: how many records in force the snapshot no longer names, against how many are in
    force, the share and the limit, and the id bounds a confirmed revocation keeps to."""
    record, version = _q(Record._meta.db_table), _q(RecordVersion._meta.db_table)
    stage = _q(stage_table(batch_id))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {stage}")
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {record}")  # noqa: S608
        record_id_max = int(cursor.fetchone()[0])
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {version}")  # noqa: S608
        version_id_max = int(cursor.fetchone()[0])
        cursor.execute(
            f"SELECT count(*) FROM {record} r JOIN {version} v ON v.id = r.current_version_id "  # noqa: S608
            f"WHERE r.source_unit_id = %s AND r.catalog_item_id = %s AND v.status <> %s",
            [unit_id, item_id, RecordStatus.REVOKED],
        )
        active = int(cursor.fetchone()[0])
        cursor.execute(f"SELECT count(*) {_missing_sql(batch_id, bounded=True)}",
                       [unit_id, item_id, RecordStatus.REVOKED, record_id_max, version_id_max])
        missing = int(cursor.fetchone()[0])
    limit = revoke_limit_share(day)
    share = missing / active if active else 0.0
    return {"active": active, "missing": missing, "share": round(share, 6), "limit": limit,
            "record_id_max": record_id_max, "version_id_max": version_id_max, "held": share > limit}


def missing_ids(*, batch_id: int, unit_id: int, item_id: int, plan: dict[str, Any]) -> list[int]:
    """The records the confirmed snapshot revokes: in force, not named by it, and no newer than the plan."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT r.id {_missing_sql(batch_id, bounded=True)} ORDER BY r.id",
                       [unit_id, item_id, RecordStatus.REVOKED, int(plan["record_id_max"]),
                        int(plan["version_id_max"])])
        return [row[0] for row in cursor.fetchall()]
