"""Full snapshots (全量): unchanged rows write nothing, changed rows become corrections, records the snapshot no
longer holds are revoked only once confirmed — and held for the credit office's review over the policy's share;
through the service, the command, the API and the page."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from gongxin.core.models import OutboxEvent
from gongxin.ingest.choices import BatchStatus
from gongxin.ingest.errors import SnapshotHeldForReview, SnapshotNotAwaiting
from gongxin.ingest.models import Batch
from gongxin.ingest.services import batch_ingest_file, batch_run, batch_snapshot_cancel, batch_snapshot_confirm
from gongxin.ingest.snapshot import stage_table
from gongxin.ingest.tests.conftest import csv_write, penalty_row, uscc_complete
from gongxin.records.models import Record, RecordVersion

pytestmark = pytest.mark.django_db


def _rows(numbers: range, **changed: dict[str, Any]) -> list[dict[str, Any]]:
    """Penalty rows by decision number, for a few firms; ``changed`` maps a number (as str) to changed cells."""
    return [penalty_row(number=f"甬市监罚〔2026〕{n}号", uscc=uscc_complete(f"91330200MA{n % 4:07d}"),
                        name=f"宁波市第{n % 4}号公司", **changed.get(str(n), {})) for n in numbers]


def _load(tmp_path: Path, name: str, rows: list[dict[str, Any]], unit, item, actor, *, snapshot: bool) -> Batch:
    return batch_ingest_file(path=csv_write(tmp_path / name, rows), source_unit=unit, item=item, actor=actor,
                             snapshot=snapshot)


def _active(unit) -> int:
    return Record.objects.filter(source_unit=unit).exclude(current_version__status="revoked").count()


def _stage_exists(batch: Batch) -> bool:
    return stage_table(batch.pk) in connection.introspection.table_names()


def test_unchanged_rows_write_nothing_and_changed_rows_become_corrections(tmp_path, market_unit, penalty, operator,
                                                                          frozen_today):
    first = _load(tmp_path, "a.csv", _rows(range(1, 9)), market_unit, penalty, operator, snapshot=True)
    assert (first.status, first.inserted, first.missing) == (BatchStatus.DONE, 8, 0)  # the first snapshot: all new
    versions, events = RecordVersion.objects.count(), OutboxEvent.objects.count()
    pointers = dict(Record.objects.values_list("pk", "current_version_id"))

    again = _load(tmp_path, "b.csv", _rows(range(1, 9), **{"3": {"罚款金额（万元）": "2.5"}}), market_unit, penalty,
                  operator, snapshot=True)
    assert again.status == BatchStatus.DONE and not _stage_exists(again)
    assert (again.received, again.unchanged, again.corrected, again.inserted, again.revoked) == (8, 7, 1, 0, 0)
    assert RecordVersion.objects.count() == versions + 1  # the correction only: unchanged rows wrote nothing
    assert OutboxEvent.objects.count() == events + 1
    corrected = Record.objects.get(source_record_id="nk:甬市监罚〔2026〕3号")
    assert corrected.current_version.change == "corrected" and corrected.current_version.payload["fine_amount"] == \
        "25000.00"
    assert {pk: v for pk, v in Record.objects.values_list("pk", "current_version_id") if pk != corrected.pk} == {
        pk: v for pk, v in pointers.items() if pk != corrected.pk}


def test_missing_records_wait_for_confirmation_then_are_revoked_set_based(tmp_path, market_unit, penalty, operator,
                                                                          frozen_today):
    _load(tmp_path, "a.csv", _rows(range(1, 21)), market_unit, penalty, operator, snapshot=False)
    rows = _rows(range(2, 21))
    rows[4]["处罚决定日期"] = "2026-02-30"  # rejected, but it names its record: that one is not "missing"
    batch = _load(tmp_path, "b.csv", rows, market_unit, penalty, operator, snapshot=True)
    assert batch.status == BatchStatus.AWAITING and batch.missing == 1 and batch.rejected == 1
    assert batch.snapshot_plan["active"] == 20 and batch.snapshot_plan["share"] == 0.05
    assert _active(market_unit) == 20  # nothing revoked before the decision
    assert batch_run(batch_id=batch.pk).status == BatchStatus.AWAITING  # a re-run waits for the decision too

    later = _load(tmp_path, "c.csv", _rows(range(100, 101)), market_unit, penalty, operator, snapshot=False)
    assert later.inserted == 1  # a record created after the snapshot was read is never revoked by it

    batch_snapshot_confirm(batch_id=batch.pk, actor=operator, background=False)
    done = batch_run(batch_id=batch.pk)
    assert (done.status, done.revoked, done.missing) == (BatchStatus.DONE, 1, 1)
    gone = Record.objects.select_related("current_version").get(source_record_id="nk:甬市监罚〔2026〕1号")
    assert (gone.current_version.status, gone.current_version.change, gone.current_version.number) == (
        "revoked", "revoked", 2)
    assert "快照" in gone.current_version.reason or "snapshot" in gone.current_version.reason
    assert OutboxEvent.objects.filter(topic="records.record.revoked", aggregate_id=gone.pk).count() == 1
    assert _active(market_unit) == 20  # 21 records, one revoked
    assert not _stage_exists(done)
    with pytest.raises(SnapshotNotAwaiting):
        batch_snapshot_confirm(batch_id=batch.pk, actor=operator)


def test_a_snapshot_over_the_policy_share_is_held_for_the_credit_office(tmp_path, market_unit, penalty, operator,
                                                                         staff_viewer, frozen_today):
    _load(tmp_path, "a.csv", _rows(range(1, 11)), market_unit, penalty, operator, snapshot=False)
    batch = _load(tmp_path, "b.csv", _rows(range(1, 6)), market_unit, penalty, operator, snapshot=True)
    assert batch.status == BatchStatus.HELD and batch.missing == 5 and batch.snapshot_plan["limit"] == 0.1
    with pytest.raises(SnapshotHeldForReview):
        batch_snapshot_confirm(batch_id=batch.pk, actor=operator)  # the unit cannot wave its own mass revocation
    batch_snapshot_confirm(batch_id=batch.pk, actor=staff_viewer, background=False)
    assert batch_run(batch_id=batch.pk).revoked == 5 and _active(market_unit) == 5


def test_cancelling_keeps_every_record_and_a_newer_snapshot_supersedes_an_older_one(tmp_path, market_unit, penalty,
                                                                                  operator, frozen_today):
    _load(tmp_path, "a.csv", _rows(range(1, 21)), market_unit, penalty, operator, snapshot=False)
    older = _load(tmp_path, "b.csv", _rows(range(2, 21)), market_unit, penalty, operator, snapshot=True)
    newer = _load(tmp_path, "c.csv", _rows(range(1, 20)), market_unit, penalty, operator, snapshot=True)
    older.refresh_from_db()
    assert older.status == BatchStatus.DONE and older.snapshot_plan["decision"] == "superseded"
    assert not _stage_exists(older)
    cancelled = batch_snapshot_cancel(batch_id=newer.pk, actor=operator)
    assert cancelled.status == BatchStatus.DONE and cancelled.snapshot_plan["decision"] == "cancelled"
    assert cancelled.revoked == 0 and _active(market_unit) == 20 and not _stage_exists(cancelled)


def test_the_command_says_how_many_and_confirms(tmp_path, market_unit, penalty, operator, frozen_today):
    _load(tmp_path, "a.csv", _rows(range(1, 21)), market_unit, penalty, operator, snapshot=False)
    path = csv_write(tmp_path / "b.csv", _rows(range(1, 20)))
    out = StringIO()
    call_command("ingest", str(path), "--source-unit", "NB-SCJG", "--item", "penalty", "--snapshot", stdout=out,
                 stderr=StringIO())
    batch = Batch.objects.get(snapshot=True)
    assert "1 of 20 records in force" in out.getvalue() and f"gongxin ingest confirm {batch.pk}" in out.getvalue()
    out = StringIO()
    call_command("ingest", "confirm", str(batch.pk), stdout=out)
    batch.refresh_from_db()
    assert (batch.status, batch.revoked) == (BatchStatus.DONE, 1) and "revoked 1" in out.getvalue()


def _upload(client, path: Path, django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/ingest/batches", {
            "source_unit": "NB-SCJG", "item": "penalty", "snapshot": "true",
            "file": SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")})
    assert response.status_code == 202, response.content
    return int(response.json()["id"])


def test_api_and_page_confirm_and_cancel(client, tmp_path, market_unit, penalty, operator, operator_user,
                                         frozen_today, django_capture_on_commit_callbacks):
    _load(tmp_path, "a.csv", _rows(range(1, 21)), market_unit, penalty, operator, snapshot=False)
    client.force_login(operator_user)
    batch_id = _upload(client, csv_write(tmp_path / "b.csv", _rows(range(1, 20))), django_capture_on_commit_callbacks)
    detail = client.get(f"/api/v1/ingest/batches/{batch_id}").json()
    assert (detail["snapshot"], detail["status"], detail["missing"], detail["unchanged"]) == (True, "awaiting", 1, 19)
    assert detail["snapshot_plan"]["active"] == 20
    page = client.get(f"/ingest/batches/{batch_id}/").content.decode()
    assert 'data-snapshot-decision="awaiting"' in page and 'data-missing="1"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/ingest/batches/{batch_id}/confirm")
    assert response.status_code == 202 and response.json()["status"] == "queued"  # revoked in the background
    detail = client.get(f"/api/v1/ingest/batches/{batch_id}").json()
    assert (detail["status"], detail["revoked"], detail["snapshot_plan"]["decision"]) == ("done", 1, "confirmed")
    assert client.post(f"/api/v1/ingest/batches/{batch_id}/confirm").json()["code"] == "ingest.snapshot_not_awaiting"

    batch_id = _upload(client, csv_write(tmp_path / "c.csv", _rows(range(1, 19))), django_capture_on_commit_callbacks)
    assert client.get(f"/api/v1/ingest/batches/{batch_id}").json()["missing"] == 1
    response = client.post(f"/ingest/batches/{batch_id}/cancel/")  # the page's button
    assert response.status_code == 302
    batch = Batch.objects.get(pk=batch_id)
    assert (batch.status, batch.revoked, batch.snapshot_plan["decision"]) == (BatchStatus.DONE, 0, "cancelled")
    assert 'data-snapshot-decided="cancelled"' in client.get(f"/ingest/batches/{batch_id}/").content.decode()
    assert _active(market_unit) == 19
