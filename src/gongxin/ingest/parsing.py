"""Reading what source units send: CSV (UTF-8 with or without BOM, GBK, GB18030), Excel .xlsx and JSON Lines.

Files are streamed, never read whole: ``table_open`` sniffs the format and the encoding from the first
bytes, then yields one ``SourceRow`` at a time. A bad cell — a NUL character, bytes that are not text in the
file's encoding, more characters than ``ReadLimits.cell_chars`` — rejects its row, never the file (``BAD_CELLS``);
reading stops after ``ReadLimits.empty_rows`` empty rows in a row (``STOPPED``) and fails past
``ReadLimits.rows`` rows; an .xlsx is refused before it is opened when its parts would unpack too large.
Column headers are matched to the catalog item's fields by Chinese label, field code, English label or
alias, after folding full-width characters and spaces (``header_map``). Cell values are normalized per
field type by ``cell_normalize``: full-width digits, letters and spaces become ASCII, text is trimmed, Excel
date serials become dates and amounts in 万元 become yuan (the canonical unit of ``catalog.schema``).
"""

from __future__ import annotations

import codecs
import csv
import json
import unicodedata
import zipfile
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings

from gongxin.catalog.choices import FieldType
from gongxin.catalog.models import CatalogItem
from gongxin.ingest.choices import FileFormat
from gongxin.ingest.errors import ColumnsMissing, FileUnreadable, TooManyRows, XlsxTooLarge

SNIFF_BYTES = 1 << 20
# Excel's day 0 (serial 1 = 1900-01-01, counting the 1900 leap-year bug) and the last serial it accepts.
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2958465
_WAN = Decimal(10000)

# Columns that are not fields of the item but say something about the row.
SOURCE_RECORD_ID = "__source_record_id"
REVOKED = "__revoked"
SEVERITY = "__severity"
UNREADABLE = "__unreadable"  # a JSON line (or CSV record) that does not parse: the row is rejected
BAD_CELLS = "__bad_cells"  # [(column code, problem code, value excerpt)]: the row is rejected
STOPPED = "__stopped"  # reading stopped after this many empty rows in a row: a warning, not a row
_SPECIAL_HEADERS = {
    SOURCE_RECORD_ID: ("source_record_id", "数据标识", "记录标识", "信息标识", "数据主键", "记录编号"),
    REVOKED: ("revoked", "revoke", "撤销", "撤销标记", "是否撤销", "撤销标识"),
    SEVERITY: ("severity", "失信严重程度", "严重程度", "失信程度"),
}
_STRUCTURED = {FieldType.DATE, FieldType.DECIMAL, FieldType.MONEY_WAN, FieldType.USCC, FieldType.ID_NUMBER,
               FieldType.BOOLEAN, FieldType.ENUM}


# --- limits -------------------------------------------------------------------------------------------

# An .xlsx part unpacking to more than this is checked for its compression ratio (small parts may be any).
XLSX_RATIO_MIN_BYTES = 1 << 20
# The csv module's own field limit: a field up to this size is read whole (and then rejected by its length);
# beyond it the record cannot be parsed and is rejected as unreadable.
CSV_FIELD_HARD_LIMIT = 16 << 20


@dataclass(frozen=True)
class ReadLimits:
    """What one file may hold (settings ``GONGXIN_INGEST_MAX_*``, docs/ingest.md "Limits")."""

    cell_chars: int = 32_767  # Excel's own maximum for a cell
    rows: int = 5_000_000
    empty_rows: int = 1_000
    xlsx_uncompressed_bytes: int = 1 << 30
    xlsx_ratio: int = 100  # Apache POI's default for zip bombs (minimum inflate ratio 0.01)

    @classmethod
    def from_settings(cls) -> ReadLimits:
        return cls(
            cell_chars=settings.GONGXIN_INGEST_MAX_CELL_CHARS, rows=settings.GONGXIN_INGEST_MAX_ROWS,
            empty_rows=settings.GONGXIN_INGEST_MAX_EMPTY_ROWS,
            xlsx_uncompressed_bytes=settings.GONGXIN_INGEST_XLSX_MAX_UNCOMPRESSED_BYTES,
            xlsx_ratio=settings.GONGXIN_INGEST_XLSX_MAX_RATIO,
        )


