"""The bulk paths' identity probe (records.selectors.identity_probe) reads one record per identity whatever the
planner's statistics say (PostgreSQL).

Statistics taken while the record table held pages of rows no one sees (rolled back or deleted, not vacuumed) say
it holds almost nothing; with them each probe was planned on the catalog item's index — one entry per record of
the item, filtered by identity — so a chunk of n identities read n times the item's records: quadratic over a big
load (the 100,050-record export test's set-up took minutes of the PostgreSQL suite, docs/testing.md)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from gongxin.records.load import RecordRow, records_load
from gongxin.testing.payloads import item, payload_for

pytestmark = pytest.mark.django_db

IDENTITIES = 400


def _rows(unit, subject) -> list[RecordRow]:
    penalty = item("penalty")
    return [
        RecordRow(source_unit_id=unit.pk, catalog_item=penalty, source_record_id=f"PROBE-{n:05d}",
                  subject_id=subject.pk, payload=payload_for(penalty, decision_date=date(2026, 3, 1 + n % 28)))
        for n in range(IDENTITIES)
    ]


def _statistics_of_an_empty_table(unit, subject) -> None:
    """As an earlier load rolled back leaves them: pages of rows no one sees, then an ANALYZE of that moment (its
    row count and page count are written in place, so they outlive a rollback too)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO records_record (source_unit_id, catalog_item_id, source_record_id, subject_id, created_at) "
            "SELECT %s, %s, 'GONE-' || n, %s, now() FROM generate_series(1, 3000) AS n",
            [unit.pk, item("penalty").pk, subject.pk],
        )
        cursor.execute("DELETE FROM records_record WHERE source_record_id LIKE 'GONE-%%'")
        cursor.execute("ANALYZE records_record")


def _records_read_by_index() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables "
                       "WHERE relname = 'records_record'")
        return int(cursor.fetchone()[0])


def test_each_identity_reads_one_record_even_while_the_statistics_say_the_table_is_empty(market_unit, organization):
    if connection.vendor != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    _statistics_of_an_empty_table(market_unit, organization)
    rows = _rows(market_unit, organization)
    assert records_load(rows, actor_label="tests", batch_size=IDENTITIES).inserted == IDENTITIES

    before = _records_read_by_index()
    again = records_load(rows, actor_label="tests", batch_size=IDENTITIES)  # every identity found, none changed
    assert again.unchanged == IDENTITIES
    # One record per identity (the planner's other choice read every record of the item for each: ~80,000).
    assert _records_read_by_index() - before <= 2 * IDENTITIES
