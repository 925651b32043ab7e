"""PostgreSQL statements prepared once per connection and run through libpq (core.prepared)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import DataError, ProgrammingError, connection, transaction

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements of PostgreSQL"),
    # autocommit, as a request runs: the statements go past the driver's cursor (inside a transaction they use it)
    pytest.mark.django_db(transaction=True),
]


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_rows_hold_the_values_djangos_cursors_give() -> None:
    from gongxin.core.prepared import prepared_rows

    at = datetime(2026, 12, 6, 8, 30, 15, 123456, tzinfo=UTC)
    sql = "SELECT %s::int + 1, %s::text, %s::timestamptz, %s::jsonb, %s::date"
    params = [1, "宁波", at, '{"a": [1, 2]}', None]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        expected = cursor.fetchall()
    assert prepared_rows(sql, params) == expected == [(2, "宁波", at, '{"a": [1, 2]}', None)]
    with transaction.atomic():
        assert prepared_rows(sql, params) == expected
    assert prepared_rows("SELECT 1 WHERE %s::int = 2", [1]) == []
    assert prepared_rows("SET LOCAL statement_timeout = 1000", []) == []


def test_a_statement_is_prepared_once_per_connection() -> None:
    from gongxin.core.prepared import prepared_rows

    sql = "SELECT %s::int * 7 AS core_prepared_once"
    for n in (1, 2, 3, None):
        assert prepared_rows(sql, [n]) == [(n * 7 if n is not None else None,)]
    assert sum(1 for s in _prepared_statements() if "core_prepared_once" in s) == 1


def test_percent_signs_other_than_placeholders_are_refused() -> None:
    from gongxin.core.prepared import prepared_rows

    with pytest.raises(ValueError, match="placeholders"):
        prepared_rows("SELECT 'a' LIKE '%%' || %s", ["x"])


def test_in_autocommit_statements_go_past_the_driver_and_are_prepared_again_when_forgotten() -> None:
    from gongxin.core.prepared import prepared_rows

    sql = "SELECT %s::int + 100 AS core_prepared_again"
    assert prepared_rows(sql, [1]) == [(101,)]
    assert any(s.startswith("SELECT $1::int + 100") for s in _prepared_statements())  # sent as $n: by us
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what a pooler's reset or DISCARD ALL does
    assert prepared_rows(sql, [2]) == [(102,)]  # prepared again and run


def test_inside_a_transaction_the_statement_is_part_of_it() -> None:
    from gongxin.core.prepared import prepared_rows

    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE core_prepared_probe (n int)")
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            prepared_rows("INSERT INTO core_prepared_probe (n) VALUES (%s)", [1])
            raise RuntimeError("roll back")
        assert prepared_rows("SELECT count(*) FROM core_prepared_probe WHERE n >= %s", [0]) == [(0,)]
        prepared_rows("INSERT INTO core_prepared_probe (n) VALUES (%s)", [2])  # autocommit: committed
        assert prepared_rows("SELECT count(*) FROM core_prepared_probe WHERE n >= %s", [0]) == [(1,)]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE core_prepared_probe")


def test_without_prepared_statements_the_statement_runs_unprepared() -> None:
    """GONGXIN_DB_PREPARE=0 (a pooler that cannot keep prepared statements) leaves prepare_threshold None."""
    from gongxin.core.prepared import prepared_rows

    connection.ensure_connection()
    raw = connection.connection
    threshold, raw.prepare_threshold = raw.prepare_threshold, None
    try:
        assert prepared_rows("SELECT %s::int - 1 AS core_unprepared", [5]) == [(4,)]
        assert prepared_rows("SET LOCAL statement_timeout = 1000", []) == []
    finally:
        raw.prepare_threshold = threshold
    assert not any("core_unprepared" in s for s in _prepared_statements())


@pytest.mark.parametrize("in_transaction", [False, True], ids=["past the driver", "driver cursor"])
def test_errors_are_djangos_and_mark_the_connection(in_transaction: bool) -> None:
    """Django's database errors, and the connection marked as Django's own cursors mark it for errors that
    may leave it unusable (so it is replaced after the request) — on both paths. Inside a transaction each
    failing statement runs in a savepoint (a rollback of the outermost block would clear the mark: Django
    takes a connection that rolled back as usable)."""
    from contextlib import ExitStack, nullcontext

    from gongxin.core.prepared import prepared_rows

    def scope() -> transaction.Atomic | nullcontext[None]:
        return transaction.atomic() if in_transaction else nullcontext()

    with ExitStack() as outer:
        if in_transaction:
            outer.enter_context(transaction.atomic())
        connection.errors_occurred = False
        with pytest.raises(DataError), scope():
            prepared_rows("SELECT 1 / %s", [0])
        with pytest.raises(ProgrammingError), scope():
            prepared_rows("SELECT * FROM core_no_such_table WHERE 1 = %s", [1])
        assert connection.errors_occurred
        connection.errors_occurred = False
        assert prepared_rows("SELECT %s::int + 1", [1]) == [(2,)]