# --- character folding --------------------------------------------------------------------------------

def _fold_table() -> dict[int, str]:
    table = {0x3000: " ", 0x00A0: " "}  # ideographic and no-break spaces
    for code in range(0xFF10, 0xFF1A):  # ０-９
        table[code] = chr(code - 0xFEE0)
    for code in list(range(0xFF21, 0xFF3B)) + list(range(0xFF41, 0xFF5B)):  # Ａ-Ｚ ａ-ｚ
        table[code] = chr(code - 0xFEE0)
    return table


_FOLD = _fold_table()
FOLDED = frozenset(map(chr, _FOLD))  # every character ``fold_width`` changes


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
    for special, special_names in _SPECIAL_HEADERS.items():
        for name in special_names:
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
    # A CSV record read with a ``RecordSift``: the fingerprint of its text as read (ingest.fingerprint) ...
    fingerprint: int | None = None
    # ... and, for a record the sift presumes unchanged, the identity it names: its cells were not parsed (empty;
    # ``SourceTable.parse`` parses ``text``, the record as read without its line end).
    presumed: str | None = None
    text: str = ""


@dataclass(slots=True)
class PresumedRecords:
    """The records of a chunk that a sift presumed unchanged, as columns in file order: row numbers, fingerprints,
    the identities they name, and their text as read (``SourceTable.parse_presumed``). No object per record: a
    snapshot re-sync reads millions of them, and the reader passes the first three columns on as they are."""

    numbers: array[int] = field(default_factory=lambda: array("q"))
    fingerprints: array[int] = field(default_factory=lambda: array("q"))
    identities: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.numbers)


@dataclass(slots=True)
class SourceChunk:
    """Consecutive records of a table: those read as rows (``SourceRow``, file order) and those presumed unchanged
    (columns, file order); together ``len(rows) + len(presumed)`` records."""

    rows: list[SourceRow]
    presumed: PresumedRecords


# A CSV record's text as read (decoded, without its line end) -> its fingerprint, and the identity it names when the
# record is presumed unchanged (then its cells are not parsed). ``fields``: its cells by position when they were parsed
# already (a record with a quote character is parsed to find where it ends), else None (then ``text.split`` on the
# delimiter gives them: a line with no quote character is its cells joined by the delimiter).
RecordSift = Callable[[str, "list[str] | None"], "tuple[int | None, str | None]"]
# Made once the header is read: (the header line as read, the delimiter, column position -> field code) -> the sift.
RecordSiftFor = Callable[[str, str, dict[int, str]], RecordSift]


@dataclass
class SourceTable:
    file_format: str
    encoding: str
    headers: HeaderMap
    rows: Iterator[SourceRow]
    notes: list[str] = field(default_factory=list)
    closer: Any = None  # closes the file when the rows are not read to the end
    # The rows carry their fingerprints (a CSV opened with ``sift_for``); other tables' rows carry none.
    sifted: bool = False
    reparse: Callable[[SourceRow], SourceRow] | None = None
    # A sifted CSV read chunk by chunk, its presumed records as columns (``chunks``).
    chunked: Callable[[Iterator[int]], Iterator[SourceChunk]] | None = None

    def close(self) -> None:
        self.rows.close()  # type: ignore[attr-defined]
        if self.closer is not None:
            self.closer()

    def parse(self, row: SourceRow) -> SourceRow:
        """The row with its cells: a presumed row's parsed from its text (others are returned as they are)."""
        if row.presumed is None or self.reparse is None:
            return row
        return self.reparse(row)

    def parse_presumed(self, presumed: PresumedRecords, index: int) -> SourceRow:
        """The ``index``-th presumed record of a chunk as a row with its cells, parsed from its text."""
        return self.parse(SourceRow(presumed.numbers[index], {}, presumed.fingerprints[index],
                                    presumed.identities[index], presumed.texts[index]))

    def chunks(self, size: int, *, skip: int = 0) -> Iterator[SourceChunk]:
        """The records ``size`` at a time — but the first ``skip`` in chunks that end at ``skip`` — with the rows as
        ``rows`` gives them and a sifted CSV's presumed records as columns, never as a ``SourceRow`` each; the last
        chunk may hold fewer. Use either this or ``rows``."""
        sizes = _chunk_sizes(size, skip)
        if self.chunked is not None:
            yield from self.chunked(sizes)
            return
        while chunk := list(islice(self.rows, next(sizes))):
            yield SourceChunk(chunk, PresumedRecords())


