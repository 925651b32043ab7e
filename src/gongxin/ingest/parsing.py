"""Reading what source units send: CSV (UTF-8 with or without BOM, GBK, GB18030), Excel .xlsx and JSON Lines.

Files are streamed, never read whole: ``table_open`` sniffs the format and the encoding from the first
bytes, then yields one ``SourceRow`` at a time. Column headers are matched to the catalog item's fields by
Chinese label, field code, English label or alias, after folding full-width characters and spaces
(``header_map``). Cell values are normalized per field type by ``cell_normalize``: full-width digits,
letters and spaces become ASCII, text is trimmed, Excel date serials become dates and amounts in 万元
become yuan (the canonical unit of ``catalog.schema``).
"""

from __future__ import annotations

import codecs
import csv
import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from gongxin.catalog.choices import FieldType
from gongxin.catalog.models import CatalogItem
from gongxin.core.errors import ValidationFailed
from gongxin.ingest.choices import FileFormat

SNIFF_BYTES = 1 << 20
# Excel's day 0 (serial 1 = 1900-01-01, counting the 1900 leap-year bug) and the last serial it accepts.
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2958465
_WAN = Decimal(10000)

# Columns that are not fields of the item but say something about the row.
SOURCE_RECORD_ID = "__source_record_id"
REVOKED = "__revoked"
SEVERITY = "__severity"
UNREADABLE = "__unreadable"  # a JSON line that does not parse: the row is rejected
_SPECIAL_HEADERS = {
    SOURCE_RECORD_ID: ("source_record_id", "数据标识", "记录标识", "信息标识", "数据主键", "记录编号"),
    REVOKED: ("revoked", "revoke", "撤销", "撤销标记", "是否撤销", "撤销标识"),
    SEVERITY: ("severity", "失信严重程度", "严重程度", "失信程度"),
}
_STRUCTURED = {FieldType.DATE, FieldType.DECIMAL, FieldType.MONEY_WAN, FieldType.USCC, FieldType.ID_NUMBER,
               FieldType.BOOLEAN, FieldType.ENUM}


class FileUnreadable(ValidationFailed):
    code = "ingest.file_unreadable"
    default_message = _("The file cannot be read as CSV, Excel (.xlsx) or JSON Lines.")


class ColumnsMissing(ValidationFailed):
    code = "ingest.columns_missing"
    default_message = _("The file lacks required columns of the catalog item.")


# --- character folding --------------------------------------------------------------------------------

def _fold_table() -> dict[int, str]:
    table = {0x3000: " ", 0x00A0: " "}  # ideographic and no-break spaces
    for code in range(0xFF10, 0xFF1A):  # ０-９
        table[code] = chr(code - 0xFEE0)
    for code in list(range(0xFF21, 0xFF3B)) + list(range(0xFF41, 0xFF5B)):  # Ａ-Ｚ ａ-ｚ
        table[code] = chr(code - 0xFEE0)
    return table


_FOLD = _fold_table()


def fold_width(text: str) -> str:
    """Full-width digits, letters and spaces to ASCII; Chinese punctuation in running text is kept."""
    return text.translate(_FOLD)


def _header_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


# --- headers ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HeaderMap:
    """Column position → field code (or a special column), and what could not be matched."""

    columns: dict[int, str]
    unknown: list[str]
    missing_required: list[str]


def _header_lookup(item: CatalogItem) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for definition in item.fields:
        names = [definition["code"], definition["label"], definition.get("label_en", ""),
                 *definition.get("aliases", [])]
        for name in names:
            if name:
                lookup.setdefault(_header_key(name), definition["code"])
    for special, names in _SPECIAL_HEADERS.items():
        for name in names:
            lookup.setdefault(_header_key(name), special)
    return lookup


