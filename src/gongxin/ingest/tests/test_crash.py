"""Crash safety: ``gongxin ingest`` killed with SIGKILL midway leaves no half-written record, and running the
same command again resumes the batch and completes it — nothing lost, nothing loaded twice.

The platform runs in subprocesses against its own database (a fresh SQLite file, or a fresh PostgreSQL
database when the suite runs on PostgreSQL), because the test database of pytest is not visible to
another process.
"""

# ruff: noqa: S603 - the subprocesses run this platform's own commands with arguments the test builds
from __future__ import annotations

import contextlib
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gongxin.ingest.tests.conftest import penalty_row, uscc_complete
from gongxin.testing.processes import GONGXIN, Platforms, database_value, python_run

ROWS = 4_000  # chunks of 500: killed after three or more, the re-run loads the rest
CHUNK = 500


@pytest.fixture
def platform_env(tmp_path: Path, migrated_platforms: Platforms) -> Iterator[dict[str, str]]:
    """The platform's environment: its data directory and its migrated database (a PostgreSQL database of its
    own when the suite runs on PostgreSQL, dropped after the test)."""
    with migrated_platforms.on_suite_backend(tmp_path / "data", "gx_crash") as env:
        yield env


def _counts(env: dict[str, str]) -> dict[str, int]:
    out = python_run(env, (
        "from gongxin.ingest.models import Batch\n"
        "from gongxin.records.models import Record, RecordVersion\n"
        "from gongxin.core.models import OutboxEvent\n"
        "b = Batch.objects.order_by('pk').last()\n"
        "print(Batch.objects.count(), b.pk if b else 0, b.rows_done if b else 0, b.inserted if b else 0,"
        " b.rejected if b else 0, Record.objects.count(), RecordVersion.objects.count(),"
        " OutboxEvent.objects.filter(topic='records.record.created').count(), b.status if b else 'none')\n"
    ))
    batches, batch, rows_done, inserted, rejected, records, versions, events, status = out.split()
    return {"batches": int(batches), "batch": int(batch), "rows_done": int(rows_done), "inserted": int(inserted),
            "rejected": int(rejected), "records": int(records), "versions": int(versions), "events": int(events),
            "done": int(status == "done")}


