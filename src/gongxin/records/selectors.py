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
# probe reads the identity index even while the statistics still say the table is empty.
IDENTITY_PROBE_SETTINGS = {"enable_seqscan": "off"}


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
    quote = connection.ops.quote_name
    record, version = quote(Record._meta.db_table), quote(RecordVersion._meta.db_table)
    return (
        f"SELECT {select} FROM {keys} CROSS JOIN LATERAL (SELECT id, source_record_id, subject_id, "  # noqa: S608
        f"source_fingerprint, current_version_id FROM {record} WHERE source_unit_id = %s AND catalog_item_id = %s "
        f"AND source_record_id = k.identity LIMIT 1) r {version_join} {version} v ON v.id = r.current_version_id "
        f"{where}"
    )


@contextmanager
def identity_probe_cursor() -> Iterator[Any]:
    """A cursor whose statements read the identity index whatever the statistics say (``core.planner``: local to the
    block's transaction, or put back at its end inside the caller's)."""
    with planner_settings(IDENTITY_PROBE_SETTINGS), connection.cursor() as cursor:
        yield cursor
