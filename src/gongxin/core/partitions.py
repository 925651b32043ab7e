"""Range partitions by id for the append-only tables on PostgreSQL (decision 047).

A partitioned table ``t`` has partitions ``t_p0``, ``t_p1``, … holding ids ``[k × size, (k + 1) × size)``.
``range_partitions_ensure`` keeps ``SPARE`` empty partitions ahead of the table's id sequence; it is called by
the paths that write many rows (the bulk load, the outbox dispatch) and costs nothing between boundaries (the
covered bound is cached per process). SQLite keeps plain tables: every function here returns at once there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection

SPARE = 2  # partitions kept ahead of the sequence
_covered: dict[str, int] = {}  # table -> first id no partition holds (this process's knowledge)


def is_partitioned(table: str) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s))",
                       [table])
        return bool(cursor.fetchone()[0])


def partition_name(table: str, index: int) -> str:
    return f"{table}_p{index}"


def range_partitions_ensure(*, table: str, size: int, up_to: int | None = None,
                            on_create: Callable[[Any, str], None] | None = None) -> list[str]:
    """Create the partitions of ``table`` up to ``SPARE`` beyond ``up_to`` (default: the id sequence's last
    value); ``on_create(cursor, name)`` adds what a partition needs beyond the parent's (triggers, local
    unique indexes). Returns the partitions created."""
    if connection.vendor != "postgresql":
        return []
    if up_to is None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT last_value FROM {pg_sequence(table)}")  # noqa: S608 - a catalog name
            up_to = int(cursor.fetchone()[0])
    if up_to + size < _covered.get(table, 0) or not is_partitioned(table):
        return []
    created: list[str] = []
    last = up_to // size + SPARE
    held = set(_partition_indexes(table))
    with connection.cursor() as cursor:
        # Partitions below the oldest one held were dropped on purpose (the outbox's delivered events).
        for index in range(min(held, default=0), last + 1):
            name = partition_name(table, index)
            if index not in held:
                cursor.execute(f'CREATE TABLE "{name}" PARTITION OF "{table}" '
                               f"FOR VALUES FROM ({index * size}) TO ({(index + 1) * size})")
                if on_create is not None:
                    on_create(cursor, name)
                created.append(name)
    _covered[table] = (last + 1) * size
    return created


def pg_sequence(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        return str(cursor.fetchone()[0])


def _partition_indexes(table: str) -> list[int]:
    """The numbers ``k`` of ``table``'s partitions named ``<table>_p<k>``, in order."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                       "WHERE i.inhparent = to_regclass(%s)", [table])
        names = [row[0] for row in cursor.fetchall()]
    prefix = f"{table}_p"
    return sorted(int(n[len(prefix):]) for n in names if n.startswith(prefix) and n[len(prefix):].isdigit())


def partitions_below(*, table: str, size: int, below: int) -> list[str]:
    """The partitions of ``table`` whose every id is below ``below`` (oldest first)."""
    if not is_partitioned(table):
        return []
    return [partition_name(table, k) for k in _partition_indexes(table) if (k + 1) * size <= below]


def forget(table: str) -> None:
    """Drop this process's cached bound (after partitions are dropped or the table is rebuilt)."""
    _covered.pop(table, None)


def table_partition_by_id(schema_editor: Any, *, table: str, size: int, skip_indexes: tuple[str, ...] = (),
                          on_create: Callable[[Any, str], None] | None = None) -> None:
    """A migration's step: rebuild ``table`` (PostgreSQL) as a table partitioned by range of ``id`` with the same
    columns, rows, id sequence, indexes (but ``skip_indexes``, unique ones a partitioned table cannot hold) and
    foreign keys both ways. The rows are copied with one ``INSERT … SELECT``."""
    run = schema_editor.execute
    new = f"{table}__partitioned"
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = to_regclass(%s) AND contype = 'f'", [table])
        outgoing = cursor.fetchall()
        cursor.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE confrelid = to_regclass(%s) AND contype = 'f' AND conrelid <> confrelid", [table])
        incoming = cursor.fetchall()
        cursor.execute("SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
                       "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = to_regclass(%s) "
                       "AND NOT x.indisprimary", [table])
        indexes = [(name, sql) for name, sql in cursor.fetchall() if name not in skip_indexes]
        cursor.execute(f"SELECT last_value, is_called FROM {pg_sequence(table)}")  # noqa: S608 - a catalog name
        last_value, is_called = cursor.fetchone()
        cursor.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"')  # noqa: S608 - a model's table
        top = max(int(cursor.fetchone()[0]), int(last_value))
    run(f'CREATE TABLE "{new}" (LIKE "{table}" INCLUDING DEFAULTS) PARTITION BY RANGE (id)')
    run(f'ALTER TABLE "{new}" ADD CONSTRAINT "{new}_pkey" PRIMARY KEY (id)')
    for index in range(top // size + SPARE + 1):
        name = partition_name(table, index)
        run(f'CREATE TABLE "{name}" PARTITION OF "{new}" FOR VALUES FROM ({index * size}) TO ({(index + 1) * size})')
    run(f'INSERT INTO "{new}" SELECT * FROM "{table}"')  # noqa: S608 - model tables
    run(f'DROP TABLE "{table}" CASCADE')
    run(f'ALTER TABLE "{new}" RENAME TO "{table}"')
    run(f'ALTER INDEX "{new}_pkey" RENAME TO "{table}_pkey"')
    run(f'ALTER TABLE "{table}" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY')
    run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {max(int(last_value), 1)}, {bool(is_called)})")
    for _name, sql in indexes:
        run(sql)
    for name, definition in outgoing:
        run(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    for other, name, definition in incoming:
        run(f'ALTER TABLE {other} ADD CONSTRAINT "{name}" {definition}')
    if on_create is not None:
        with connection.cursor() as cursor:
            for index in range(top // size + SPARE + 1):
                on_create(cursor, partition_name(table, index))
    forget(table)
