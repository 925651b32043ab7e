"""Reads of the records app that other apps' bulk paths share.

``identity_probe``: the records of one (source unit, catalog item) found by their identities (source record ids)
with their current versions — the LATERAL probe of decision 015, one index probe per identity, in one statement
whatever the number of identities. Three bulk paths use it: ``records.load`` (what a chunk's rows will correct),
``ingest.snapshot.stage_and_compare`` (a snapshot's rows compared by content hash) and
``ingest.fingerprint.presumed_verify`` (a snapshot's presumed rows verified by fingerprint).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from gongxin.core.planner import planner_settings
from gongxin.records.models import Record, RecordVersion

__all__ = ["IDENTITY_PROBE_SETTINGS", "content_hash_head", "identity_probe", "identity_probe_cursor"]

# ``source_record_id IN (...)`` — and even a join to the identities — let the planner, with statistics not yet refreshed
# during a big load (autovacuum analyzes later, if at all), read every record of the unit and item for each chunk:
# quadratic over a 2M-row batch. A LATERAL probe per identity has few plans, and with sequential scans set aside each
# probe reads an index even while the statistics still say the table is empty. Which index is the statement's shape
# (``identity_probe``): with sorting set aside too, the identity index's order is the probe's only plan.
IDENTITY_PROBE_SETTINGS = {"enable_seqscan": "off", "enable_sort": "off"}


def content_hash_head(column: str = "v.content_hash") -> str:
    """PostgreSQL: the first 8 bytes of a content hash as a signed ``bigint`` — what ``Record.source_fingerprint``
    is bound to (XOR: ``records.content.source_fingerprint_bind``; ``#`` in SQL)."""
    return f"('x' || encode(substring({column} FROM 1 FOR 8), 'hex'))::bit(64)::bigint"


def identity_probe(*, keys: str, select: str, where: str = "", version_join: str = "JOIN") -> str:
    """PostgreSQL: ``SELECT {select} FROM {keys} CROSS JOIN LATERAL (the record by k.identity) r {version_join} its
    current version v {where}``. ``keys`` is a row source aliased ``k`` with an ``identity`` column (an ``unnest`` of
    the caller's arrays); ``r`` has ``id``, ``source_record_id``, ``subject_id``, ``source_fingerprint`` and
    ``current_version_id``. The statement's parameters: those of ``keys``, then the source unit's and the catalog
    item's ids, then those of ``where``. Run it in ``identity_probe_cursor``."""
    # The probe is "the first record at or after (unit, item, identity) in the identity index's order", kept if it is
    # that identity. Equalities on the three columns would leave the planner a choice of index, and on statistics
    # taken while the table looked empty (pages of rolled-back rows, an ANALYZE of that moment) it took the catalog
    # item's index, filtering every record of the item for each identity: quadratic over a load (docs/testing.md).
    # Only the identity index can serve a row comparison that starts with the unit, in its order; one entry read.
    quote = connection.ops.quote_name
    record, version = quote(Record._meta.db_table), quote(RecordVersion._meta.db_table)
    columns = "source_unit_id, catalog_item_id, source_record_id"
    return (
        f"SELECT {select} FROM {keys} CROSS JOIN (SELECT %s::bigint AS unit, %s::bigint AS item) AS b "  # noqa: S608
        f"CROSS JOIN LATERAL (SELECT id, source_record_id, subject_id, source_fingerprint, current_version_id "
        f"FROM (SELECT id, {columns}, subject_id, source_fingerprint, current_version_id FROM {record} "
        f"WHERE ({columns}) >= (b.unit, b.item, k.identity) ORDER BY {columns} LIMIT 1) AS nearest "
        f"WHERE source_unit_id = b.unit AND catalog_item_id = b.item AND source_record_id = k.identity) r "
        f"{version_join} {version} v ON v.id = r.current_version_id {where}"
    )


@contextmanager
def identity_probe_cursor() -> Iterator[Any]:
    """A cursor whose statements read the identity index whatever the statistics say (``core.planner``: local to the
    block's transaction, or put back at its end inside the caller's)."""
    with planner_settings(IDENTITY_PROBE_SETTINGS), connection.cursor() as cursor:
        yield cursor
