"""One run per batch: a second run of the same file while the first is alive is refused with a stable code
and the counters stay exact; a batch whose run died is shown as interrupted and resumes when run again."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from gongxin.core.errors import GongxinError
from gongxin.ingest.choices import BatchStatus
from gongxin.ingest.locking import INTERRUPTED_CODE, _start_time, run_token
from gongxin.ingest.models import Batch
from gongxin.ingest.services import batch_for_file, batch_get, batch_ingest_file, batch_run
from gongxin.ingest.tests.conftest import csv_write, penalty_row, uscc_complete
from gongxin.records.models import Record

ROWS = 40


def _file(tmp_path: Path) -> Path:
    rows = [penalty_row(number=f"甬市监罚〔2026〕{n}号", uscc=uscc_complete(f"91330200MA{n:07d}"),
                        name=f"宁波市第{n}号公司") for n in range(ROWS)]
    return csv_write(tmp_path / "same.csv", rows)


@pytest.mark.django_db(transaction=True)
def test_a_second_run_of_the_same_file_is_refused_while_the_first_runs(tmp_path, market_unit, penalty, operator,
                                                                        frozen_today):
    """The issue's case: two ``gongxin ingest`` of one file at once crashed one and counted 35,000 rows
    received for 30,000. Now the second is refused (``ingest.batch_running``), the first loads exactly."""
    path = _file(tmp_path)
    batch = batch_for_file(path=path, source_unit=market_unit, item=penalty, actor=operator)
    first_chunk_done, go_on = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def progress(rows: int) -> None:
        first_chunk_done.set()
        go_on.wait(timeout=30)

    def first_run() -> None:
        try:
            outcome["first"] = batch_run(batch_id=batch.pk, path=path, actor=operator, progress=progress,
                                         chunk_size=10)
        except Exception as exc:  # reported by the assertion below
            outcome["first"] = exc
        finally:
            connection.close()

    runner = threading.Thread(target=first_run)
    runner.start()
    try:
        assert first_chunk_done.wait(timeout=30)
        with pytest.raises(GongxinError) as refused:
            batch_run(batch_id=batch.pk, path=path, actor=operator, chunk_size=10)
        assert refused.value.code == "ingest.batch_running" and refused.value.status == 409
        assert refused.value.details["batch"] == batch.pk and refused.value.details["rows_done"] == 10
        with pytest.raises(CommandError, match=r"ingest\.batch_running"):  # the command says so, exit status 1
            call_command("ingest", str(path), "--source-unit", "NB-SCJG", "--item", "penalty")
        assert batch_get(batch_id=batch.pk, viewer=operator).status != BatchStatus.FAILED  # alive: not marked
    finally:
        go_on.set()
        runner.join(timeout=60)
    finished = outcome["first"]
    assert isinstance(finished, Batch), finished
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    assert (batch.received, batch.inserted, batch.rows_done) == (ROWS, ROWS, ROWS)
    assert Record.objects.count() == ROWS
    assert Batch.objects.count() == 1


def _dead_owner() -> str:
    """The token of a process of this host that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])  # this interpreter, no input
    start = _start_time(process.pid)
    process.wait()
    return f"{run_token().split(':', 1)[0]}:{process.pid}:{start}"


@pytest.mark.django_db
def test_a_batch_whose_run_died_is_shown_interrupted_and_resumes(tmp_path, market_unit, penalty, operator,
                                                                  operator_user, frozen_today, client):
    path = _file(tmp_path)
    batch = batch_for_file(path=path, source_unit=market_unit, item=penalty, actor=operator)
    # A run loaded nothing yet and was killed: the batch says running, its owner is gone.
    Batch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING, owner=_dead_owner())

    client.force_login(operator_user)
    page = client.get(f"/ingest/batches/{batch.pk}/")
    assert page.status_code == 200 and b"data-interrupted" in page.content
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and INTERRUPTED_CODE in batch.failure
    detail = client.get(f"/api/v1/ingest/batches/{batch.pk}").json()
    assert detail["status"] == "failed" and INTERRUPTED_CODE in detail["failure"]

    resumed = batch_ingest_file(path=path, source_unit=market_unit, item=penalty, actor=operator)
    assert resumed.pk == batch.pk and resumed.status == BatchStatus.DONE
    assert (resumed.received, resumed.inserted) == (ROWS, ROWS)


@pytest.mark.django_db
def test_a_dead_runs_batch_is_taken_over_directly_and_the_status_command_shows_it(tmp_path, market_unit, penalty,
                                                                                  operator, frozen_today, capsys):
    path = _file(tmp_path)
    batch = batch_for_file(path=path, source_unit=market_unit, item=penalty, actor=operator)
    Batch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING, owner=_dead_owner())
    call_command("ingest", "status")
    assert f"batch {batch.pk}: failed" in capsys.readouterr().out

    Batch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING, owner=_dead_owner())
    call_command("ingest", str(path), "--source-unit", "NB-SCJG", "--item", "penalty")  # no refusal
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.inserted == ROWS and not Batch.objects.exclude(pk=batch.pk)


@pytest.mark.django_db
def test_a_run_that_lost_its_batch_does_not_write_its_chunk(tmp_path, market_unit, penalty, operator, frozen_today):
    """Fencing: when another run has taken the batch over, the old run's next chunk is rolled back."""
    path = _file(tmp_path)
    batch = batch_for_file(path=path, source_unit=market_unit, item=penalty, actor=operator)

    def progress(rows: int) -> None:
        Batch.objects.filter(pk=batch.pk).update(owner="elsewhere:1:1")  # taken over after the first chunk

    with pytest.raises(GongxinError) as stopped:
        batch_run(batch_id=batch.pk, path=path, actor=operator, progress=progress, chunk_size=10)
    assert stopped.value.code == "ingest.batch_taken_over"
    batch.refresh_from_db()
    assert (batch.rows_done, batch.inserted, batch.status) == (10, 10, BatchStatus.RUNNING)
    assert Record.objects.count() == 10