def _chunk_sizes(size: int, skip: int) -> Iterator[int]:
    while skip > 0:
        part = min(skip, size)
        skip -= part
        yield part
    while True:
        yield size


def format_sniff(name: str, head: bytes) -> str:
    lowered = name.lower()
    if head.startswith(b"PK\x03\x04") or lowered.endswith(".xlsx"):
        return FileFormat.XLSX
    if lowered.endswith((".jsonl", ".ndjson")) or head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"{"):
        return FileFormat.JSONL
    return FileFormat.CSV


def encoding_sniff(head: bytes) -> str:
    """UTF-8 (BOM or not) when the bytes decode as UTF-8, else GB18030 (a superset of GBK and GB2312).

    A few stray bytes in a UTF-8 file (one damaged cell) keep it UTF-8: only that cell's row is rejected.
    Chinese text in GBK is never valid UTF-8 for long, so a GBK file has about as many errors as characters."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        text = codecs.getincrementaldecoder("utf-8")("replace").decode(head, final=False)
        errors = text.count(REPLACEMENT)
        valid = sum(1 for character in text if not character.isascii()) - errors
        return "utf-8" if valid >= 50 * errors else "gb18030"
    return "utf-8"


def table_open(path: Path, *, item: CatalogItem, name: str | None = None,
               limits: ReadLimits | None = None, sift_for: RecordSiftFor | None = None) -> SourceTable:
    """Open ``path`` as a table of rows for ``item``; raises ``ColumnsMissing`` / ``FileUnreadable`` /
    ``XlsxTooLarge``; the rows raise ``TooManyRows`` past the limit. With ``sift_for`` a CSV's records are
    fingerprinted as read, and those the sift presumes unchanged are not parsed (``SourceRow.presumed``); an .xlsx's
    or a JSON file's rows are read as without it."""
    limits = limits or ReadLimits.from_settings()
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    file_format = format_sniff(name or path.name, head)
    if file_format == FileFormat.XLSX:
        return _xlsx_table(path, item, limits)
    encoding = encoding_sniff(head)
    if file_format == FileFormat.JSONL:
        return _jsonl_table(path, item, encoding, limits)
    return _csv_table(path, item, encoding, limits, sift_for)


def _require(item: CatalogItem, headers: HeaderMap) -> HeaderMap:
    if headers.missing_required:
        raise ColumnsMissing(details={"missing": headers.missing_required, "unknown": headers.unknown})
    return headers


# --- bad cells ----------------------------------------------------------------------------------------

# Decoding replaces bytes that are not text in the file's encoding by U+FFFD: a cell holding one is rejected
# (the row, not the file). A U+FFFD in the file itself means its text was damaged before: rejected too.
REPLACEMENT = "\ufffd"


def _bad_cells(cells: dict[str, Any], limit: int) -> list[tuple[str, str, str]]:
    """(column code, problem, excerpt) of every bad text cell of a row: called only for rows whose joined
    text showed a NUL, a replacement character, a surrogate or too many characters (rare, so not fast)."""
    found = []
    for code, value in cells.items():
        if value.__class__ is not str:
            continue
        if "\x00" in value:
            found.append((code, "nul_character", _excerpt(value)))
        elif REPLACEMENT in value or _has_surrogate(value):
            found.append((code, "undecodable", _excerpt(value)))
        elif len(value) > limit:
            found.append((code, "cell_too_long", str(len(value))))
    return found


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def text_clean(text: str) -> str:
    """Text safe to store and show (no NUL, no lone surrogate): for values quoted in row issues."""
    text = text.replace("\x00", REPLACEMENT)
    return text.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(text) else text


