"""The issue's "done when": a messy file like those departments really send loads exactly its valid rows,
the error report names every bad row with its reason, and a correction file then corrects."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from gongxin.ingest.choices import BatchStatus
from gongxin.ingest.models import BatchIssue
from gongxin.ingest.services import batch_ingest_file, error_report_rows
from gongxin.ingest.tests.conftest import (
    COMPANY_USCC,
    COMPANY_USCC_2,
    LETTER_FIRST_USCC,
    csv_write,
    penalty_row,
)
from gongxin.records.models import Record, RecordVersion
from gongxin.subjects.models import Organization

pytestmark = pytest.mark.django_db


def _messy_rows() -> list[dict[str, str]]:
    return [
        # 2: full-width digits and letters in the code, money in 万元, date with slashes
        penalty_row(uscc="９１３３０２００ＭＡ２ＣＪ０ＷＸ７Ｔ", number="甬市监罚〔2026〕1号", fine="１.５",
                    decided="2026/6/1"),
        # 3: Chinese date, letter-first USCC (valid), ideographic spaces around the name
        penalty_row(name="\u3000宁波合作社\u3000", uscc=LETTER_FIRST_USCC, number="甬市监罚〔2026〕2号",
                    decided="2026年6月2日", until="2027年6月2日"),
        # 4: Excel date serial (46176 = 2026-06-03, as Excel counts)
        penalty_row(uscc=COMPANY_USCC_2, name="宁波丙丁科技有限公司", number="甬市监罚〔2026〕3号", decided="46176"),
        # 5: bad USCC check character
        penalty_row(uscc="91330200MA2CJ0WX7A", number="甬市监罚〔2026〕4号"),
        # 6: impossible date and a negative fine
        penalty_row(number="甬市监罚〔2026〕5号", decided="2026-02-30", fine="-3"),
        # 7: exact duplicate of row 2 (after normalization)
        penalty_row(uscc=COMPANY_USCC, number="甬市监罚〔2026〕1号", fine="1.5", decided="2026-06-01"),
        # 8: decision in the future
        penalty_row(number="甬市监罚〔2026〕6号", decided="2026-07-01", until="2027-07-01"),
        # 9: validity ends before the decision
        penalty_row(number="甬市监罚〔2026〕7号", decided="2026-06-01", until="2026-05-01"),
        # 10: missing required violation facts
        penalty_row(number="甬市监罚〔2026〕8号", 违法事实=""),
        # 11: late double publicity (decided long ago): loaded, flagged
        penalty_row(number="甬市监罚〔2026〕9号", decided="2026-03-02", until="2027-03-02"),
    ]


def test_messy_gbk_file_loads_exactly_its_valid_rows(tmp_path: Path, market_unit, penalty, operator, frozen_today):
    path = csv_write(tmp_path / "处罚.csv", _messy_rows(), encoding="gbk")
    batch = batch_ingest_file(path=path, source_unit=market_unit, item=penalty, actor=operator)

    assert batch.status == BatchStatus.DONE
    assert batch.encoding == "gb18030"
    assert (batch.received, batch.inserted, batch.duplicate, batch.rejected) == (10, 4, 1, 5)
    numbers = set(Record.objects.values_list("source_record_id", flat=True))
    assert numbers == {f"nk:甬市监罚〔2026〕{n}号" for n in (1, 2, 3, 9)}

    first = RecordVersion.objects.get(record__source_record_id="nk:甬市监罚〔2026〕1号")
    assert first.payload["uscc"] == COMPANY_USCC
    assert Decimal(first.payload["fine_amount"]) == Decimal("15000.00")  # 1.5 万元
    assert first.payload["decision_date"] == "2026-06-01"
    third = RecordVersion.objects.get(record__source_record_id="nk:甬市监罚〔2026〕3号")
    assert third.payload["decision_date"] == "2026-06-03"
    coop = Organization.objects.select_related("subject").get(uscc=LETTER_FIRST_USCC)
    assert coop.subject.name == "宁波合作社"
    assert coop.subject.needs_enrichment

    errors = {(i.row_number, i.code) for i in BatchIssue.objects.filter(batch=batch, level="error")}
    assert errors == {
        (5, "invalid_uscc_checksum"), (6, "invalid_date"), (6, "negative"), (8, "future_date"),
        (9, "before_start"), (10, "required"),
    }
    late = BatchIssue.objects.get(batch=batch, code="late_publicity")
    assert late.row_number == 11 and late.level == "warning"
    report = list(error_report_rows(batch))
    assert report[0][0].startswith("行号")
    bad_check = next(r for r in report if r[4] == "invalid_uscc_checksum")
    assert bad_check[0] == "5" and bad_check[2] == "统一社会信用代码" and bad_check[3] == "91330200MA2CJ0WX7A"
    assert "校验" in bad_check[5] and "check character" in bad_check[6]


def test_rerun_changes_nothing_and_a_correction_file_corrects(tmp_path: Path, market_unit, penalty, operator,
                                                              frozen_today):
    path = csv_write(tmp_path / "a.csv", _messy_rows(), encoding="gb18030")
    batch_ingest_file(path=path, source_unit=market_unit, item=penalty, actor=operator)
    versions = RecordVersion.objects.count()

    again = batch_ingest_file(path=path, source_unit=market_unit, item=penalty, actor=operator)
    assert (again.inserted, again.corrected, again.unchanged) == (0, 0, 4)
    assert RecordVersion.objects.count() == versions

    correction = csv_write(tmp_path / "b.csv", [
        penalty_row(uscc=COMPANY_USCC, number="甬市监罚〔2026〕1号", fine="2", decided="2026-06-01"),
        penalty_row(uscc=COMPANY_USCC, number="甬市监罚〔2026〕9号", decided="2026-03-02", until="2027-03-02",
                    撤销="是"),
    ], encoding="utf-8-sig")
    fixed = batch_ingest_file(path=correction, source_unit=market_unit, item=penalty, actor=operator)
    assert (fixed.corrected, fixed.revoked, fixed.rejected) == (1, 1, 0)
    record = Record.objects.select_related("current_version").get(source_record_id="nk:甬市监罚〔2026〕1号")
    assert record.current_version.number == 2 and record.current_version.change == "corrected"
    assert record.current_version.payload["fine_amount"] == "20000.00"
    revoked = Record.objects.select_related("current_version").get(source_record_id="nk:甬市监罚〔2026〕9号")
    assert revoked.current_version.status == "revoked"


def test_the_forked_reader_gives_exactly_the_same_batch(tmp_path: Path, market_unit, penalty, operator,
                                                        frozen_today, monkeypatch, settings):
    """Large files are read and checked in a forked process (ingest.load); the outcome must not change."""
    from gongxin.ingest import services

    monkeypatch.setattr(services, "READER_PROCESS_MIN_BYTES", 0)
    settings.GONGXIN_INGEST_READER_PROCESS = True
    path = csv_write(tmp_path / "处罚.csv", _messy_rows(), encoding="gbk")
    batch = batch_ingest_file(path=path, source_unit=market_unit, item=penalty, actor=operator)
    assert (batch.received, batch.inserted, batch.duplicate, batch.rejected, batch.flagged) == (10, 4, 1, 5, 4)
    errors = {(i.row_number, i.code) for i in BatchIssue.objects.filter(batch=batch, level="error")}
    assert (5, "invalid_uscc_checksum") in errors and (10, "required") in errors


def test_bytes_of_another_encoding_reject_their_row_not_the_file(tmp_path: Path, market_unit, penalty, operator,
                                                                  frozen_today, monkeypatch, settings):
    from gongxin.ingest import services

    monkeypatch.setattr(services, "READER_PROCESS_MIN_BYTES", 0)
    path = csv_write(tmp_path / "bad.csv", _messy_rows(), encoding="utf-8")
    path.write_bytes(path.read_bytes() + "宁波,损坏".encode("gbk") + b"\n")  # GBK bytes after UTF-8 ones
    batch = batch_ingest_file(path=path, source_unit=market_unit, item=penalty, actor=operator)
    assert batch.status == BatchStatus.DONE
    assert (batch.received, batch.inserted, batch.rejected) == (11, 4, 6)
    assert {i.code for i in BatchIssue.objects.filter(batch=batch, row_number=12)} == {"undecodable"}


def test_a_file_that_is_no_table_fails_the_batch_with_the_reason(tmp_path: Path, market_unit, penalty, operator):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    batch = batch_ingest_file(path=path, source_unit=market_unit, item=penalty, actor=operator)
    assert batch.status == BatchStatus.FAILED
    assert "ingest.file_unreadable" in batch.failure


def test_a_big_batch_refreshes_the_planner_statistics_on_postgresql(tmp_path: Path, market_unit, penalty, operator,
                                                                     frozen_today, monkeypatch):
    from django.db import connection

    from gongxin.ingest import services

    if connection.vendor != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    monkeypatch.setattr(services, "ANALYZE_AFTER_VERSIONS", 1)
    batch_ingest_file(path=csv_write(tmp_path / "a.csv", _messy_rows()), source_unit=market_unit, item=penalty,
                      actor=operator)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'records_record'")
        assert cursor.fetchone()[0] == 4  # analyzed: the planner knows the 4 records
