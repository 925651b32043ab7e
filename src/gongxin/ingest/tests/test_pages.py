"""The ingest pages: a source unit's operator uploads on the batches page and follows the batch; the credit
office reads data quality; others are kept out."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.ingest.models import Batch
from gongxin.ingest.tests.conftest import csv_write, penalty_row

pytestmark = pytest.mark.django_db


def test_operator_uploads_and_sees_the_error_report(client, tmp_path, operator_user, frozen_today,
                                                    django_capture_on_commit_callbacks):
    path = csv_write(tmp_path / "penalties.csv", [
        penalty_row(number="甬市监罚〔2026〕61号"), penalty_row(number="甬市监罚〔2026〕62号", decided="2026-02-30"),
    ], encoding="gbk")
    client.force_login(operator_user)
    page = client.get("/ingest/")
    assert page.status_code == 200 and b"data-upload" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ingest/", {"item": "penalty",
                                            "file": SimpleUploadedFile(path.name, path.read_bytes())})
    batch = Batch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ingest/batches/{batch.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert 'data-count="inserted">1<' in detail and 'data-count="rejected">1<' in detail
    assert 'data-issue="invalid_date" data-row="3"' in detail
    report = client.get(f"/ingest/batches/{batch.pk}/errors.csv")
    assert "invalid_date" in b"".join(report.streaming_content).decode("utf-8-sig")
    assert b'data-batch="%d"' % batch.pk in client.get("/ingest/").content


def test_staff_read_quality_and_the_public_is_sent_to_log_in(client, tmp_path, market_unit, penalty, operator,
                                                              frozen_today):
    from gongxin.ingest.services import batch_ingest_file

    batch_ingest_file(path=csv_write(tmp_path / "q.csv", [penalty_row()]), source_unit=market_unit, item=penalty,
                      actor=operator)
    assert client.get("/ingest/quality/").status_code == 302
    staff = User.objects.create_user(username="staff", password="pw-staff-1", role=Role.STAFF)
    client.force_login(staff)
    page = client.get("/ingest/quality/").content.decode()
    assert 'data-quality="penalty"' in page and "bar-row" in page
    assert b"data-upload" not in client.get("/ingest/").content  # staff read; only operators upload


def test_a_subject_account_cannot_see_batches(client, market_unit, penalty, operator, tmp_path, frozen_today):
    from gongxin.ingest.services import batch_ingest_file

    batch = batch_ingest_file(path=csv_write(tmp_path / "q.csv", [penalty_row()]), source_unit=market_unit,
                              item=penalty, actor=operator)
    person = User.objects.create_user(username="someone", password="pw-someone-1", role=Role.PERSON)
    client.force_login(person)
    assert client.get("/ingest/").status_code == 403
    assert client.get(f"/ingest/batches/{batch.pk}/").status_code == 403