def _excerpt(value: str) -> str:
    return text_clean(value[:100])


def _screened(number: int, cells: dict[str, Any], limit: int) -> SourceRow:
    """The row, or a row of its bad cells: for a row whose joined text looked suspicious."""
    bad = _bad_cells(cells, limit)
    return SourceRow(number, {BAD_CELLS: bad} if bad else cells)


def _text_suspicious(text: str, limit: int) -> bool:
    return "\x00" in text or REPLACEMENT in text or len(text) > limit


class _Limiter:
    """Counts rows: the row limit (raises) and the run of empty rows after which reading stops."""

    def __init__(self, limits: ReadLimits) -> None:
        self.limits = limits
        self.rows = 0
        self.empty = 0

    def row(self) -> None:
        self.empty = 0
        self.rows += 1
        if self.rows > self.limits.rows:
            raise TooManyRows(details={"limit": self.limits.rows})

    def empty_row(self) -> bool:
        """True when reading must stop here."""
        self.empty += 1
        return self.empty >= self.limits.empty_rows

    def stopped(self, number: int) -> SourceRow:
        return SourceRow(number, {STOPPED: self.empty})


# --- formats ------------------------------------------------------------------------------------------

def _csv_table(path: Path, item: CatalogItem, encoding: str, limits: ReadLimits,
               sift_for: RecordSiftFor | None = None) -> SourceTable:
    csv.field_size_limit(max(CSV_FIELD_HARD_LIMIT, 4 * limits.cell_chars))
    handle = path.open("r", encoding=encoding, errors="replace", newline="")
    # The csv module reads its lines through ``lines``: first a line put back in ``pending`` (read by this module to
    # see whether it needs parsing at all), then the file's; ``taken`` keeps the lines of the record it parsed last,
    # so the record's text as read is known even when a quoted cell holds a line break.
    pending: list[str] = []
    taken: list[str] = []

    def lines() -> Iterator[str]:
        while True:
            line = pending.pop() if pending else handle.readline()
            if not line:
                return
            taken.append(line)
            yield line

    try:
        sample = handle.read(64 * 1024)
        handle.seek(0)
        try:
            delimiter = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",\t;|").delimiter
        except csv.Error:
            delimiter = ","
        # Only the delimiter is sniffed (from the header line): quoting is Excel's, whose doubled quotes ("")
        # inside a quoted cell the header line cannot show.
        reader = csv.reader(lines(), csv.excel, delimiter=delimiter)
        header_row = next(reader, None)
    except (UnicodeDecodeError, csv.Error) as exc:
        handle.close()
        raise FileUnreadable(details={"encoding": encoding, "reason": str(exc)}) from None
    if not header_row:
        handle.close()
        raise FileUnreadable(details={"reason": "empty file"})
    headers = _require(item, header_map(item, header_row))
    columns = list(headers.columns.items())
    limit = limits.cell_chars
    sift = sift_for("".join(taken).rstrip("\r\n"), delimiter, headers.columns) if sift_for is not None else None

    def row_of(number: int, cells: list[str], text: str, fingerprint: int | None) -> SourceRow:
        row = {code: cells[pos] for pos, code in columns if pos < len(cells)}
        if "\x00" in text or REPLACEMENT in text or len(text) > limit:
            screened = _screened(number, row, limit)
            return screened if BAD_CELLS in screened.cells else SourceRow(number, row, fingerprint)
        return SourceRow(number, row, fingerprint)

    def records(sizes: Iterator[int] | None) -> Iterator[Any]:
        """The records one ``SourceRow`` at a time (``sizes`` None), or ``SourceChunk``s of as many records as
        ``sizes`` gives in turn, their presumed records as columns: one loop for both, which read the same records."""
        # The bulk path: the limits are counted inline (a _Limiter call per row showed in the profile).
        max_rows, max_empty = limits.rows, limits.empty_rows
        chunk: SourceChunk | None = None
        out: list[SourceRow] = []
        put_row = out.append
        numbers = fingerprints = array("q")
        identities: list[str] = []
        texts: list[str] = []
        size = 0
        if sizes is not None:
            size = next(sizes)
            chunk = SourceChunk(out, PresumedRecords())
            numbers, fingerprints = chunk.presumed.numbers, chunk.presumed.fingerprints
            identities, texts = chunk.presumed.identities, chunk.presumed.texts
        count = 0
        with handle:
            number, read, empty = 1, 0, 0
            while True:
                line = handle.readline()
                if not line:
                    break
                number += 1
                fingerprint = presumed = None
                quoted = '"' in line
                if sift is not None and not quoted:  # the record is this line: fingerprinted before it is parsed
                    record = line.rstrip("\r\n")
                    fingerprint, presumed = sift(record, None)
                cells: list[str] | None = None
                if presumed is None:
                    pending.append(line)
                    taken.clear()
                    try:
                        cells = next(reader)
                        text = "".join(cells)
                    except StopIteration:
                        break
                    except csv.Error as exc:  # a field beyond the csv module's limit, or a broken quote
                        cells = None
                        text = str(exc)
                    if sift is not None and quoted and cells is not None:
                        record = "".join(taken).rstrip("\r\n")
                        fingerprint, presumed = sift(record, cells)
                    if presumed is None and cells is not None and (not text or text.isspace()):
                        empty += 1
                        if empty >= max_empty:
                            if chunk is None:
                                yield SourceRow(number, {STOPPED: empty})
                            else:
                                put_row(SourceRow(number, {STOPPED: empty}))
                                count += 1
                            break
                        continue
                empty = 0
                read += 1
                if read > max_rows:
                    raise TooManyRows(details={"limit": max_rows})
                if presumed is not None:  # known unchanged: its cells are parsed only if the row is checked after all
                    if chunk is None:
                        yield SourceRow(number, {}, fingerprint, presumed, record)
                        continue
                    numbers.append(number)
                    fingerprints.append(fingerprint)  # type: ignore[arg-type]
                    identities.append(presumed)
                    texts.append(record)
                else:
                    row = (SourceRow(number, {UNREADABLE: {"reason": text}}) if cells is None
                           else row_of(number, cells, text, fingerprint))
                    if chunk is None:
                        yield row
                        continue
                    put_row(row)
                count += 1
                if count == size:
                    yield chunk
                    out = []
                    put_row = out.append
                    chunk = SourceChunk(out, PresumedRecords())
                    numbers, fingerprints = chunk.presumed.numbers, chunk.presumed.fingerprints
                    identities, texts = chunk.presumed.identities, chunk.presumed.texts
                    count = 0
                    size = next(sizes)  # type: ignore[arg-type]
        if chunk is not None and count:
            yield chunk

    def rows() -> Iterator[SourceRow]:
        yield from records(None)

    def chunked(sizes: Iterator[int]) -> Iterator[SourceChunk]:
        yield from records(sizes)

    def reparse(row: SourceRow) -> SourceRow:
        cells = next(csv.reader([row.text], csv.excel, delimiter=delimiter))
        return row_of(row.number, cells, "".join(cells), row.fingerprint)

    return SourceTable(FileFormat.CSV, encoding, headers, rows(), closer=handle.close, sifted=sift is not None,
                       reparse=reparse, chunked=chunked if sift is not None else None)


