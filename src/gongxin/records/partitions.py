"""Partitions of the record versions on PostgreSQL: ranges of ``id`` (decision 047).

The current-version join (``records.current_version_id = versions.id``) — every listing, profile and count —
prunes to one partition; a record's history (``record_id``) probes each partition's local unique index on
(record, number). Each partition gets what a partitioned parent cannot give it: that unique index (a unique
constraint of the parent would have to contain ``id``) and the TRUNCATE guard of migration 0002 (row triggers
are cloned from the parent; statement triggers are not).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from gongxin.core.partitions import range_partitions_ensure
from gongxin.records.models import RecordVersion

DEFAULT_SIZE = 10_000_000  # ids per partition: ~7 GB of versions at 700 B; 100 partitions at 1B


def version_partition_size() -> int:
    return int(getattr(settings, "GONGXIN_VERSION_PARTITION_IDS", DEFAULT_SIZE))


def version_partition_prepare(cursor: Any, name: str) -> None:
    cursor.execute(f'CREATE UNIQUE INDEX IF NOT EXISTS "{name}_record_number" ON "{name}" (record_id, number)')
    cursor.execute(f'DROP TRIGGER IF EXISTS recordversion_no_truncate ON "{name}"')
    cursor.execute(f'CREATE TRIGGER recordversion_no_truncate BEFORE TRUNCATE ON "{name}" '
                   "FOR EACH STATEMENT EXECUTE FUNCTION gongxin_version_immutable()")


def version_partitions_ensure(*, up_to: int | None = None) -> list[str]:
    """Partitions ahead of the versions' ids (``up_to``: the highest id about to be written)."""
    return range_partitions_ensure(table=RecordVersion._meta.db_table, size=version_partition_size(),
                                   up_to=up_to, on_create=version_partition_prepare)
