"""The outbox's partitions (PostgreSQL): kept ahead of the event ids, and dropped once every consumer has read
past them — a delivered event costs no DELETE and leaves no dead rows (decision 047).

Nothing else reads old events: deliveries keep the event id as a number, not a foreign key, and the change
feed reads deliveries. ``GONGXIN_OUTBOX_KEEP_EVENTS`` events behind the slowest consumer are kept anyway (for
inspection). On SQLite ``outbox_prune`` deletes the same events row by row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction

from gongxin.core.models import ConsumerCursor, OutboxEvent
from gongxin.core.partitions import forget, partitions_below, range_partitions_ensure

DEFAULT_SIZE = 5_000_000  # event ids per partition


def outbox_partition_size() -> int:
    return int(getattr(settings, "GONGXIN_OUTBOX_PARTITION_IDS", DEFAULT_SIZE))


def outbox_partitions_ensure(*, up_to: int | None = None) -> list[str]:
    return range_partitions_ensure(table=OutboxEvent._meta.db_table, size=outbox_partition_size(), up_to=up_to)


def outbox_read_by_all() -> int:
    """The id every configured consumer has read up to (0 when one has not started)."""
    from gongxin.core.outbox import consumers

    positions = dict(ConsumerCursor.objects.values_list("consumer", "position"))
    return min((positions.get(c.name, 0) for c in consumers()), default=0)


def outbox_prune() -> tuple[list[str], int]:
    """Drop what every consumer has read (less ``GONGXIN_OUTBOX_KEEP_EVENTS``): whole partitions on PostgreSQL,
    rows on SQLite. Returns (partitions dropped, rows deleted). Safe to re-run."""
    below = outbox_read_by_all() - int(getattr(settings, "GONGXIN_OUTBOX_KEEP_EVENTS", 0)) + 1
    table = OutboxEvent._meta.db_table
    if connection.vendor != "postgresql":
        deleted, _ = OutboxEvent.objects.filter(id__lt=below).delete()
        return [], deleted
    dropped = partitions_below(table=table, size=outbox_partition_size(), below=below)
    with transaction.atomic(), connection.cursor() as cursor:
        for name in dropped:
            cursor.execute(f'ALTER TABLE "{table}" DETACH PARTITION "{name}"')
            cursor.execute(f'DROP TABLE "{name}"')
    forget(table)
    return dropped, 0
