"""Snapshot stages (``ingest_snapshot_<batch id>``) do not outlive their use: a snapshot that fails for good
drops its stage and is never resumed; a newer snapshot ends an older failed one; ``gongxin ingest cleanup``
drops the stages left behind and keeps those a batch may still read. Run on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from gongxin.core import clock
from gongxin.ingest import snapshot
from gongxin.ingest.choices import BatchStatus
from gongxin.ingest.models import Batch
from gongxin.ingest.services import batch_for_file, batch_ingest_file, batch_run, snapshot_stages_cleanup
from gongxin.ingest.tests.conftest import csv_write, penalty_row, uscc_complete
from gongxin.ingest.tests.test_runs import _dead_owner
from gongxin.records.models import Record

pytestmark = pytest.mark.django_db


def _rows(numbers: range) -> list[dict[str, Any]]:
    return [penalty_row(number=f"甬市监罚〔2026〕{n}号", uscc=uscc_complete(f"91330200MA{n % 4:07d}"),
                        name=f"宁波市第{n % 4}号公司") for n in numbers]


def _stages() -> set[int]:
    return set(snapshot.stages_list())


def _in_force(unit) -> int:
    return Record.objects.filter(source_unit=unit).exclude(current_version__status="revoked").count()


def _failed_snapshot(tmp_path: Path, name: str, unit, item, actor, *, days_ago: int, rows: int = 4) -> Batch:
    """A snapshot whose run died after staging (what a SIGKILL leaves), failed ``days_ago`` days ago."""
    batch = batch_for_file(path=csv_write(tmp_path / name, _rows(range(1, rows + 1))), source_unit=unit, item=item,
                           actor=actor, snapshot=True)
    snapshot.stage_create(batch.pk)
    Batch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING, owner=_dead_owner(), rows_done=2)
    from gongxin.ingest.locking import batch_interrupted_mark

    batch_interrupted_mark(batch=Batch.objects.get(pk=batch.pk))
    Batch.objects.filter(pk=batch.pk).update(finished_at=clock.now() - timedelta(days=days_ago),
                                             created_at=clock.now() - timedelta(days=days_ago))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    return batch


def test_a_snapshot_whose_file_is_refused_drops_its_stage_and_is_never_resumed(tmp_path, market_unit, penalty,
                                                                              operator, operator_user, client,
                                                                              frozen_today):
    batch_ingest_file(path=csv_write(tmp_path / "a.csv", _rows(range(1, 21))), source_unit=market_unit,
                      item=penalty, actor=operator)
    path = csv_write(tmp_path / "b.csv", _rows(range(1, 21)))
    with override_settings(GONGXIN_INGEST_MAX_ROWS=12):  # two chunks of 5 commit, then the file is too long
        failed = batch_ingest_file(path=path, source_unit=market_unit, item=penalty, actor=operator, snapshot=True,
                                   chunk_size=5)
    assert failed.status == BatchStatus.FAILED and "too_many_rows" in failed.failure
    assert failed.rows_done == 10 and failed.pk not in _stages()
    assert failed.snapshot_plan["decision"] == "abandoned"
    client.force_login(operator_user)
    page = client.get(f"/ingest/batches/{failed.pk}/").content.decode()
    assert 'data-snapshot-decided="abandoned"' in page and "已终止" in page
    # Resuming it with an empty stage would count the 10 skipped rows' records as missing: it is not run again.
    assert batch_run(batch_id=failed.pk).status == BatchStatus.FAILED
    again = batch_ingest_file(path=path, source_unit=market_unit, item=penalty, actor=operator, snapshot=True)
    assert again.pk != failed.pk  # the same file sent again is a new batch, read whole
    assert (again.status, again.unchanged, again.missing) == (BatchStatus.DONE, 20, 0)
    assert _in_force(market_unit) == 20 and _stages() == set()


def test_a_newer_snapshot_ends_an_older_failed_one(tmp_path, market_unit, penalty, operator, frozen_today):
    older = _failed_snapshot(tmp_path, "old.csv", market_unit, penalty, operator, days_ago=0)
    assert older.pk in _stages()
    newer = batch_ingest_file(path=csv_write(tmp_path / "new.csv", _rows(range(1, 9))), source_unit=market_unit,
                              item=penalty, actor=operator, snapshot=True)
    assert newer.status == BatchStatus.DONE
    older.refresh_from_db()
    assert older.status == BatchStatus.FAILED and older.snapshot_plan["decision"] == "superseded"
    assert older.snapshot_plan["by_batch"] == newer.pk and _stages() == set()
    assert batch_run(batch_id=older.pk).status == BatchStatus.FAILED  # never resumed over the newer one


def test_cleanup_drops_what_no_batch_reads_and_keeps_what_one_may(tmp_path, market_unit, penalty, operator,
                                                                  frozen_today):
    recent = _failed_snapshot(tmp_path, "recent.csv", market_unit, penalty, operator, days_ago=1)
    stale = _failed_snapshot(tmp_path, "stale.csv", market_unit, penalty, operator, days_ago=30, rows=5)
    batch_ingest_file(path=csv_write(tmp_path / "base.csv", _rows(range(1, 21))), source_unit=market_unit,
                      item=penalty, actor=operator)
    awaiting = batch_ingest_file(path=csv_write(tmp_path / "snap.csv", _rows(range(1, 20))), source_unit=market_unit,
                                 item=penalty, actor=operator, snapshot=True)
    assert awaiting.status == BatchStatus.AWAITING
    # The newer snapshot ended both failed ones: put them back as failed and resumable, as before it ran.
    Batch.objects.filter(pk__in=[recent.pk, stale.pk]).update(snapshot_plan={})
    for batch_id in (recent.pk, stale.pk):
        snapshot.stage_create(batch_id)
    done = Batch.objects.filter(status=BatchStatus.DONE).first()
    assert done is not None
    snapshot.stage_create(done.pk)  # a finished batch's stage left by an older release
    snapshot.stage_create(987654)  # a stage whose batch was deleted
    assert len({recent.pk, stale.pk, awaiting.pk, done.pk}) == 4
    assert _stages() == {recent.pk, stale.pk, awaiting.pk, done.pk, 987654}

    planned = snapshot_stages_cleanup(dry_run=True)
    assert {(s.batch_id, s.reason) for s in planned} == {(stale.pk, "failed_long_ago"), (done.pk, "finished"),
                                                         (987654, "no_batch")}
    assert len(_stages()) == 5  # a dry run drops nothing

    out = StringIO()
    call_command("ingest", "cleanup", stdout=out)
    assert "3 snapshot stage(s) dropped." in out.getvalue()
    assert f"ingest_snapshot_{stale.pk} (batch {stale.pk}: failed_long_ago)" in out.getvalue()
    assert _stages() == {recent.pk, awaiting.pk}  # resumable, and awaiting its decision: kept
    stale.refresh_from_db()
    assert stale.snapshot_plan["decision"] == "abandoned" and stale.status == BatchStatus.FAILED
    assert batch_run(batch_id=stale.pk).status == BatchStatus.FAILED

    out = StringIO()
    call_command("ingest", "cleanup", "--failed-days", "0", stdout=out)
    assert _stages() == {awaiting.pk} and "1 snapshot stage(s) dropped." in out.getvalue()


def test_stage_names_are_the_batch_tables_only(market_unit):
    snapshot.stage_create(41)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE ingest_snapshot_41_extra (identity text)")
    assert snapshot.stages_list() == {41: "ingest_snapshot_41"}
