"""Parsers: encodings, formats, headers, and cell normalization (full width, dates, 万元)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from gongxin.catalog.models import CatalogItem
from gongxin.ingest import parsing
from gongxin.ingest.errors import ColumnsMissing, FileRefused
from gongxin.ingest.tests.conftest import csv_write, penalty_row

pytestmark = pytest.mark.django_db
# openpyxl gives naive datetimes for date cells (Excel has no time zones).
EXCEL_MOMENT = datetime.fromisoformat("2026-03-05T09:30")
EXCEL_DAY = datetime.fromisoformat("2026-06-01T00:00")


def _definition(kind: str) -> dict:
    return {"code": "x", "label": "x", "type": kind, "required": False, "personal": False}


class TestCells:
    def test_full_width_digits_letters_and_spaces_fold(self):
        assert parsing.fold_width("９１３３０２ＡＢ\u3000ｃ") == "913302AB c"
        assert parsing.fold_width("违法事实，经查属实。") == "违法事实，经查属实。"  # punctuation in prose stays

    @pytest.mark.parametrize(("raw", "expected"), [
        ("2026-03-05", "2026-03-05"), ("2026/3/5", "2026/3/5"), ("2026年3月5日", "2026年3月5日"),
        ("2026年3月5号", "2026年3月5日"), (46086, "2026-03-05"), (46086.0, "2026-03-05"), ("46086", "2026-03-05"),
        ("２０２６－０３－０５", "2026-03-05"), (EXCEL_MOMENT, EXCEL_MOMENT),
        ("20260305", "20260305"),
    ])
    def test_dates(self, raw, expected):
        assert parsing.cell_normalize(_definition("date"), raw) == expected

    @pytest.mark.parametrize(("raw", "expected"), [
        ("1.5", "15000"), ("0.0001", "1"), ("１２", "120000"), ("2万元", "20000"), ("1,000", "10000000"),
        (0.25, "2500"), ("-3", "-30000"), ("abc", "abc"),
    ])
    def test_money_in_wan_becomes_yuan(self, raw, expected):
        assert parsing.cell_normalize(_definition("money_wan"), raw) == expected

    def test_codes_typed_as_numbers_in_excel_become_text(self):
        assert parsing.cell_normalize(_definition("text"), 330203.0) == "330203"
        assert parsing.cell_normalize(_definition("uscc"), " 91330200ma2cj0wx7t ") == "91330200MA2CJ0WX7T"
        assert parsing.cell_normalize(_definition("text"), "  \u3000 ") is None

    @given(st.text(alphabet=st.characters(min_codepoint=0xFF10, max_codepoint=0xFF19), min_size=1, max_size=12))
    def test_any_full_width_number_folds_to_its_ascii_digits(self, text):
        folded = parsing.fold_width(text)
        assert folded.isascii() and folded.isdigit() and len(folded) == len(text)


class TestEncodingsAndFormats:
    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
    def test_csv_in_every_encoding_reads_the_same(self, tmp_path: Path, penalty: CatalogItem, encoding):
        name = "宁波𠀀鄞州贸易有限公司" if encoding == "gb18030" else "宁波鄞州贸易有限公司"  # 𠀀: GB18030 only
        path = csv_write(tmp_path / f"{encoding}.csv", [penalty_row(name=name)], encoding=encoding)
        table = parsing.table_open(path, item=penalty)
        [row] = list(table.rows)
        assert row.number == 2
        assert row.cells["subject_name"].startswith("宁波") and row.cells["decision_number"] == "甬市监罚〔2026〕1号"
        assert table.encoding == {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig"}.get(encoding, "gb18030")

    def test_headers_by_field_code_alias_or_label_with_full_width_brackets(self, tmp_path, penalty):
        row = penalty_row()
        row["fine_amount"] = row.pop("罚款金额（万元）")  # the field code
        row["行政相对人代码_2（工商注册号）"] = "330200000012345"  # an alias of the data standard
        row["处罚机关 统一社会信用代码"] = row.pop("处罚机关统一社会信用代码")  # a stray space
        row["内部备注"] = "x"  # not a field
        table = parsing.table_open(csv_write(tmp_path / "h.csv", [row]), item=penalty)
        assert table.headers.unknown == ["内部备注"]
        [parsed] = list(table.rows)
        assert parsed.cells["fine_amount"] == "1.2"
        assert parsed.cells["business_registration_number"] == "330200000012345"
        assert "authority_uscc" in parsed.cells

    def test_missing_required_columns_are_named(self, tmp_path, penalty):
        row = penalty_row()
        del row["违法事实"]
        with pytest.raises(ColumnsMissing) as caught:
            parsing.table_open(csv_write(tmp_path / "m.csv", [row]), item=penalty)
        assert caught.value.details["missing"] == ["违法事实"]

    def test_xlsx_with_real_dates_and_numbers(self, tmp_path, penalty):
        row = penalty_row(decided="", fine="")
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(list(row))
        values = list(row.values())
        values[list(row).index("处罚决定日期")] = EXCEL_DAY
        values[list(row).index("罚款金额（万元）")] = 1.5
        sheet.append(values)
        sheet.append([None] * len(values))  # an empty row is skipped
        path = tmp_path / "penalties.xlsx"
        workbook.save(path)
        table = parsing.table_open(path, item=penalty)
        assert table.file_format == "xlsx"
        [parsed] = list(table.rows)
        assert parsed.number == 2 and parsed.cells["decision_date"] == EXCEL_DAY
        assert parsing.cell_normalize({"type": "date"}, parsed.cells["decision_date"]).date() == date(2026, 6, 1)

    def test_json_lines_with_labels_or_codes_and_a_broken_line(self, tmp_path, penalty):
        first = penalty_row()
        second = {("decision_number" if k == "行政处罚决定书文号" else k): v for k, v in penalty_row().items()}
        path = tmp_path / "p.jsonl"
        path.write_text(json.dumps(first, ensure_ascii=False) + "\n{broken\n" + json.dumps(second, ensure_ascii=False)
                        + "\n", encoding="utf-8")
        rows = list(parsing.table_open(path, item=penalty).rows)
        assert [r.number for r in rows] == [1, 2, 3]
        assert parsing.UNREADABLE in rows[1].cells
        assert rows[2].cells["decision_number"] == "甬市监罚〔2026〕1号"

    def test_a_binary_file_is_unreadable(self, tmp_path, penalty):
        path = tmp_path / "x.csv"
        path.write_bytes(b"\xff\xfe\x00\x01garbage")
        with pytest.raises(FileRefused):
            parsing.table_open(path, item=penalty)


def test_the_checkers_memo_of_normalized_cells_changes_no_result(tmp_path, market_unit, penalty, frozen_today):
    """A checker remembers normalized cells by (field, text); a row checked from the memo (its second time, or by
    a checker whose memo is full) gives exactly what a fresh checker gives."""
    from gongxin.ingest import rows as checking

    messy = [penalty_row(number=f"甬市监罚〔2026〕{n}号", fine=fine, decided=decided, 违法行为类型=kind)
             for n, (fine, decided, kind) in enumerate([("１．２", "2026年3月5日", "销售不合格产品"),
                                                        ("1.2", "2026/3/5", " 销售不合格产品 "),
                                                        ("-1", "20260305", "销售不合格产品"),
                                                        ("0.001", "2026-02-30", ""), ("3", "46086", "虚假宣传")])]
    table = parsing.table_open(csv_write(tmp_path / "m.csv", messy), item=penalty, name="m.csv")
    source = list(table.rows)
    remembering = checking.RowChecker(item=penalty)
    first = [remembering.check(row) for row in source]
    assert remembering._normalized  # the memo was used
    again = [remembering.check(row) for row in source]
    fresh = [checking.RowChecker(item=penalty).check(row) for row in source]
    assert first == again == fresh


def test_a_csv_read_with_a_sift_parses_only_the_records_it_does_not_presume(tmp_path: Path, penalty: CatalogItem):
    rows = [penalty_row(number=f"甬市监罚〔2026〕{n}号") for n in range(1, 6)]
    rows[1]["违法事实"] = "抽检不合格，\n经查属实。\r\n（复查）"  # one record of three lines
    rows[2]["处罚内容"] = '罚款, "从重"'  # quoted: a comma and doubled quotes
    path = csv_write(tmp_path / "a.csv", rows)
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write("\r\n")  # an empty line, then a last record without a line end
        handle.write(",".join(str(v) for v in penalty_row(number="甬市监罚〔2026〕9号").values()))
    plain = list(parsing.table_open(path, item=penalty).rows)
    texts: list[str] = []
    headers: list[str] = []

    def sift_for(header: str, delimiter: str, columns: dict[int, str]) -> parsing.RecordSift:
        headers.append(header)

        def sift(text: str, fields: list[str] | None) -> tuple[int | None, str | None]:
            texts.append(text)
            presumed = "〔2026〕2号" in text or "〔2026〕3号" in text or "〔2026〕9号" in text
            return len(texts), (text.split(delimiter)[4] if fields is None else fields[4]) if presumed else None

        return sift

    table = parsing.table_open(path, item=penalty, sift_for=sift_for)
    sifted = list(table.rows)
    assert table.sifted and headers == [",".join(rows[0])]  # the header line as read, without its line end
    # Every record's text as read, without its line end: the three-line record whole, the empty line as it is.
    assert [text.count("\n") for text in texts] == [0, 2, 0, 0, 0, 0, 0] and texts[5] == ""
    assert [row.number for row in sifted] == [row.number for row in plain] == [2, 3, 4, 5, 6, 8]
    presumed = [row for row in sifted if row.presumed is not None]
    assert [(row.number, row.presumed, row.cells) for row in presumed] == [
        (3, "甬市监罚〔2026〕2号", {}), (4, "甬市监罚〔2026〕3号", {}), (8, "甬市监罚〔2026〕9号", {})]
    by_number = {row.number: row for row in plain}
    assert all(table.parse(row).cells == by_number[row.number].cells for row in presumed)  # parsed on demand
    assert all(row.cells == by_number[row.number].cells and row.fingerprint is not None
               for row in sifted if row.presumed is None)


@pytest.mark.parametrize(("size", "skip"), [(2, 0), (4, 3), (100, 0)])
def test_a_sifted_csv_read_by_chunks_gives_the_records_of_its_rows_with_the_presumed_as_columns(
        tmp_path: Path, penalty: CatalogItem, size: int, skip: int):
    rows = [penalty_row(number=f"甬市监罚〔2026〕{n}号") for n in range(1, 8)]
    rows[1]["违法事实"] = "抽检不合格，\n经查属实。"  # one record of two lines, presumed after it is parsed
    rows[3]["处罚内容"] = '罚款, "从重"'
    path = csv_write(tmp_path / "a.csv", rows)
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write("\r\n")  # an empty line: not a record

    def sift_for(header: str, delimiter: str, columns: dict[int, str]) -> parsing.RecordSift:
        def sift(text: str, fields: list[str] | None) -> tuple[int | None, str | None]:
            cells = text.split(delimiter) if fields is None else fields
            presumed = len(cells) > 4 and cells[4].endswith(("〕2号", "〕3号", "〕5号", "〕6号"))
            return -len(text), cells[4] if presumed else None

        return sift

    by_rows = list(parsing.table_open(path, item=penalty, sift_for=sift_for).rows)
    table = parsing.table_open(path, item=penalty, sift_for=sift_for)
    chunks = list(table.chunks(size, skip=skip))
    # Chunks of ``size`` records, those before ``skip`` ending at it; the presumed records never as rows.
    sizes = [len(chunk.rows) + len(chunk.presumed) for chunk in chunks]
    assert sizes == {(2, 0): [2, 2, 2, 1], (4, 3): [3, 4], (100, 0): [7]}[(size, skip)]
    assert all(row.presumed is None for chunk in chunks for row in chunk.rows)
    assert all(chunk.presumed.numbers.typecode == chunk.presumed.fingerprints.typecode == "q" for chunk in chunks)
    presumed = [(number, fingerprint, identity, text) for chunk in chunks for number, fingerprint, identity, text in
                zip(chunk.presumed.numbers, chunk.presumed.fingerprints, chunk.presumed.identities,
                    chunk.presumed.texts, strict=True)]
    assert [p[0] for p in presumed] == [3, 4, 6, 7]
    assert presumed == [(row.number, row.fingerprint, row.presumed, row.text) for row in by_rows
                        if row.presumed is not None]
    assert [(row.number, row.cells, row.fingerprint) for chunk in chunks for row in chunk.rows] == [
        (row.number, row.cells, row.fingerprint) for row in by_rows if row.presumed is None]
    # A presumed record parsed on demand has the cells it would have had as a row.
    plain = {row.number: row.cells for row in parsing.table_open(path, item=penalty).rows}
    for chunk in chunks:
        for index in range(len(chunk.presumed)):
            parsed = table.parse_presumed(chunk.presumed, index)
            assert parsed.number == chunk.presumed.numbers[index] and parsed.cells == plain[parsed.number]
