"""The counting rule (records.counting): its Q, its SQL and its predicate agree, row for row, on the days
around the end dates — the day before, the last day itself (decision 018: it still counts) and the day
after — for nulls, every status and repaired or not. Real rows, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from django.db import connection

from gongxin.catalog.models import SourceUnit
from gongxin.core import clock
from gongxin.records.choices import ChangeKind, RecordStatus
from gongxin.records.counting import (
    counting_ends_on,
    counts,
    counts_q,
    counts_sql,
    publicity_over_q,
    records_join_sql,
    retention_over_q,
    within_publicity,
    within_publicity_q,
    within_publicity_sql,
    within_retention,
    within_retention_q,
    within_retention_sql,
)
from gongxin.records.models import Record, RecordVersion
from gongxin.records.tests.conftest import item
from gongxin.subjects.models import Subject

DAY = date(2026, 6, 15)
BEFORE, AFTER = DAY - timedelta(days=1), DAY + timedelta(days=1)
ENDS = (None, BEFORE, DAY, AFTER)
STATUSES = (RecordStatus.ACTIVE, RecordStatus.REVOKED, RecordStatus.ARCHIVED)


@pytest.fixture
def versions(market_unit: SourceUnit, organization: Subject) -> dict[int, RecordVersion]:
    """One record for every combination of retention end, publicity end, status and repaired."""
    penalty = item("penalty")
    now = clock.now()
    made: dict[int, RecordVersion] = {}
    for n, (retention_end, publicity_end, status, repaired) in enumerate(
            itertools.product(ENDS, ENDS, STATUSES, (False, True))):
        record = Record.objects.create(source_unit=market_unit, catalog_item=penalty, source_record_id=f"c-{n}",
                                       subject=organization, created_at=now)
        version = RecordVersion.objects.create(
            record=record, number=1, change=ChangeKind.CREATED, status=status, payload={}, content_hash="0" * 64,
            polarity="negative", severity="general", decision_date=date(2021, 6, 15), repaired=repaired,
            publicity_max_end=publicity_end, retention_end=retention_end, actor_label="tests", created_at=now)
        Record.objects.filter(pk=record.pk).update(current_version=version)
        made[record.pk] = version
    return made


def _by_q(q) -> set[int]:
    return set(Record.objects.filter(q).values_list("pk", flat=True))


def _by_sql(condition: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT r.id FROM {records_join_sql(record='r', version='v')} WHERE {condition}")  # noqa: S608
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
@pytest.mark.parametrize("day", [BEFORE, DAY, AFTER], ids=["day-before", "last-day", "day-after"])
@pytest.mark.parametrize("repaired_counts", [True, False], ids=["repaired-counts", "repaired-does-not"])
def test_counts_q_sql_and_predicate_agree(versions, day, repaired_counts):
    by_predicate = {pk for pk, v in versions.items() if counts(v, day=day, repaired_counts=repaired_counts)}
    assert _by_q(counts_q(day=day, repaired_counts=repaired_counts)) == by_predicate
    assert _by_sql(counts_sql(day=day, version="v", repaired_counts=repaired_counts)) == by_predicate
    # The rule itself: in effect, retention end null or not before the day, repaired only when it counts.
    expected = {pk for pk, v in versions.items()
                if v.status == RecordStatus.ACTIVE and (v.retention_end is None or v.retention_end >= day)
                and (repaired_counts or not v.repaired)}
    assert by_predicate == expected


@pytest.mark.django_db
@pytest.mark.parametrize("day", [BEFORE, DAY, AFTER], ids=["day-before", "last-day", "day-after"])
def test_windows_and_their_complements_agree(versions, day):
    retained = {pk for pk, v in versions.items() if within_retention(v, day=day)}
    assert _by_q(within_retention_q(day=day)) == retained
    assert _by_sql(within_retention_sql(day=day)) == retained
    assert _by_q(retention_over_q(day=day)) == set(versions) - retained

    shown = {pk for pk, v in versions.items() if within_publicity(v, day=day)}
    assert _by_q(within_publicity_q(day=day)) == shown
    assert _by_sql(within_publicity_sql(day=day)) == shown
    assert _by_q(publicity_over_q(day=day)) == set(versions) - shown


@pytest.mark.django_db
def test_a_record_counts_on_its_last_day_and_stops_the_day_after(versions):
    last_day = next(v for v in versions.values()
                    if v.retention_end == DAY and v.status == RecordStatus.ACTIVE and not v.repaired)
    assert counts(last_day, day=DAY)
    assert not counts(last_day, day=AFTER)
    assert counting_ends_on(last_day.retention_end) == AFTER
    assert counting_ends_on(None) is None
    assert Record.objects.filter(counts_q(day=DAY), pk=last_day.record_id).exists()
    assert not Record.objects.filter(counts_q(day=AFTER), pk=last_day.record_id).exists()


@pytest.mark.django_db
def test_prefix_reaches_records_from_another_model(versions):
    """From a version back to its record and on to the current version: the path other models use."""
    pks = {pk for pk, v in versions.items() if counts(v, day=DAY, repaired_counts=False)}
    through = set(RecordVersion.objects.filter(counts_q(day=DAY, prefix="record__", repaired_counts=False))
                  .values_list("record_id", flat=True))
    assert through == pks


def test_sql_takes_only_a_date():
    from datetime import datetime

    with pytest.raises(TypeError):
        counts_sql(day="2026-01-01'; DROP TABLE x; --")  # not a date: refused
    with pytest.raises(TypeError):
        counts_sql(day=datetime(2026, 1, 1))  # noqa: DTZ001
    assert counts(None, day=DAY) is False
