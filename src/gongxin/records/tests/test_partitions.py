"""PostgreSQL: record versions and the outbox are partitioned by range of id (decision 047) — queries by id touch
one partition, history stays immutable on every partition, and read events go a partition at a time."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from gongxin.core.models import ConsumerCursor, OutboxEvent
from gongxin.core.outbox import consumers
from gongxin.core.outbox_partitions import outbox_partition_size, outbox_prune
from gongxin.core.partitions import is_partitioned, partition_name
from gongxin.records.models import Record, RecordVersion
from gongxin.records.partitions import version_partition_size, version_partitions_ensure
from gongxin.records.services import record_submit
from gongxin.testing.payloads import item, payload_for

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="declarative partitioning is PostgreSQL's"),
]
VERSIONS = RecordVersion._meta.db_table


def _plan(sql: str, params: list[object] | None = None) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql, params or [])
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def version(market_unit, market_operator, organization) -> RecordVersion:
    return record_submit(source_unit=market_unit, item=item("penalty"), source_record_id="CF-PART-1",
                         subject=organization, payload=payload_for(item("penalty")), actor=market_operator).version


def test_versions_and_outbox_are_partitioned_with_spare_partitions_ahead():
    assert is_partitioned(VERSIONS) and is_partitioned(OutboxEvent._meta.db_table)
    version_partitions_ensure()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = to_regclass(%s)", [VERSIONS])
        assert cursor.fetchone()[0] >= 3


def test_a_version_by_id_is_read_from_its_partition_only(version):
    plan = _plan(f"SELECT * FROM {VERSIONS} WHERE id = %s", [version.pk])  # noqa: S608 - a model's table
    assert partition_name(VERSIONS, 0) in plan
    assert partition_name(VERSIONS, 1) not in plan  # pruned at plan time


def test_the_current_version_join_prunes_at_run_time(version):
    plan = _plan(f"SELECT v.status FROM {Record._meta.db_table} r JOIN {VERSIONS} v "  # noqa: S608 - model tables
                 "ON v.id = r.current_version_id WHERE r.id = %s", [version.record_id])
    # Either only the partition holding the id is scanned, or the others are listed as never executed.
    scanned = [line for line in plan.splitlines() if f"{VERSIONS}_p" in line and "never executed" not in line]
    assert len(scanned) == 1 and partition_name(VERSIONS, 0) in scanned[0]


@pytest.mark.parametrize("statement", [
    "UPDATE {partition} SET reason = 'rewritten' WHERE id = %s",
    "DELETE FROM {partition} WHERE id = %s",
    "TRUNCATE {partition}",
])
def test_each_partition_refuses_rewrites_of_history(version, statement):
    partition = partition_name(VERSIONS, version.pk // version_partition_size())
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(partition=partition), [version.pk] if "%s" in statement else [])
    assert RecordVersion.objects.filter(pk=version.pk).exists()


def test_a_version_number_is_unique_within_its_partition(version):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {VERSIONS} (record_id, number, change, status, payload, content_hash, polarity, "  # noqa: S608
            "severity, under_objection, repaired, published, publicity_ended, actor_label, reason, legal_basis, "
            "created_at) SELECT record_id, number, change, status, payload, content_hash, polarity, severity, "
            "under_objection, repaired, published, publicity_ended, actor_label, reason, legal_basis, created_at "
            f"FROM {VERSIONS} WHERE id = %s",
            [version.pk],
        )


def test_prune_drops_the_partitions_every_consumer_has_read():
    size = outbox_partition_size()
    table = OutboxEvent._meta.db_table
    for event_id in (size - 5, size + 5):  # one event in partition 0, one in partition 1
        OutboxEvent.objects.create(id=event_id, topic="records.record.created", aggregate_type="record",
                                   aggregate_id=1, subject_id=None, payload={}, created_at="2026-01-01T00:00:00Z")
    for consumer in consumers():
        ConsumerCursor.objects.update_or_create(consumer=consumer.name, defaults={"position": size + 5})

    dropped, deleted = outbox_prune()

    assert dropped == [partition_name(table, 0)] and deleted == 0
    assert list(OutboxEvent.objects.values_list("id", flat=True)) == [size + 5]
    assert outbox_prune() == ([], 0)  # safe to re-run
