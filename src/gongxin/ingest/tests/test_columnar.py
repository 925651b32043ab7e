"""The columnar validator equals the row validator (decision 074): differential tests over generated messy rows.

For every generated row the columnar pass (``ColumnarChecker.verdicts``) and the reference — the row's cells
normalized by ``parsing.cell_normalize`` and validated by ``catalog.schema.payload_validate`` — agree on accept
or reject and on the canonical payload (keys, values and their order); and a chunk checked column by column
gives exactly what ``RowChecker.check`` gives row by row (checked rows with identity, subject and flags;
rejections with the same issues, reasons in both languages, and the identity they name).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gongxin.catalog.schema import CatalogValidationFailed, payload_validate
from gongxin.core import clock
from gongxin.ingest import parsing
from gongxin.ingest.columnar import ColumnarChecker
from gongxin.ingest.rows import CheckedRow, RowChecker
from gongxin.subjects.identifiers import rin_check_char, uscc_check_char

pytestmark = pytest.mark.django_db

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WHITESPACE = [" ", "\t", "\u3000", "\xa0", "\u2028", "\x0b", "\x1c", "\u2003", "\n"]
FULL_WIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}
ODD_CHARACTERS = ["\u3000", "\xa0", "Ａ", "ｚ", "５", "（", "）", "，", "\u200b", "é", "\u0301", "ﬁ", "①", "²", "٣",
                  "\ufeff", "😀", "丨", "\u2028", "Ⅻ"]


def _full_width(text: str) -> str:
    return "".join(FULL_WIDTH.get(ch, ch) for ch in text)


def _padded(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A value, sometimes with whitespace of any kind around it, sometimes in full-width digits."""
    pad = st.sampled_from(["", "", "", *WHITESPACE])
    return st.tuples(pad, inner, pad, st.booleans()).map(
        lambda t: t[0] + (_full_width(t[1]) if t[3] else t[1]) + t[2])


blank = st.sampled_from(["", " ", "\u3000", "\t \xa0", "\u2028"])

text_cell = st.one_of(
    st.text(alphabet=st.sampled_from(["宁", "波", "市", "公", "司", "a", "B", "1", " ", *ODD_CHARACTERS]),
             min_size=0, max_size=12),
    st.text(min_size=0, max_size=8),  # any code point (no surrogates: the reader rejects those as bad cells)
    st.integers(min_value=45, max_value=60).map(lambda n: "码" * n),  # around max_length 50
    st.integers(min_value=95, max_value=105).map(lambda n: "张" * n),  # around max_length 100
    st.integers(min_value=195, max_value=205).map(lambda n: "名" * n),  # around max_length 200
    blank,
).map(lambda s: s.replace("\x00", ""))


def _iso(day: date) -> str:
    return day.isoformat()


days = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))
date_cell = st.one_of(
    _padded(days.map(_iso)),
    _padded(days.map(lambda d: f"{d.year}/{d.month}/{d.day}")),
    _padded(days.map(lambda d: f"{d.year}.{d.month:02d}.{d.day:02d}")),
    _padded(days.map(lambda d: d.strftime("%Y%m%d"))),
    days.map(lambda d: f"{d.year}年{d.month}月{d.day}日"),
    days.map(lambda d: f"{d.year}年{d.month}月{d.day}号"),
    days.map(lambda d: f"{d.isoformat()} 09:30:00"),
    st.integers(min_value=-5, max_value=3_000_000).map(str),  # Excel serials written as text
    st.floats(min_value=0, max_value=80_000, allow_nan=False).map(lambda f: f"{f:.2f}"),
    st.sampled_from(["2026-02-30", "2026-13-01", "2026-1-1", "0000-01-01", "26-03-05", "昨天", ".5", "5.", "1.2.3",
                     "2026--03-05", "2026-03-05T10:00", "９９９９９"]),
    blank,
)
money_cell = st.one_of(
    _padded(st.decimals(min_value=0, max_value=100_000, places=6, allow_nan=False).map(str)),
    _padded(st.integers(min_value=-100, max_value=100_000).map(str)),
    st.integers(min_value=0, max_value=100).map(lambda n: f"{n}万元"),
    st.integers(min_value=0, max_value=100).map(lambda n: f"{n}万"),
    st.integers(min_value=1000, max_value=10_000_000).map(lambda n: f"{n:,}"),
    st.sampled_from(["abc", "1e3", "NaN", "Infinity", "-0", "0.000", "-2", "1.23456", "0.0000001", "１２", "1 000",
                     "+5", "5-", "万元"]),
    blank,
)


