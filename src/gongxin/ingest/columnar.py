"""The columnar validator: a chunk of rows checked column by column, compiled from the catalog item's schema.

The reference stays ``catalog.schema.payload_validate`` applied row by row (``ingest.rows.RowChecker.check``);
this module reaches the same verdict and the same canonical payload for a whole chunk at once (decision 074):

- **text fields** (most of a row's cells, nearly all distinct): pyarrow finds, in one pass over the column, the
  cells that are already what ``parsing.cell_normalize`` would make of them — not empty, no full-width letter,
  digit or space to fold, no whitespace to strip at either end — and their length in characters. Only the
  other cells (blank ones, a full-width digit, a stray space) are normalized in Python, by the reference's
  own function. A cell longer than the field's ``max_length`` rejects its row.
- **structured fields** (dates, amounts, codes, enumerations, booleans, identity numbers: few distinct values
  per column): each distinct value of the column is normalized and validated once, by the catalog's own
  validator on that one field, and the verdict is shared by every cell holding it (remembered across the
  checker's chunks, bounded).
- **the rules across fields**, on whole columns: required fields, no decision in the future, no date before
  the date it must follow (``not_before``).

A row the columnar pass accepts goes on with its canonical payload (``RowChecker.accepted``: identity,
subject, flags); a row it rejects is checked again by the reference validator, which gives the exact issues
in both languages. Rows it does not take — special rows (unreadable, bad cells, reading stopped), rows with a
cell that is not text (numbers and dates of an .xlsx, JSON numbers) — go to the reference validator whole.
``ingest/tests/test_columnar.py`` proves the two equal with generated messy rows (hypothesis).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import repeat
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from gongxin.catalog.choices import FieldType
from gongxin.catalog.models import CatalogItem
from gongxin.catalog.schema import CatalogValidationFailed, payload_validate
from gongxin.ingest import parsing
from gongxin.ingest.rows import CheckedRow, Issue, RowChecker

STRUCTURED_MEMO_MAX = 100_000  # distinct cells' verdicts remembered per field and checker
_EMPTY = object()  # the cell normalizes to nothing (the field is absent from the payload)


class _Problem:
    """A structured cell the catalog's validator refuses (its code, for tests and statistics)."""

    __slots__ = ("code",)

    def __init__(self, code: str) -> None:
        self.code = code


def _char_class(codes: Sequence[int]) -> str:
    return "".join(f"\\x{{{code:x}}}" for code in codes)


# Every character Python's ``str.strip()`` removes, and every character ``parsing.fold_width`` changes: a text
# cell holding none of the latter and none of the former at either end is normal already.
_WHITESPACE = [code for code in range(0x110000) if chr(code).isspace()]
_FOLDED = sorted(map(ord, parsing.FOLDED))
_NOT_NORMAL = re.sub(r"\s+", "", f"""
    [{_char_class(_FOLDED)}] | ^[{_char_class(_WHITESPACE)}] | [{_char_class(_WHITESPACE)}]$
""")
_SPECIAL = frozenset({parsing.UNREADABLE, parsing.BAD_CELLS, parsing.STOPPED})
_TEXT_TYPES = frozenset({str, type(None)})


