"""The ingest API: upload a file as a batch, push records with an idempotency key, follow a batch, read its
error report, and data quality."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongxin.accounts.choices import Role, Scope
from gongxin.accounts.models import User
from gongxin.accounts.services import api_client_create
from gongxin.ingest.models import Batch
from gongxin.ingest.tests.conftest import COMPANY_USCC, COMPANY_USCC_2, csv_write, penalty_row
from gongxin.records.models import RecordVersion

pytestmark = pytest.mark.django_db
BASE = "/api/v1/ingest"


@pytest.fixture
def market_key(market_unit) -> str:
    _, key = api_client_create(name="市场监管归集系统", department=market_unit.department, scopes=[Scope.RECORDS_WRITE])
    return key


def _upload(client: Client, path: Path, **extra: str):
    body = {"source_unit": "NB-SCJG", "item": "penalty", **extra,
            "file": SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")}
    return client.post(f"{BASE}/batches", body)


class TestUpload:
    def test_operator_uploads_and_the_batch_runs_in_the_background(
        self, client, tmp_path, operator_user, frozen_today, django_capture_on_commit_callbacks
    ):
        path = csv_write(tmp_path / "penalties.csv", [
            penalty_row(number="甬市监罚〔2026〕11号"),
            penalty_row(number="甬市监罚〔2026〕12号", uscc="91330200MA2CJ0WX7A"),
        ], encoding="gbk")
        client.force_login(operator_user)
        with django_capture_on_commit_callbacks(execute=True):
            response = _upload(client, path)
        assert response.status_code == 202, response.content
        body = response.json()
        assert body["status"] == "queued"  # answered before the background run
        detail = client.get(f"{BASE}/batches/{body['id']}").json()
        assert detail["status"] == "done"
        assert (detail["received"], detail["inserted"], detail["rejected"]) == (2, 1, 1)
        assert detail["encoding"] == "gb18030" and detail["file_format"] == "csv"

        issues = client.get(f"{BASE}/batches/{body['id']}/issues", {"level": "error"}).json()
        assert [(i["row"], i["code"], i["column"]) for i in issues] == [
            (3, "invalid_uscc_checksum", "统一社会信用代码")]
        report = client.get(f"{BASE}/batches/{body['id']}/errors.csv")
        assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
        assert rows[1][:5] == ["2", "warning", "", COMPANY_USCC, "subject_created"]  # registered from the row
        assert rows[2][:5] == ["3", "error", "统一社会信用代码", "91330200MA2CJ0WX7A", "invalid_uscc_checksum"]

    def test_an_excel_file_uploads_through_the_door(self, client, tmp_path, operator_user, frozen_today,
                                                     django_capture_on_commit_callbacks):
        from openpyxl import Workbook

        row = penalty_row(number="甬市监罚〔2026〕13号")
        workbook = Workbook()
        workbook.active.append(list(row))
        workbook.active.append(list(row.values()))
        path = tmp_path / "penalties.xlsx"
        workbook.save(path)
        client.force_login(operator_user)
        with django_capture_on_commit_callbacks(execute=True):
            response = _upload(client, path)
        assert response.status_code == 202, response.content
        detail = client.get(f"{BASE}/batches/{response.json()['id']}").json()
        assert (detail["status"], detail["file_format"], detail["inserted"]) == ("done", "xlsx", 1)

    def test_another_units_operator_is_refused(self, client, tmp_path, market_unit, outsider_user):
        path = csv_write(tmp_path / "p.csv", [penalty_row()])
        client.force_login(outsider_user)
        response = _upload(client, path)
        assert response.status_code == 403
        assert response.json()["code"] == "record.not_own_source_unit"
        assert not Batch.objects.exists()

    def test_an_anonymous_visitor_is_refused(self, client, tmp_path, market_unit):
        response = _upload(client, csv_write(tmp_path / "p.csv", [penalty_row()]))
        assert response.status_code == 403
        assert not Batch.objects.exists()

    def test_a_file_without_required_columns_is_refused_with_their_names_and_not_kept(
        self, client, tmp_path, operator_user, settings
    ):
        settings.MEDIA_ROOT = tmp_path / "media"
        row = penalty_row()
        del row["违法事实"], row["处罚依据"]
        client.force_login(operator_user)
        response = _upload(client, csv_write(tmp_path / "p.csv", [row]))
        assert response.status_code == 422
        body = response.json()
        assert body["code"] == "ingest.columns_missing" and "违法事实" in body["details"]["missing"]
        assert not Batch.objects.exists()
        assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]  # nothing stored

    def test_unknown_item_and_unit(self, client, tmp_path, operator_user):
        client.force_login(operator_user)
        path = csv_write(tmp_path / "p.csv", [penalty_row()])
        assert _upload(client, path, item="nope").json()["code"] == "catalog.item_not_found"
        response = _upload(client, path, source_unit="NOPE")
        assert (response.status_code, response.json()["code"]) == (404, "catalog.source_unit_not_found")
        assert response.json()["details"] == {"code": "NOPE"}


class TestPush:
    def _push(self, client, key, records, idempotency_key="push-1"):
        return client.post(f"{BASE}/push", {"source_unit": "NB-SCJG", "item": "penalty", "records": records,
                                            "idempotency_key": idempotency_key},
                           content_type="application/json", headers={"X-API-Key": key})

    def test_per_row_results_and_idempotency(self, client, market_key, frozen_today):
        records = [
            {"source_record_id": "CF-1", **penalty_row(number="甬市监罚〔2026〕21号")},
            {"source_record_id": "CF-2", **penalty_row(number="甬市监罚〔2026〕22号", decided="2026-13-01")},
            {"source_record_id": "CF-3", **penalty_row(number="甬市监罚〔2026〕23号", uscc=COMPANY_USCC_2,
                                                        name="宁波丙丁科技有限公司")},
        ]
        response = self._push(client, market_key, records)
        assert response.status_code == 200, response.content
        body = response.json()
        assert [(r["row"], r["outcome"]) for r in body["results"]] == [
            (1, "inserted"), (2, "rejected"), (3, "inserted")]
        assert body["results"][1]["issues"][0]["code"] == "invalid_date"
        assert body["results"][1]["issues"][0]["reason_en"].startswith("Expected a date")
        versions = RecordVersion.objects.count()

        again = self._push(client, market_key, records).json()
        assert again["batch"]["id"] == body["batch"]["id"]
        assert again["results"] == body["results"]
        assert RecordVersion.objects.count() == versions

        records[0]["罚款金额（万元）"] = "3"
        corrected = self._push(client, market_key, records, idempotency_key="push-2").json()
        assert [r["outcome"] for r in corrected["results"]] == ["corrected", "rejected", "unchanged"]

        revoke = self._push(client, market_key, [{"source_record_id": "CF-3", "revoked": True,
                                                  **penalty_row(number="甬市监罚〔2026〕23号", uscc=COMPANY_USCC_2,
                                                                name="宁波丙丁科技有限公司")}],
                            idempotency_key="push-3").json()
        assert revoke["results"][0]["outcome"] == "revoked"

    def test_limits(self, client, market_key):
        assert self._push(client, market_key, []).json()["code"] == "ingest.push_empty"
        too_many = self._push(client, market_key, [{"x": 1}] * 10_001)
        assert too_many.status_code == 422 and too_many.json()["code"] == "ingest.push_too_large"

    def test_a_client_of_another_unit_is_refused(self, client, outsider_user, market_unit):
        _, key = api_client_create(name="生态", department=outsider_user.department, scopes=[Scope.RECORDS_WRITE])
        response = self._push(client, key, [penalty_row()])
        assert response.status_code == 403


class TestQuality:
    def test_quality_figures_come_from_the_batches(self, client, tmp_path, market_unit, operator, frozen_today):
        from gongxin.ingest.services import batch_ingest_file

        rows = [
            penalty_row(number="甬市监罚〔2026〕31号", decided="2026-06-08"),  # 2 working days: in time
            penalty_row(number="甬市监罚〔2026〕32号", decided="2026-05-06"),  # 24 working days: late
            penalty_row(number="甬市监罚〔2026〕33号", decided="2026-13-40"),  # rejected
            penalty_row(number="甬市监罚〔2026〕34号", fine="", decided="2026-06-09"),
        ]
        batch_ingest_file(path=csv_write(tmp_path / "q.csv", rows), source_unit=market_unit,
                          item=__import__("gongxin.catalog.models", fromlist=["CatalogItem"]).CatalogItem.objects.get(
                              code="penalty", edition__is_current=True), actor=operator)
        staff = User.objects.create_user(username="staff", password="pw-staff-1", role=Role.STAFF)
        client.force_login(staff)
        [quality] = client.get(f"{BASE}/quality").json()
        assert (quality["received"], quality["loaded"], quality["rejected"]) == (4, 3, 1)
        assert quality["rejection_rate"] == 0.25
        assert quality["rejections_by_reason"] == {"invalid_date": 1}
        assert quality["late_share"] == pytest.approx(1 / 3)
        assert quality["lag_buckets"]["0-7"] == 2 and quality["lag_buckets"]["16-30"] == 1
        fine = next(c for c in quality["completeness"] if c["field"] == "fine_amount")
        assert fine["share"] == pytest.approx(2 / 3)
        assert quality["volume_by_month"] == {"2026-06": 3}

    def test_quality_of_an_unknown_unit_is_source_unit_not_found(self, client):
        staff = User.objects.create_user(username="staff", password="pw-staff-1", role=Role.STAFF)
        client.force_login(staff)
        response = client.get(f"{BASE}/quality", {"source_unit": "NOPE"})
        assert (response.status_code, response.json()["code"]) == (404, "catalog.source_unit_not_found")

    def test_the_public_sees_no_quality(self, client):
        assert client.get(f"{BASE}/quality").status_code == 403