def _uscc(body: str, good: bool) -> str:
    check = uscc_check_char(body)
    return body + (check if good else USCC_ALPHABET[(USCC_ALPHABET.index(check) + 1) % 31])


uscc_body = st.text(alphabet=st.sampled_from(USCC_ALPHABET), min_size=17, max_size=17)
uscc_cell = st.one_of(
    st.tuples(uscc_body, st.booleans()).map(lambda t: _uscc(t[0], t[1])),
    st.tuples(uscc_body, st.booleans()).map(lambda t: _uscc(t[0], t[1]).lower()),
    st.tuples(uscc_body, st.booleans()).map(lambda t: f" {_uscc(t[0], t[1])[:9]} {_uscc(t[0], t[1])[9:]}\u3000"),
    st.tuples(uscc_body, st.booleans()).map(lambda t: _full_width(_uscc(t[0], t[1]))),
    st.text(alphabet=st.sampled_from("0123456789ABIOSVZ"), min_size=15, max_size=20),
    st.sampled_from(["91330200MA2CJ0WX7T", "11330200002941712F", "Y1330200MA2CJ0WX75", "913302OOMA2CJ0WX7T"]),
    blank,
)


def _rin(body: str, good: bool) -> str:
    check = rin_check_char(body)
    return body + (check if good else ("0" if check != "0" else "1"))


rin_body = st.tuples(st.integers(min_value=110000, max_value=659999), days, st.integers(min_value=0, max_value=999))
rin_cell = st.one_of(
    st.tuples(rin_body, st.booleans()).map(
        lambda t: _rin(f"{t[0][0]}{t[0][1]:%Y%m%d}{t[0][2]:03d}", t[1])),
    st.text(alphabet=st.sampled_from("0123456789Xx"), min_size=15, max_size=19),
    blank,
)
category_cell = st.sampled_from(["法人及非法人组织", "自然人", "个体工商户", "organization", "PERSON", "Organization",
                                 "person", "其他", " 自然人 ", "法人及非法人组织\u3000", ""])
procedure_cell = st.sampled_from(["普通程序", "简易程序", "general", "SUMMARY", "快速程序", " 简易程序", ""])

CELLS: dict[str, st.SearchStrategy[Any]] = {
    "text": text_cell, "date": date_cell, "money_wan": money_cell, "uscc": uscc_cell, "id_number": rin_cell,
}
SPECIAL_CELLS = {
    parsing.SOURCE_RECORD_ID: st.sampled_from(["", "R-1", " R-2 ", "甬001"]),
    parsing.REVOKED: st.sampled_from(["", "是", "否", "1", "TRUE", "撤销"]),
    parsing.SEVERITY: st.sampled_from(["", "serious", "一般"]),
}
# Cells a spreadsheet or a JSON line gives as other things than text: the columnar pass leaves those rows to the
# reference validator.
NOT_TEXT = st.sampled_from([46086, 46086.0, 1.5, -2, 330203.0, True, datetime.fromisoformat("2026-03-05T09:30"),
                            date(2026, 6, 1)])


@st.composite
def messy_row(draw: st.DrawFn, fields: list[dict[str, Any]]) -> dict[str, Any]:
    """One row of a catalog item's cells as a reader gives them: blank, missing or extra columns, any form."""
    cells: dict[str, Any] = {}
    not_text = draw(st.integers(min_value=0, max_value=4)) == 0  # a row of a spreadsheet or a JSON line
    well_formed = _valid_cells()
    clean_from = draw(st.sampled_from([2, 12]))  # shapes from here on take the well-formed value of the field
    for field in fields:
        shape = draw(st.integers(min_value=0, max_value=19))
        if shape == 0:
            continue  # the column is missing
        if shape >= clean_from and field["code"] in well_formed:
            cell: Any = well_formed[field["code"]]
        elif clean_from == 2 and shape >= 8:
            continue  # a clean row leaves most optional columns out
        elif field["code"] == "subject_category":
            cell = draw(category_cell)
        elif field["code"] == "procedure":
            cell = draw(procedure_cell)
        elif field["type"] == "enum":
            cell = draw(st.sampled_from([o["label"] for o in field["enum"]] + ["?"]))
        else:
            cell = draw(CELLS.get(field["type"], text_cell))
        if shape == 1:
            cell = draw(blank)
        elif shape == 2 and not_text:
            cell = draw(NOT_TEXT)
        cells[field["code"]] = cell
    for code, strategy in SPECIAL_CELLS.items():
        if draw(st.booleans()):
            cells[code] = draw(strategy)
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        cells["unmapped_column"] = draw(text_cell)  # never given by the readers, ignored by both validators
    return cells


