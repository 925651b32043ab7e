"""An Excel workbook (.xlsx, one sheet of text cells) written as a stream of bytes while its rows are read.

openpyxl's write-only mode keeps memory flat but writes the sheet to a temporary file and zips it only at
``save``: the first byte leaves after the last row is read. Here the package is zipped as it is written
(``zipfile`` on an unseekable stream writes each member's sizes after its data), so a download starts with
the first rows and memory holds one chunk of compressed output. Cells are inline strings (no shared-string
table to build), which Excel, LibreOffice and openpyxl all read.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from xml.sax.saxutils import escape, quoteattr

__all__ = ["SHEET_ROWS_MAX", "xlsx_stream"]

# The most rows a sheet holds (Excel's limit, the header included).
SHEET_ROWS_MAX = 1_048_576
# Characters XML 1.0 cannot carry at all (a cell holding one would make the file unreadable).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# What a cell's text may hold that must be removed or escaped.
_XML_SPECIAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff&<>]")
# Flush compressed output to the client about every this many rows.
_ROWS_PER_FLUSH = 500

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"


def _workbook(title: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name={quoteattr(_sheet_title(title))} sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def _sheet_title(title: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of : \\ / ? * [ ]."""
    cleaned = re.sub(r"[:\\/?*\[\]]", " ", title).strip()[:31]
    return cleaned or "Sheet1"


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _row_xml(number: int, values: Sequence[object], columns: list[str]) -> str:
    while len(columns) < len(values):
        columns.append(_column(len(columns)))
    cells = []
    for column, value in zip(columns, values, strict=False):
        if value is None:
            continue
        text = value if value.__class__ is str else str(value)
        if _XML_SPECIAL.search(text):  # most cells need neither (one search instead of a removal and 3 escapes)
            text = escape(_XML_ILLEGAL.sub("", text))
        cells.append(f'<c r="{column}{number}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


class _Sink:
    """What the zip writes into: kept until the generator hands it on (no ``tell``: zipfile streams)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def xlsx_stream(*, sheet_title: str, rows: Iterable[Sequence[object]]) -> Iterator[bytes]:
    """The bytes of a workbook whose one sheet holds ``rows`` (the first is the header), as they are made.
    Stops at ``SHEET_ROWS_MAX`` rows; the caller keeps under it and says so in the sheet."""
    sink = _Sink()
    package = zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)  # type: ignore[call-overload]  # a writable stream is enough
    for name, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _ROOT_RELS),
                       ("xl/workbook.xml", _workbook(sheet_title)),
                       ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS), ("xl/styles.xml", _STYLES)):
        package.writestr(name, text)
    yield sink.drain()
    columns: list[str] = []
    with package.open("xl/worksheets/sheet1.xml", mode="w", force_zip64=True) as sheet:
        sheet.write(_SHEET_HEAD.encode())
        batch: list[str] = []
        for number, values in enumerate(rows, start=1):
            if number > SHEET_ROWS_MAX:
                break
            batch.append(_row_xml(number, values, columns))
            if len(batch) >= _ROWS_PER_FLUSH:
                sheet.write("".join(batch).encode())
                batch.clear()
                data = sink.drain()
                if data:
                    yield data
        sheet.write(("".join(batch) + _SHEET_TAIL).encode())
    package.close()
    yield sink.drain()
