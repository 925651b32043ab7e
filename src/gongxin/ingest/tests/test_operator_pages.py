"""What a source unit's operator reads (issue #18, point 7): why a batch failed, in words and with what to do
(never the stored JSON nor Python's codec message); each rejected value as the file wrote it; a template per
catalog item whose example row the real ingest accepts; the file's own name, never a server path."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from gongxin.ingest.choices import BatchStatus
from gongxin.ingest.file_templates import template_items
from gongxin.ingest.models import Batch
from gongxin.ingest.services import batch_ingest_file
from gongxin.ingest.tests.conftest import csv_write, penalty_row

pytestmark = pytest.mark.django_db

CODEC_FAILURE = {
    "code": "ingest.file_unreadable", "message": "The file cannot be read as CSV, Excel (.xlsx) or JSON Lines.",
    "details": {"encoding": "utf-16", "reason": "'utf-16-le' codec can't decode bytes in position 2-3: illegal "
                                                  "UTF-16 surrogate"},
}


def _visible(html: str) -> str:
    return html.split("<main", 1)[-1]


def test_a_batch_that_failed_on_its_encoding_says_so_in_chinese_and_what_to_do(client, tmp_path, market_unit,
                                                                               penalty, operator, operator_user,
                                                                               frozen_today):
    batch = batch_ingest_file(path=csv_write(tmp_path / "p.csv", [penalty_row()]), source_unit=market_unit,
                              item=penalty, actor=operator)
    # The failure as a run stores it (Batch.failure): the error's code, message and details with Python's words.
    Batch.objects.filter(pk=batch.pk).update(status=BatchStatus.FAILED,
                                             failure=json.dumps(CODEC_FAILURE, ensure_ascii=False))
    client.force_login(operator_user)
    page = _visible(client.get(f"/ingest/batches/{batch.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    assert 'data-failure="ingest.file_unreadable"' in page
    assert "文件不是 UTF-8 或 GB18030（GBK）编码的文本" in page and "CSV UTF-8" in page
    assert "codec" not in page and "{&quot;code" not in page and '{"code' not in page


def test_a_file_without_the_required_columns_names_them_and_the_line_of_a_broken_json_line(
        client, tmp_path, market_unit, penalty, operator, operator_user, frozen_today):
    headless = csv_write(tmp_path / "cols.csv", [{"行政相对人名称": "宁波甲乙贸易有限公司"}])
    missing = batch_ingest_file(path=headless, source_unit=market_unit, item=penalty, actor=operator)
    assert missing.status == BatchStatus.FAILED
    broken = tmp_path / "bad.jsonl"
    broken.write_text("not json at all\n", encoding="utf-8")
    unreadable = batch_ingest_file(path=broken, source_unit=market_unit, item=penalty, actor=operator)
    assert unreadable.status == BatchStatus.FAILED
    client.force_login(operator_user)
    page = _visible(client.get(f"/ingest/batches/{missing.pk}/").content.decode())
    assert 'data-failure="ingest.columns_missing"' in page and "第一行缺少该信息项的必填列" in page
    assert "行政处罚决定书文号" in page and "data-failure-advice" in page and "ingest.columns_missing</" not in page
    page = _visible(client.get(f"/ingest/batches/{unreadable.pk}/").content.decode())
    assert "不是 JSON 对象" in page and "第 1 行" in page
    english = _visible(client.get(f"/ingest/batches/{unreadable.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "is not a JSON object" in english and "(line 1 of the file)" in english


def test_the_error_report_quotes_each_value_as_written(client, tmp_path, market_unit, penalty, operator,
                                                       operator_user, frozen_today):
    rows = [penalty_row(number="甬市监罚〔2026〕71号", fine="-2"),
            penalty_row(number="甬市监罚〔2026〕72号", decided="2026年2月30日")]
    batch = batch_ingest_file(path=csv_write(tmp_path / "v.csv", rows), source_unit=market_unit, item=penalty,
                              actor=operator)
    assert batch.rejected == 2
    values = {(i.code, i.value) for i in batch.issues.all()}
    assert ("negative", "-2") in values and ("invalid_date", "2026年2月30日") in values  # 万元, not -20000 yuan
    client.force_login(operator_user)
    page = client.get(f"/ingest/batches/{batch.pk}/").content.decode()
    assert "<td>-2</td>" in page and "-20000" not in page
    # The summary and the quality page say what each code means, not the code.
    assert 'data-code="negative"' in page and "<td>金额为负数</td>" in page and "<code>negative</code>" not in page
    quality = client.get("/ingest/quality/").content.decode()
    assert "不是有效日期" in quality and "invalid_date" not in quality
    assert "（penalty）" not in client.get("/ingest/").content.decode()  # the upload form names items by name


def _template_rows(client, code: str, extension: str) -> list[list[str]]:
    response = client.get(f"/ingest/templates/{code}.{extension}")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    if extension == "csv":
        assert response.content.startswith("\ufeff".encode())
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    return [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]


def test_every_items_template_example_is_accepted_by_the_real_ingest(client, tmp_path, market_unit, operator,
                                                                     operator_user, frozen_today):
    client.force_login(operator_user)
    page = client.get("/ingest/").content.decode()
    items = list(template_items(viewer=operator))
    assert len(items) >= 8
    for item in items:
        assert f'data-template="{item.code}"' in page
        extensions = ("csv", "xlsx") if item.code == "penalty" else ("csv",)
        for extension in extensions:
            rows = _template_rows(client, item.code, extension)
            assert rows[0] == [f["label"] for f in item.fields] and len(rows) == 2
            path = tmp_path / f"{item.code}.{extension}"
            path.write_bytes(client.get(f"/ingest/templates/{item.code}.{extension}").content)
            batch = batch_ingest_file(path=path, source_unit=market_unit, item=item, actor=operator)
            issues = [(i.code, i.column, i.value) for i in batch.issues.filter(level="error")]
            assert batch.status == BatchStatus.DONE and batch.rejected == 0, (item.code, issues, batch.failure)
            assert batch.inserted + batch.unchanged == 1, item.code


def test_the_column_list_gives_headers_codes_and_how_to_write_amounts(client, market_unit, operator_user,
                                                                      frozen_today):
    client.force_login(operator_user)
    page = client.get("/ingest/templates/penalty/").content.decode()
    assert 'data-column="fine_amount"' in page and "罚款金额（万元）" in page
    assert '<code translate="no">fine_amount</code>' in page and "罚款金额(万元)" in page  # a code, an alias
    assert "1.5" in page and '<code translate="no">source_record_id</code>' in page
    assert client.get("/ingest/templates/no_such_item/").status_code == 404


def test_the_batch_list_shows_the_file_name_never_the_server_path(client, tmp_path, market_unit, penalty, operator,
                                                                  operator_user, frozen_today):
    folder = tmp_path / "srv" / "incoming"
    folder.mkdir(parents=True)
    batch = batch_ingest_file(path=csv_write(folder / "处罚信息.csv", [penalty_row()]), source_unit=market_unit,
                              item=penalty, actor=operator)
    client.force_login(operator_user)
    for url in ("/ingest/", f"/ingest/batches/{batch.pk}/"):
        page = client.get(url).content.decode()
        assert "处罚信息.csv" in page and str(folder) not in page
    assert client.get(f"/api/v1/ingest/batches/{batch.pk}").json()["file_name"] == "处罚信息.csv"