def xlsx_check(path: Path, limits: ReadLimits) -> None:
    """Refuse an .xlsx whose parts would unpack too large, before openpyxl reads any of them.

    The sizes are the zip's own declarations; Python's zipfile never inflates a part past its declared size
    (the CRC check fails instead), so they bound what openpyxl can be made to hold."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileUnreadable(details={"reason": str(exc)}) from None
    total = 0
    for part in parts:
        total += part.file_size
        if part.file_size > XLSX_RATIO_MIN_BYTES and part.file_size > limits.xlsx_ratio * max(part.compress_size, 1):
            raise XlsxTooLarge(details={"part": part.filename, "unpacked_bytes": part.file_size,
                                        "packed_bytes": part.compress_size, "max_ratio": limits.xlsx_ratio})
    if total > limits.xlsx_uncompressed_bytes:
        raise XlsxTooLarge(details={"unpacked_bytes": total, "limit_bytes": limits.xlsx_uncompressed_bytes})


def _xlsx_table(path: Path, item: CatalogItem, limits: ReadLimits) -> SourceTable:
    from openpyxl import load_workbook  # imported here: only Excel uploads pay for it

    xlsx_check(path, limits)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileUnreadable(details={"reason": str(exc)}) from None
    try:
        sheet = workbook.worksheets[0]
        header_row = next(sheet.iter_rows(max_row=1, values_only=True), None)
    except Exception as exc:
        workbook.close()
        raise FileUnreadable(details={"reason": str(exc)}) from None
    if not header_row:
        workbook.close()
        raise FileUnreadable(details={"reason": "empty sheet"})
    headers = _require(item, header_map(item, [str(h) if h is not None else "" for h in header_row]))
    columns = list(headers.columns.items())
    limit = limits.cell_chars
    # Only the mapped columns are read: a sheet claiming 16,384 columns costs nothing per row.
    iterator = sheet.iter_rows(min_row=2, max_col=max(headers.columns, default=0) + 1, values_only=True)

    def rows() -> Iterator[SourceRow]:
        limiter = _Limiter(limits)
        try:
            for number, cells in enumerate(iterator, start=2):
                if not any(c is not None and str(c).strip() for c in cells):
                    if limiter.empty_row():
                        yield limiter.stopped(number)
                        return
                    continue
                limiter.row()
                row = {code: cells[pos] for pos, code in columns if pos < len(cells)}
                text = "".join(v for v in row.values() if v.__class__ is str)
                if _text_suspicious(text, limit) or _has_surrogate(text):
                    yield _screened(number, row, limit)
                else:
                    yield SourceRow(number, row)
        finally:
            workbook.close()

    return SourceTable(FileFormat.XLSX, "", headers, rows(), closer=workbook.close)


def _jsonl_table(path: Path, item: CatalogItem, encoding: str, limits: ReadLimits) -> SourceTable:
    handle = path.open("r", encoding=encoding, errors="replace")
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
    limit = limits.cell_chars

    def row_of(number: int, obj: dict[str, Any]) -> SourceRow:
        cells: dict[str, Any] = {}
        for key, value in obj.items():
            if key not in codes:
                codes[key] = lookup.get(_header_key(str(key)))
            code = codes[key]
            if code is not None:
                cells[code] = value
        # JSON escapes can spell a NUL (\\u0000) or a lone surrogate (\\ud800): checked on the decoded values.
        text = "".join(v for v in cells.values() if v.__class__ is str)
        if _text_suspicious(text, limit) or _has_surrogate(text):
            return _screened(number, cells, limit)
        return SourceRow(number, cells)

    def rows() -> Iterator[SourceRow]:
        limiter = _Limiter(limits)
        with handle:
            limiter.row()
            yield row_of(first_number, first)
            for number, line in lines:
                if not line.strip():
                    if limiter.empty_row():
                        yield limiter.stopped(number)
                        return
                    continue
                limiter.row()
                try:
                    obj = _json_object(line, number)
                except FileUnreadable as exc:
                    yield SourceRow(number, {UNREADABLE: exc.details})
                    continue
                yield row_of(number, obj)

    return SourceTable(FileFormat.JSONL, encoding, headers, rows(), closer=handle.close)


def _json_object(line: str, number: int) -> dict[str, Any]:
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError) as exc:  # ValueError: bad JSON, or an integer of thousands of digits
        raise FileUnreadable(details={"row": number, "reason": str(exc)[:200]}) from None
    if not isinstance(obj, dict):
        raise FileUnreadable(details={"row": number, "reason": "not a JSON object"})
    return obj