def header_map(item: CatalogItem, headers: list[str]) -> HeaderMap:
    lookup = _header_lookup(item)
    columns: dict[int, str] = {}
    unknown: list[str] = []
    for position, header in enumerate(headers):
        text = str(header or "").strip().lstrip("\ufeff")
        if not text:
            continue
        code = lookup.get(_header_key(text))
        if code is None or code in columns.values():
            unknown.append(text)
        else:
            columns[position] = code
    present = set(columns.values())
    missing = [f["label"] for f in item.fields if f.get("required") and f["code"] not in present]
    return HeaderMap(columns=columns, unknown=unknown, missing_required=missing)


# --- cells --------------------------------------------------------------------------------------------

def cell_normalize(definition: dict[str, Any], value: Any) -> Any:
    """What a cell means for ``catalog.schema.payload_validate``; bad values pass through for it to report."""
    if value is None:
        return None
    kind = definition["type"]
    if value.__class__ is str:
        if not value.isascii():
            value = value.translate(_FOLD)
            if kind in _STRUCTURED:
                value = unicodedata.normalize("NFKC", value)
        value = value.strip()
        if not value:
            return None
        if kind == FieldType.TEXT:
            return value
    if kind == FieldType.DATE:
        return _date_cell(value)
    if kind == FieldType.MONEY_WAN:
        return _wan_to_yuan(value)
    if kind == FieldType.USCC and isinstance(value, str):
        return value.replace(" ", "").upper()
    if isinstance(value, float) and value.is_integer() and kind in {FieldType.TEXT, FieldType.ID_NUMBER,
                                                                     FieldType.ENUM}:
        return str(int(value))  # Excel stores codes typed as numbers as floats
    if isinstance(value, int | float) and not isinstance(value, bool) and kind == FieldType.TEXT:
        return str(value)
    return value


def _date_cell(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    serial_text = isinstance(value, str) and value.replace(".", "", 1).isdigit() and len(value.split(".")[0]) <= 5
    serial = float(value) if numeric or serial_text else None
    if serial is not None and 1 <= serial <= _EXCEL_MAX_SERIAL:
        return (_EXCEL_EPOCH + timedelta(days=int(serial))).isoformat()
    if isinstance(value, str) and value.endswith("号"):
        value = value[:-1] + "日"
    return value


def _wan_to_yuan(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    text = repr(value) if isinstance(value, float) else str(value)
    if not text.replace(".", "", 1).isdigit():
        text = text.replace(",", "").replace("万元", "").replace("万", "").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return value  # payload_validate reports it
    if not amount.is_finite():
        return value
    return format((amount * _WAN).normalize(), "f")


# --- files --------------------------------------------------------------------------------------------

@dataclass
class SourceRow:
    number: int  # 1-based, as the source unit sees it (the header is row 1 of a CSV or sheet)
    cells: dict[str, Any]  # field code (or special column) -> raw value


@dataclass
class SourceTable:
    file_format: str
    encoding: str
    headers: HeaderMap
    rows: Iterator[SourceRow]
    notes: list[str] = field(default_factory=list)
    closer: Any = None  # closes the file when the rows are not read to the end

    def close(self) -> None:
        self.rows.close()  # type: ignore[attr-defined]
        if self.closer is not None:
            self.closer()


def format_sniff(name: str, head: bytes) -> str:
    lowered = name.lower()
    if head.startswith(b"PK\x03\x04") or lowered.endswith(".xlsx"):
        return FileFormat.XLSX
    if lowered.endswith((".jsonl", ".ndjson")) or head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"{"):
        return FileFormat.JSONL
    return FileFormat.CSV


def encoding_sniff(head: bytes) -> str:
    """UTF-8 (BOM or not) when the bytes decode as UTF-8, else GB18030 (a superset of GBK and GB2312)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def table_open(path: Path, *, item: CatalogItem, name: str | None = None) -> SourceTable:
    """Open ``path`` as a table of rows for ``item``; raises ``ColumnsMissing`` / ``FileUnreadable``."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    file_format = format_sniff(name or path.name, head)
    if file_format == FileFormat.XLSX:
        return _xlsx_table(path, item)
    encoding = encoding_sniff(head)
    if file_format == FileFormat.JSONL:
        return _jsonl_table(path, item, encoding)
    return _csv_table(path, item, encoding)


def _require(item: CatalogItem, headers: HeaderMap) -> HeaderMap:
    if headers.missing_required:
        raise ColumnsMissing(details={"missing": headers.missing_required, "unknown": headers.unknown})
    return headers


def _csv_table(path: Path, item: CatalogItem, encoding: str) -> SourceTable:
    handle = path.open("r", encoding=encoding, errors="strict", newline="")
    try:
        sample = handle.read(64 * 1024)
        handle.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",\t;|")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(handle, dialect)
        header_row = next(reader, None)
    except UnicodeDecodeError as exc:
        handle.close()
        raise FileUnreadable(details={"encoding": encoding, "reason": str(exc)}) from None
    if not header_row:
        handle.close()
        raise FileUnreadable(details={"reason": "empty file"})
    headers = _require(item, header_map(item, header_row))

    def rows() -> Iterator[SourceRow]:
        with handle:
            number = 1
            try:
                for cells in reader:
                    number += 1
                    if not any(c.strip() for c in cells):
                        continue
                    yield SourceRow(number, {code: cells[pos] for pos, code in headers.columns.items()
                                             if pos < len(cells)})
            except UnicodeDecodeError as exc:
                raise FileUnreadable(details={"row": number + 1, "encoding": encoding, "reason": str(exc)}) from None

    return SourceTable(FileFormat.CSV, encoding, headers, rows(), closer=handle.close)