def test_killed_midway_then_rerun_completes_exactly(platform_env: dict[str, str], tmp_path: Path):
    from gongxin.ingest.tests.conftest import csv_write

    python_run(platform_env, (
        "from gongxin.accounts.models import Department\n"
        "from gongxin.catalog.models import SourceUnit\n"
        "d = Department.objects.create(code='NB-SCJG', name='宁波市市场监督管理局', region_code='330200')\n"
        "SourceUnit.objects.create(department=d, domain='market_regulation')\n"
    ))
    rows = [penalty_row(number=f"甬市监罚〔2026〕{n}号", uscc=uscc_complete(f"91330200MA{n % 3000:07d}"),
                        name=f"宁波市第{n % 3000}号公司", decided="2026-06-01")
            for n in range(ROWS)]
    for n in range(0, ROWS, 100):  # 1% invalid
        rows[n]["处罚决定日期"] = "2026-02-30"
    path = csv_write(tmp_path / "big.csv", rows)
    command = [GONGXIN, "ingest", str(path), "--source-unit", "NB-SCJG", "--item", "penalty",
               "--chunk-size", str(CHUNK)]

    process = subprocess.Popen(command, env=platform_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    killed = False
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
        with contextlib.suppress(Exception):  # the batch row may not exist yet
            if _batch_progress(platform_env, snapshot=False) >= 3 * CHUNK:
                process.send_signal(signal.SIGKILL)
                process.wait()
                killed = True
                break
    assert killed, "the ingest finished before it could be killed; raise ROWS"
    after_kill = _counts(platform_env)
    assert not after_kill["done"]
    assert 0 < after_kill["rows_done"] < ROWS and after_kill["rows_done"] % CHUNK == 0  # whole chunks only
    # No half-written record: the committed chunks' counters, records, versions and events agree exactly.
    assert after_kill["records"] == after_kill["inserted"] == after_kill["versions"] == after_kill["events"]
    assert after_kill["inserted"] + after_kill["rejected"] == after_kill["rows_done"]

    subprocess.run(command, env=platform_env, check=True, stdout=subprocess.DEVNULL)
    final = _counts(platform_env)
    assert final["batches"] == 1 and final["batch"] == after_kill["batch"]  # the same batch, resumed
    assert final["done"] and final["rows_done"] == ROWS
    assert final["rejected"] == ROWS // 100
    assert final["records"] == final["inserted"] == ROWS - ROWS // 100
    assert final["versions"] == final["records"] == final["events"]  # nothing loaded twice


def _batch_progress(env: dict[str, str], *, snapshot: bool = True) -> int:
    """The newest (snapshot) batch's ``rows_done``, read straight from the database (a poll without starting
    Django)."""
    kind = "snapshot" if snapshot else "NOT snapshot"
    done = database_value(env, f"SELECT rows_done FROM ingest_batch WHERE {kind} ORDER BY id DESC LIMIT 1")  # noqa: S608
    return int(done or 0)


def _snapshot_counts(env: dict[str, str]) -> dict[str, Any]:
    out = python_run(env, (
        "from django.db import connection\n"
        "from gongxin.ingest.models import Batch\n"
        "from gongxin.ingest.snapshot import stage_table\n"
        "from gongxin.records.models import Record, RecordVersion\n"
        "from gongxin.core.models import OutboxEvent\n"
        "b = Batch.objects.filter(snapshot=True).get()\n"
        "stage = stage_table(b.pk)\n"
        "staged = -1\n"
        "if stage in connection.introspection.table_names():\n"
        "    with connection.cursor() as c:\n"
        "        c.execute(f'SELECT count(*) FROM {stage}')\n"
        "        staged = c.fetchone()[0]\n"
        "print(b.rows_done, b.unchanged, b.corrected, b.inserted, b.rejected, b.missing, b.revoked, staged,"
        " Record.objects.count(), RecordVersion.objects.count(), OutboxEvent.objects.filter(aggregate_type='record')"
        ".count(), OutboxEvent.objects.filter(topic='records.record.revoked').count(), b.status)\n"
    ))
    names = ("rows_done", "unchanged", "corrected", "inserted", "rejected", "missing", "revoked", "staged", "records",
             "versions", "events", "revoked_events")
    *values, status = out.split()
    return {**dict(zip(names, map(int, values), strict=True)), "status": status}


SNAPSHOT_ROWS = 4_000
SNAPSHOT_CHUNK = 100


def test_a_snapshot_killed_midway_then_rerun_completes_exactly(platform_env: dict[str, str], tmp_path: Path):
    """A snapshot's chunks stage their identities in their own transactions: after SIGKILL the stage holds exactly
    the committed rows, and the re-run's unchanged / corrected counts, versions, missing and revocations are exact."""
    from gongxin.ingest.tests.conftest import csv_write

    python_run(platform_env, (
        "from gongxin.accounts.models import Department\n"
        "from gongxin.catalog.models import SourceUnit\n"
        "d = Department.objects.create(code='NB-SCJG', name='宁波市市场监督管理局', region_code='330200')\n"
        "SourceUnit.objects.create(department=d, domain='market_regulation')\n"
    ))
    rows = [penalty_row(number=f"甬市监罚〔2026〕{n}号", uscc=uscc_complete(f"91330200MA{n % 3000:07d}"),
                        name=f"宁波市第{n % 3000}号公司", decided="2026-06-01") for n in range(SNAPSHOT_ROWS)]
    base = [GONGXIN, "ingest", "--source-unit", "NB-SCJG", "--item", "penalty"]
    subprocess.run([*base[:2], str(csv_write(tmp_path / "full.csv", rows)), *base[2:]], env=platform_env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    loaded = SNAPSHOT_ROWS
    changed = range(0, SNAPSHOT_ROWS, 50)  # 2 % corrected
    for n in changed:
        rows[n]["罚款金额（万元）"] = "3.3"
    kept = rows[: SNAPSHOT_ROWS - SNAPSHOT_ROWS // 100]  # the last 1 % missing: under the 10 % share
    corrected = sum(1 for n in changed if n < len(kept))
    path = csv_write(tmp_path / "snapshot.csv", kept)
    command = [*base[:2], str(path), *base[2:], "--snapshot", "--chunk-size", str(SNAPSHOT_CHUNK)]

    process = subprocess.Popen(command, env=platform_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    killed = False
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
        with contextlib.suppress(Exception):  # the batch row may not exist yet
            done = _batch_progress(platform_env)
            if done >= 3 * SNAPSHOT_CHUNK:
                process.send_signal(signal.SIGKILL)
                process.wait()
                killed = True
                break
    assert killed, "the snapshot finished before it could be killed; raise SNAPSHOT_ROWS"
    after = _snapshot_counts(platform_env)
    assert after["status"] == "running" and 0 < after["rows_done"] < len(kept)
    assert after["rows_done"] % SNAPSHOT_CHUNK == 0 and after["staged"] == after["rows_done"]
    assert after["unchanged"] + after["corrected"] == after["rows_done"] and after["inserted"] == 0
    assert after["versions"] == loaded + after["corrected"] == after["events"]  # nothing half-written

    subprocess.run(command, env=platform_env, check=True, stdout=subprocess.DEVNULL)
    final = _snapshot_counts(platform_env)
    assert final["status"] == "awaiting" and final["rows_done"] == len(kept) == final["staged"]
    assert (final["corrected"], final["unchanged"]) == (corrected, len(kept) - corrected)
    assert final["missing"] == SNAPSHOT_ROWS // 100 and final["revoked"] == 0
    assert final["versions"] == loaded + corrected == final["events"]

    subprocess.run([GONGXIN, "ingest", "confirm", str(python_run(platform_env, (
        "from gongxin.ingest.models import Batch\nprint(Batch.objects.get(snapshot=True).pk)\n")))],
        env=platform_env, check=True, stdout=subprocess.DEVNULL)
    confirmed = _snapshot_counts(platform_env)
    assert confirmed["status"] == "done" and confirmed["revoked"] == SNAPSHOT_ROWS // 100 == confirmed["revoked_events"]
    assert confirmed["versions"] == loaded + corrected + SNAPSHOT_ROWS // 100 == confirmed["events"]
    assert confirmed["staged"] == -1  # the stage is dropped once decided