def _reference(checker: RowChecker, cells: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return payload_validate(item=checker.item, payload=checker.normalized(cells), today=checker.today)
    except CatalogValidationFailed:
        return None


class TestDifferential:
    """Hypothesis: the columnar pass and the row validator agree on every generated row."""

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])
    @given(data=st.data())
    def test_verdicts_and_payloads_equal(self, penalty, data):
        rows = data.draw(st.lists(messy_row(penalty.fields), min_size=1, max_size=25))
        checker = RowChecker(item=penalty)
        columnar = ColumnarChecker(RowChecker(item=penalty))
        source = [parsing.SourceRow(number, cells) for number, cells in enumerate(rows, start=2)]
        for row, verdict in zip(source, columnar.verdicts(source), strict=True):
            expected = _reference(checker, row.cells)
            event("not taken" if verdict is None else "rejected" if verdict is False else "accepted")
            if verdict is None:  # not taken: a cell that is not text
                assert any(v.__class__ is not str for v in row.cells.values())
                continue
            if expected is None:
                assert verdict is False, row.cells
            else:
                assert verdict == expected, row.cells
                assert list(verdict) == list(expected)  # the same keys in the same order

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])
    @given(data=st.data())
    def test_accepted_rows_mostly_valid_cells(self, penalty, data):
        """Rows built from valid cells with one messy field: many pass, so acceptance is exercised as much as
        rejection."""
        base = _valid_cells()
        rows = []
        for _ in range(data.draw(st.integers(min_value=1, max_value=20))):
            cells = dict(base)
            field = data.draw(st.sampled_from(penalty.fields))
            cells[field["code"]] = data.draw(messy_row([field])).get(field["code"], "")
            cells["decision_number"] = data.draw(st.text(alphabet="甬罚〔〕0123456789号", min_size=1, max_size=20))
            rows.append(cells)
        checker = RowChecker(item=penalty)
        columnar = ColumnarChecker(RowChecker(item=penalty))
        source = [parsing.SourceRow(number, cells) for number, cells in enumerate(rows, start=2)]
        for row, verdict in zip(source, columnar.verdicts(source), strict=True):
            expected = _reference(checker, row.cells)
            event("not taken" if verdict is None else "rejected" if verdict is False else "accepted")
            if verdict is None:
                assert any(v.__class__ is not str for v in row.cells.values())
            elif expected is None:
                assert verdict is False, row.cells
            else:
                assert verdict == expected, row.cells

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])
    @given(data=st.data())
    def test_a_chunk_checked_by_columns_is_the_chunk_checked_by_rows(self, penalty, data):
        rows = data.draw(st.lists(st.one_of(messy_row(penalty.fields), st.just(_valid_cells())), min_size=1,
                                  max_size=20))
        rows.append({parsing.BAD_CELLS: [("subject_name", "nul_character", "a\ufffd")]})
        rows.append({parsing.UNREADABLE: {"reason": "not a JSON object"}})
        source = [parsing.SourceRow(number, cells) for number, cells in enumerate(rows, start=2)]
        expected = [RowChecker(item=penalty).check(row) for row in source]
        got = ColumnarChecker(RowChecker(item=penalty)).check_chunk(source)
        for want, have in zip(expected, got, strict=True):
            assert have == want
            assert getattr(have, "identity", None) == getattr(want, "identity", None)


def _valid_cells() -> dict[str, str]:
    today = clock.today()
    return {
        "subject_name": "宁波甲乙贸易有限公司", "subject_category": "法人及非法人组织",
        "uscc": "91330200MA2CJ0WX7T", "legal_representative": "张三", "decision_number": "甬市监罚〔2026〕1号",
        "violation_type": "销售不合格产品", "violation_facts": "抽检不合格。",
        "penalty_basis": "《产品质量法》第四十九条",
        "penalty_types": "罚款", "penalty_content": "罚款", "fine_amount": "1.2",
        "decision_date": (today - timedelta(days=3)).isoformat(), "penalty_valid_until": "2099-06-01",
        "authority_name": "宁波市市场监督管理局", "authority_uscc": "11330200002941712F",
        "data_source_unit": "宁波市市场监督管理局", "data_source_uscc": "11330200002941712F",
    }