def _xlsx_table(path: Path, item: CatalogItem) -> SourceTable:
    from openpyxl import load_workbook  # imported here: only Excel uploads pay for it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileUnreadable(details={"reason": str(exc)}) from None
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    header_row = next(iterator, None)
    if not header_row:
        workbook.close()
        raise FileUnreadable(details={"reason": "empty sheet"})
    headers = _require(item, header_map(item, [str(h) if h is not None else "" for h in header_row]))

    def rows() -> Iterator[SourceRow]:
        try:
            for number, cells in enumerate(iterator, start=2):
                if not any(c is not None and str(c).strip() for c in cells):
                    continue
                yield SourceRow(number, {code: cells[pos] for pos, code in headers.columns.items()
                                         if pos < len(cells)})
        finally:
            workbook.close()

    return SourceTable(FileFormat.XLSX, "", headers, rows(), closer=workbook.close)


def _jsonl_table(path: Path, item: CatalogItem, encoding: str) -> SourceTable:
    handle = path.open("r", encoding=encoding, errors="strict")
    lines = enumerate(handle, start=1)
    first: dict[str, Any] | None = None
    first_number = 0
    for number, line in lines:
        if line.strip():
            first, first_number = _json_object(line, number), number
            break
    if first is None:
        handle.close()
        raise FileUnreadable(details={"reason": "empty file"})
    # No required-column check here: each object names its own keys, and a missing field rejects that row.
    headers = header_map(item, list(first))
    lookup = _header_lookup(item)
    codes: dict[str, str | None] = {}  # key as spelled in the file -> field code (None: not a field)

    def cells_of(obj: dict[str, Any]) -> dict[str, Any]:
        cells: dict[str, Any] = {}
        for key, value in obj.items():
            if key not in codes:
                codes[key] = lookup.get(_header_key(str(key)))
            code = codes[key]
            if code is not None:
                cells[code] = value
        return cells

    def rows() -> Iterator[SourceRow]:
        with handle:
            yield SourceRow(first_number, cells_of(first))
            for number, line in lines:
                if not line.strip():
                    continue
                try:
                    obj = _json_object(line, number)
                except FileUnreadable as exc:
                    yield SourceRow(number, {UNREADABLE: exc.details})
                    continue
                yield SourceRow(number, cells_of(obj))

    return SourceTable(FileFormat.JSONL, encoding, headers, rows(), closer=handle.close)


def _json_object(line: str, number: int) -> dict[str, Any]:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise FileUnreadable(details={"row": number, "reason": str(exc)}) from None
    if not isinstance(obj, dict):
        raise FileUnreadable(details={"row": number, "reason": "not a JSON object"})
    return obj