class ColumnarChecker:
    """Checks chunks of rows of one catalog item column by column; ``RowChecker`` (the reference) does the
    rest: what the rows become once accepted, and the exact issues of the rows rejected."""

    def __init__(self, checker: RowChecker) -> None:
        self.checker = checker
        item = checker.item
        self.item = item
        self.fields = list(item.fields)
        self.text = {f["code"] for f in self.fields if f["type"] == FieldType.TEXT}
        self.required = [f["code"] for f in self.fields if f.get("required")]
        self.decision_field = item.decision_date_field or ""
        self.not_before = [(f["code"], f["not_before"]) for f in self.fields if f.get("not_before")]
        # Each structured field alone, optional and without cross-field rules: the catalog's validator of one
        # cell. The rules across fields are the columnar pass's own (``_rows_rejected``).
        self._single: dict[str, CatalogItem] = {
            f["code"]: CatalogItem(fields=[_alone(f)], decision_date_field="", natural_key=[])
            for f in self.fields if f["type"] != FieldType.TEXT
        }
        self._structured: dict[str, dict[Any, Any]] = {}  # field code -> cell -> verdict (bounded per field)

    # -- the verdicts ---------------------------------------------------------------------------------

    def verdicts(self, rows: Sequence[parsing.SourceRow]) -> list[dict[str, Any] | bool | None]:
        """Per row: its canonical payload (accepted), False (rejected) or None (not taken: the reference
        validator checks it)."""
        taken = [i for i, row in enumerate(rows) if len(row.cells) != 1 or _SPECIAL.isdisjoint(row.cells)]
        verdicts: list[dict[str, Any] | bool | None] = [None] * len(rows)
        if not taken:
            return verdicts
        cells = [rows[i].cells for i in taken]
        size = len(cells)
        named = set().union(*cells)  # the columns the chunk has
        rejected = [False] * size
        left: set[int] = set()  # rows with a cell that is not text: the reference checks them
        columns: list[tuple[str, list[Any]]] = []
        for definition in self.fields:
            code = definition["code"]
            if code not in named:  # a column the file does not have
                columns.append((code, [None] * size))
                continue
            column = list(map(dict.get, cells, repeat(code)))
            if not _TEXT_TYPES.issuperset(map(type, column)):
                for position, value in enumerate(column):
                    if value is not None and value.__class__ is not str:
                        left.add(position)
                        column[position] = None
            if code in self.text:
                values = self._text_column(definition, column, rejected)
            else:
                values = self._structured_column(code, column, rejected)
            columns.append((code, values))
        self._rows_rejected(dict(columns), rejected)
        present = [(code, values) for code, values in columns if values.count(None) != size]
        codes = [code for code, _ in present]
        tuples = list(zip(*(values for _, values in present), strict=True)) if present else [()] * size
        for position, (index, row) in enumerate(zip(taken, tuples, strict=True)):
            if position in left:
                continue
            if rejected[position]:
                verdicts[index] = False
            elif None in row:
                verdicts[index] = {code: value for code, value in zip(codes, row, strict=True) if value is not None}
            else:
                verdicts[index] = dict(zip(codes, row, strict=True))
        return verdicts

    def check_chunk(self, rows: Sequence[parsing.SourceRow]) -> list[CheckedRow | list[Issue]]:
        """What ``RowChecker.check`` gives for each row, the accepted rows checked column by column."""
        checker = self.checker
        try:
            verdicts = self.verdicts(rows)
        except (pa.ArrowException, UnicodeError):  # a lone surrogate pyarrow cannot hold: the reference checks all
            verdicts = [None] * len(rows)
        out: list[CheckedRow | list[Issue]] = []
        for row, verdict in zip(rows, verdicts, strict=True):
            if verdict is None or verdict is False:
                out.append(checker.check(row))
            else:
                out.append(checker.accepted(row, verdict))  # type: ignore[arg-type]
        return out

    # -- columns ----------------------------------------------------------------------------------------

    def _text_column(self, definition: dict[str, Any], column: list[Any], rejected: list[bool]) -> list[Any]:
        """The normalized cells of a text column (None: empty); a cell over ``max_length`` rejects its row."""
        array = pa.array(column, type=pa.string())
        odd = pc.fill_null(pc.match_substring_regex(array, _NOT_NORMAL), True)
        max_length = definition.get("max_length")
        if max_length:
            odd = pc.or_(odd, pc.greater(pc.utf8_length(array), max_length))
        blank = pc.fill_null(pc.equal(array, ""), True)
        odd = pc.or_(odd, blank)
        positions = pc.indices_nonzero(odd).to_pylist()
        if not positions:
            return column
        values = list(column)
        for position in positions:
            value = parsing.cell_normalize(definition, column[position])
            values[position] = value
            if value is not None and max_length and len(value) > max_length:
                rejected[position] = True
        return values

    def _structured_column(self, code: str, column: list[Any], rejected: list[bool]) -> list[Any]:
        """The canonical cells of a structured column, each distinct cell validated once."""
        memo = self._structured.setdefault(code, {})
        canonical: dict[Any, Any] = {}  # cell -> its canonical value, for the cells that have one
        refused: set[Any] = set()
        for cell in set(column):
            if cell is None:
                continue
            verdict = memo.get(cell)
            if verdict is None:
                verdict = self._structured_cell(code, cell)
                if len(memo) < STRUCTURED_MEMO_MAX:
                    memo[cell] = verdict
            if verdict.__class__ is _Problem:
                refused.add(cell)
            elif verdict is not _EMPTY:
                canonical[cell] = verdict
        if refused:
            for position, cell in enumerate(column):
                if cell in refused:
                    rejected[position] = True
        return list(map(canonical.get, column))

    def _structured_cell(self, code: str, cell: str) -> Any:
        definition = self.checker.definitions[code]
        normalized = parsing.cell_normalize(definition, cell)
        if normalized is None:
            return _EMPTY
        try:
            canonical = payload_validate(item=self._single[code], payload={code: normalized},
                                         today=self.checker.today)
        except CatalogValidationFailed as exc:
            return _Problem(str(exc.details[0]["code"]))
        return canonical.get(code, _EMPTY)

    def _rows_rejected(self, columns: dict[str, list[Any]], rejected: list[bool]) -> None:
        """The rules across fields, column by column: required, no future decision, ``not_before``."""
        for code in self.required:
            column = columns[code]
            if None in column:
                for position, value in enumerate(column):
                    if value is None:
                        rejected[position] = True
        if self.decision_field in columns:
            today = self.checker.today.isoformat()  # canonical dates are ISO strings: their order is the dates'
            for position, value in enumerate(columns[self.decision_field]):
                if value is not None and value > today:
                    rejected[position] = True
        for code, other in self.not_before:
            if code in columns and other in columns:
                for position, (value, bound) in enumerate(zip(columns[code], columns[other], strict=True)):
                    if value is not None and bound is not None and value < bound:
                        rejected[position] = True


def _alone(definition: dict[str, Any]) -> dict[str, Any]:
    alone = {key: value for key, value in definition.items() if key != "not_before"}
    alone["required"] = False
    return alone
