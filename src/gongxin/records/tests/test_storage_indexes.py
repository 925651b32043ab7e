"""The versions' narrow indexes (decision 088): the layout index as a bigint that the type filter's expression
reaches, and the actor index without the versions no user wrote — each still serving the read it exists for."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.models.lookups import In

from gongxin.records.models import RecordVersion
from gongxin.records.packing import payload_layout_ref
from gongxin.records.services import record_submit
from gongxin.testing.payloads import item, payload_for

pytestmark = pytest.mark.django_db
VERSIONS = RecordVersion._meta.db_table
on_postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's index and planner")


@pytest.fixture
def version(market_unit, market_operator, organization) -> RecordVersion:
    return record_submit(source_unit=market_unit, item=item("penalty"), source_record_id="CF-IDX-1",
                         subject=organization, payload=payload_for(item("penalty")), actor=market_operator).version


def _plan(sql: str, params: list[object]) -> str:
    """The plan with sequential scans priced out: an index that can answer the query is then the one shown."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (COSTS OFF) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    return plan


def _uses(plan: str, index: str) -> bool:
    """Whether ``plan`` reads ``index`` or, on the partitioned table, one of its partitions' indexes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relid::regclass::text FROM pg_partition_tree(%s::regclass)", [index])
        names = [row[0] for row in cursor.fetchall()] or [index]
    return any(re.search(rf"Index (Only )?Scan (using|on) {re.escape(name)}\b", plan) for name in names)


def _index_definitions() -> dict[str, str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [VERSIONS])
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s", [VERSIONS])
        return {name: sql or "" for name, sql in cursor.fetchall()}


@on_postgresql
def test_the_layout_filter_is_read_from_the_bigint_layout_index(version):
    ref = version.packed_payload[0]
    query = RecordVersion.objects.filter(In(payload_layout_ref("packed_payload"), [ref])).values("id")
    sql, params = query.query.sql_with_params()
    assert _uses(_plan(sql, list(params)), "records_version_layout_idx")
    assert list(query) == [{"id": version.pk}]
    assert "::bigint" in _index_definitions()["records_version_layout_idx"]


@on_postgresql
def test_a_user_s_versions_are_found_through_the_partial_actor_index(version):
    # The lookup of the foreign key's check and of PROTECT when a user is deleted: ``actor_id = …`` implies the
    # index's ``IS NOT NULL``.
    plan = _plan(f"SELECT 1 FROM {VERSIONS} WHERE actor_id = %s", [1])  # noqa: S608 - a model's table
    assert _uses(plan, "records_version_actor_idx")
    plan = _plan(f"SELECT 1 FROM {VERSIONS} WHERE actor_id IN (%s, %s)", [1, 2])  # noqa: S608 - a model's table
    assert _uses(plan, "records_version_actor_idx")


def test_the_actor_index_leaves_out_versions_without_an_actor():
    definitions = _index_definitions()
    actor = [sql for sql in definitions.values() if "actor_id" in sql]
    assert len(actor) == 1, actor  # one index on the column, the partial one
    assert "WHERE" in actor[0] and "IS NOT NULL" in actor[0]

