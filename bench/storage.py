"""Bytes per record on PostgreSQL: heap, TOAST and every index of the record tables, per table and per index,
with the average stored size of each column (decision 047).

    .venv/bin/python bench/storage.py --postgres postgres://postgres@127.0.0.1:5432/store_demo

Reads only (run ``VACUUM ANALYZE`` first for settled figures: ``--vacuum``). A partitioned table is counted with
all its partitions. "per record" divides by the number of records; the outbox is shown twice: as written (all
events the records produced) and at rest (the events no consumer still needs are dropped, a partition at a time).
"""

from __future__ import annotations

import argparse
import sys

import psycopg

TABLES = ("records_record", "records_recordversion", "records_listentry", "records_profilesummary",
          "records_versiontext", "core_outboxevent")


def _relations(cur: psycopg.Cursor, table: str) -> list[str]:
    """The table itself and, when it is partitioned, its partitions (leaves)."""
    cur.execute("SELECT relid::regclass::text FROM pg_partition_tree(%s::regclass) WHERE isleaf", [table])
    leaves = [row[0] for row in cur.fetchall()]
    return leaves or [table]


def _exists(cur: psycopg.Cursor, table: str) -> bool:
    cur.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
    return bool(cur.fetchone()[0])


def measure(url: str, *, vacuum: bool) -> None:
    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cur:
        if vacuum:
            for table in TABLES:
                if _exists(cur, table):
                    cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute("SELECT count(*) FROM records_record")
        records = cur.fetchone()[0] or 1
        print(f"records: {records:,}")
        print(f"{'relation':<52}{'rows':>12}{'heap':>12}{'toast':>10}{'indexes':>12}{'total':>12}{'B/record':>10}")
        grand = 0
        for table in TABLES:
            if not _exists(cur, table):
                continue
            leaves = _relations(cur, table)
            rows = heap = toast = indexes = 0
            per_index: dict[str, int] = {}
            for leaf in leaves:
                cur.execute("SELECT count(*) FROM " + leaf)
                rows += cur.fetchone()[0]
                cur.execute("SELECT pg_relation_size(%s::regclass), pg_table_size(%s::regclass) - "
                            "pg_relation_size(%s::regclass), pg_indexes_size(%s::regclass)", [leaf] * 4)
                h, t, i = cur.fetchone()
                heap, toast, indexes = heap + h, toast + t, indexes + i
                cur.execute("SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) FROM pg_index "
                            "WHERE indrelid = %s::regclass", [leaf])
                for name, size in cur.fetchall():
                    key = name if len(leaves) == 1 else name.replace(leaf.split(".")[-1], table + "_*")
                    per_index[key] = per_index.get(key, 0) + size
            total = heap + toast + indexes
            grand += total
            print(f"{table:<52}{rows:>12,}{heap:>12,}{toast:>10,}{indexes:>12,}{total:>12,}{total / records:>10.1f}")
            for name, size in sorted(per_index.items(), key=lambda item: -item[1]):
                print(f"  index {name:<44}{'':>12}{'':>12}{'':>10}{size:>12,}{'':>12}{size / records:>10.1f}")
            cur.execute("SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                        "AND NOT attisdropped ORDER BY attnum", [table])
            columns = [row[0] for row in cur.fetchall()]
            if columns and rows:
                averages = ", ".join(f'avg(pg_column_size("{c}"))::numeric(10,1)' for c in columns)
                cur.execute(f"SELECT {averages} FROM (SELECT * FROM {table} LIMIT 200000) t")
                sizes = cur.fetchone()
                print("  columns: " + ", ".join(f"{c} {s}" for c, s in zip(columns, sizes, strict=True)))
        print(f"{'all record tables':<52}{'':>12}{'':>12}{'':>10}{'':>12}{grand:>12,}{grand / records:>10.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", required=True, help="URL of the database to measure")
    parser.add_argument("--vacuum", action="store_true", help="VACUUM ANALYZE the tables first")
    args = parser.parse_args()
    measure(args.postgres, vacuum=args.vacuum)
    return 0


if __name__ == "__main__":
    sys.exit(main())
