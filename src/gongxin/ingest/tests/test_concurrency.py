"""Batches at once on PostgreSQL (decision 058): different units' batches load alongside each other, one new
subject named by two of them is registered once, and two loads of one new record identity both succeed."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import close_old_connections, connection, transaction

from gongxin.accounts.choices import Role
from gongxin.accounts.models import Department
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.models import SourceUnit
from gongxin.ingest.choices import BatchStatus
from gongxin.ingest.locking import chunk_lock
from gongxin.ingest.services import batch_ingest_file
from gongxin.ingest.tests.conftest import csv_write, penalty_row, uscc_complete
from gongxin.records.models import Record
from gongxin.subjects.models import Organization
from gongxin.testing.races import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"),
]
ADMIN = Viewer(label="test:ingest", role=Role.ADMIN)


@pytest.fixture
def second_unit(seeded: None) -> SourceUnit:
    department = Department.objects.create(code="NB-STHJ", name="宁波市生态环境局", region_code="330200")
    return SourceUnit.objects.create(department=department, domain="ecology")


def _jobs(*jobs: Callable[[], Any]) -> Callable[[], Any]:
    queue: Iterator[Callable[[], Any]] = iter(jobs)
    lock = threading.Lock()

    def next_job() -> Any:
        with lock:
            job = next(queue)
        return job()

    return next_job


def _rows(prefix: str, count: int, uscc: str) -> list[dict[str, Any]]:
    return [penalty_row(number=f"{prefix}〔2026〕{n}号", uscc=uscc, name="宁波新设贸易有限公司") for n in range(count)]


def test_two_units_naming_one_new_firm_register_it_once(tmp_path: Path, market_unit, second_unit, penalty):
    firm = uscc_complete("91330200MA9NEW001")
    a = csv_write(tmp_path / "a.csv", _rows("甬市监罚", 300, firm))
    b = csv_write(tmp_path / "b.csv", _rows("甬环罚", 300, firm))
    results = race(_jobs(
        lambda: batch_ingest_file(path=a, source_unit=market_unit, item=penalty, actor=ADMIN),
        lambda: batch_ingest_file(path=b, source_unit=second_unit, item=penalty, actor=ADMIN),
    ))
    assert [(r.status, r.inserted, r.rejected) for r in results] == [(BatchStatus.DONE, 300, 0)] * 2, results
    assert Organization.objects.filter(uscc=firm).count() == 1
    assert Record.objects.count() == 600 and Record.objects.values("subject_id").distinct().count() == 1


def test_two_loads_of_one_new_identity_both_succeed(tmp_path: Path, market_unit, penalty):
    firm = uscc_complete("91330200MA9NEW002")
    rows = _rows("甬市监罚", 200, firm)
    a = csv_write(tmp_path / "a.csv", rows)
    b = csv_write(tmp_path / "b.csv", [*rows, penalty_row(number="甬市监罚〔2026〕999号", uscc=firm)])
    results = race(_jobs(
        lambda: batch_ingest_file(path=a, source_unit=market_unit, item=penalty, actor=ADMIN),
        lambda: batch_ingest_file(path=b, source_unit=market_unit, item=penalty, actor=ADMIN),
    ))
    assert all(r.status == BatchStatus.DONE and r.rejected == 0 for r in results), results
    assert sum(r.inserted for r in results) == 201 == Record.objects.count()
    assert sum(r.unchanged for r in results) == 200  # each identity loaded once; the other run found it


def test_another_units_chunk_commits_while_one_unit_holds_its_chunk_lock(tmp_path: Path, market_unit, second_unit,
                                                                         penalty):
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                chunk_lock(source_unit_id=market_unit.pk, item_id=penalty.pk)
                held.set()
                release.wait(timeout=30)
        finally:
            close_old_connections()
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")  # a lock shared by every unit would fail the batch here
        path = csv_write(tmp_path / "b.csv", _rows("甬环罚", 50, uscc_complete("91330200MA9NEW003")))
        batch = batch_ingest_file(path=path, source_unit=second_unit, item=penalty, actor=ADMIN)
        assert (batch.status, batch.inserted) == (BatchStatus.DONE, 50), batch.failure
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
