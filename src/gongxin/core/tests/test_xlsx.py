"""The streamed workbook (core.xlsx): readable by openpyxl, the same cells, and its bytes leave while its rows
are still being read (counted in rows, not time)."""

from __future__ import annotations

import io
from collections.abc import Iterator

from openpyxl import load_workbook

from gongxin.core.xlsx import xlsx_stream


def _read(data: bytes) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]


def test_the_cells_come_back_as_written():
    rows = [["名称", "内容", "空"], ["甬<&>\"公司", "第一行\n第二行\x07", ""], ["=1+1", "  spaced  ", "x"]]
    data = b"".join(xlsx_stream(sheet_title="双公示 [2026]: a/b", rows=rows))
    assert _read(data) == [["名称", "内容", "空"], ["甬<&>\"公司", "第一行\n第二行", ""], ["=1+1", "  spaced  ", "x"]]
    assert load_workbook(io.BytesIO(data), read_only=True).sheetnames == ["双公示  2026   a b"]


def test_bytes_leave_before_the_rows_are_all_read():
    read = 0

    def rows() -> Iterator[list[str]]:
        nonlocal read
        for n in range(20_000):
            read += 1
            yield [f"row {n}", "公示内容" * 5]

    stream = xlsx_stream(sheet_title="t", rows=rows())
    chunks = []
    read_at_chunk = []
    for chunk in stream:
        chunks.append(chunk)
        read_at_chunk.append(read)
    assert read_at_chunk[0] == 0  # the package's first parts go out before any row is read
    sheet_chunks = [n for n, chunk in zip(read_at_chunk, chunks, strict=True) if chunk]
    assert len(sheet_chunks) > 5 and sheet_chunks[2] < 5_000  # rows leave as they are written
    assert len(_read(b"".join(chunks))) == 20_000


def test_a_row_is_written_as_every_cell_escaped():
    """A cell is escaped only when it holds something to escape or remove (most hold nothing): the XML is the same
    as escaping every cell, whatever the cell holds, and a None leaves its place empty."""
    from xml.sax.saxutils import escape

    from gongxin.core.xlsx import _XML_ILLEGAL, _column, _row_xml

    values: list[object] = ["plain", "甬<&>\"公司", None, "a\x00b\x1f\ufffe", 42, "", "'=SUM(A1)", "x" * 3, None]
    values += [f"c{n}&" for n in range(20)]  # past column Z
    columns: list[str] = []
    expected = "".join(
        f'<c r="{_column(place)}7" t="inlineStr"><is><t xml:space="preserve">'
        f'{escape(_XML_ILLEGAL.sub("", str(value)))}</t></is></c>'
        for place, value in enumerate(values) if value is not None
    )
    assert _row_xml(7, values, columns) == f'<row r="7">{expected}</row>'
    assert _row_xml(8, ["short"], columns).startswith('<row r="8"><c r="A8" ')  # a wider row before: no harm