class TestExamples:
    """Cases named once, beside the generated ones."""

    def test_the_messy_forms_of_a_valid_row_are_accepted_alike(self, penalty):
        cells = _valid_cells() | {"fine_amount": " ２万元 ", "uscc": "91330200ma2cj0wx7t",
                                  "subject_name": " 宁波\u3000甲乙 ", "decision_date": "2026年3月5号",
                                  "penalty_valid_until": "20990601"}
        row = parsing.SourceRow(2, cells)
        verdict = ColumnarChecker(RowChecker(item=penalty)).verdicts([row])[0]
        assert isinstance(verdict, dict)
        assert verdict == _reference(RowChecker(item=penalty), cells)
        assert verdict["fine_amount"] == "20000.00" and verdict["subject_name"] == "宁波 甲乙"

    @pytest.mark.parametrize(("code", "value"), [
        ("uscc", "91330200MA2CJ0WX70"), ("decision_date", "2026-02-30"), ("fine_amount", "-1"),
        ("violation_facts", ""), ("decision_date", "2999-01-01"), ("penalty_valid_until", "2000-01-01"),
        ("business_registration_number", "码" * 51), ("fine_amount", "0.0000001"),
    ])
    def test_each_kind_of_fault_rejects_in_both(self, penalty, code, value):
        cells = _valid_cells() | {code: value}
        row = parsing.SourceRow(2, cells)
        assert ColumnarChecker(RowChecker(item=penalty)).verdicts([row]) == [False]
        assert _reference(RowChecker(item=penalty), cells) is None
        checked = ColumnarChecker(RowChecker(item=penalty)).check_chunk([row])[0]
        assert not isinstance(checked, CheckedRow)
        assert checked == RowChecker(item=penalty).check(row)  # the reference's issues, in both languages

    def test_cells_that_are_not_text_are_left_to_the_reference(self, penalty):
        row = parsing.SourceRow(2, _valid_cells() | {"fine_amount": 1.5})
        assert ColumnarChecker(RowChecker(item=penalty)).verdicts([row]) == [None]
        assert ColumnarChecker(RowChecker(item=penalty)).check_chunk([row]) == [RowChecker(item=penalty).check(row)]


class TestBatches:
    """A whole file loads to the same batch with the columnar validator on and off."""

    @pytest.mark.parametrize("columnar", [True, False])
    def test_a_messy_file_gives_the_same_batch(self, tmp_path, market_unit, penalty, operator, frozen_today,
                                               columnar):
        from gongxin.ingest.services import batch_ingest_file
        from gongxin.ingest.tests.conftest import csv_write, penalty_row

        cases = [("1.5", "2026-06-01"), ("-1", "2026-06-01"), ("２", "2026/6/2"), ("0.5", "2026-02-30"),
                 ("1", "2026年6月3日"), ("3", "2999-01-01")]
        rows = [penalty_row(number=f"甬罚〔2026〕{n}号", fine=fine, decided=decided)
                for n, (fine, decided) in enumerate(cases)]
        path = csv_write(tmp_path / "p.csv", rows)
        with override_settings(GONGXIN_INGEST_COLUMNAR=columnar):
            batch = batch_ingest_file(path=path, source_unit=market_unit, item=penalty,
                                      actor=operator)
        assert (batch.received, batch.inserted, batch.rejected) == (6, 3, 3)
        codes = sorted(batch.issues.filter(level="error").values_list("row_number", "code"))
        assert codes == [(3, "negative"), (5, "invalid_date"), (7, "before_start"), (7, "future_date")]


class TestDigests:
    """A snapshot's reader computes each row's content hash: the hash the writer stores for that record."""

    def test_the_readers_digest_is_the_stored_content_hash(self, tmp_path, market_unit, penalty, operator,
                                                           frozen_today):
        from gongxin.catalog.policy import PolicyBook
        from gongxin.ingest.services import batch_ingest_file
        from gongxin.ingest.tests.conftest import csv_write, penalty_row
        from gongxin.records.models import Record

        rows = [penalty_row(number=f"甬罚〔2026〕{n}号", fine=f"{n}.5") for n in range(3)]
        batch = batch_ingest_file(path=csv_write(tmp_path / "p.csv", rows), source_unit=market_unit, item=penalty,
                                  actor=operator)
        assert batch.inserted == 3
        checker = RowChecker(item=penalty, digests=PolicyBook.load(), domain=market_unit.domain)
        source = [parsing.SourceRow(n + 2, {code: row[label] for label, code in _codes(penalty).items()
                                            if label in row}) for n, row in enumerate(rows)]
        for checked in ColumnarChecker(checker).check_chunk(source):
            assert isinstance(checked, CheckedRow) and checked.digest is not None
            record = Record.objects.select_related("current_version").get(source_record_id=checked.identity)
            assert record.current_version.content_hash == checked.digest  # read as 64 hex characters


def _codes(item) -> dict[str, str]:
    return {field["label"]: field["code"] for field in item.fields}
