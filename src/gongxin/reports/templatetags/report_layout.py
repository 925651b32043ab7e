"""Layout of a report's record details: label/value pairs two to a line, long values on a line of their own.

Half as many lines as one field per line, so a record takes half the height and a PDF half the pages
(WeasyPrint's layout time grows with the pages). The lines are plain blocks, not table rows
(docs/decisions/019-pdf-build-time.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

register = template.Library()

# A value longer than this gets a whole row (legal bases, facts of the violation ...).
WIDE_AFTER_CHARACTERS = 24


@dataclass(frozen=True)
class Cell:
    label: str
    value: str
    attr: str = ""
    wide: bool = False


def _cells(record: dict[str, Any], subject_fields: Any) -> list[Cell]:
    cells = [
        Cell("来源单位", record.get("source_unit") or "—"),
        Cell("决定日期", record.get("decision_date") or "—"),
        Cell("信用属性", record.get("polarity_label") or "—"),
        Cell("法律依据", record.get("legal_basis") or "—", wide=True),
    ]
    if record.get("polarity") == "negative":
        cells.append(Cell("公示截止日期", record.get("publicity_end") or "—", attr="data-publicity-end"))
        cells.append(Cell("保存期至", record.get("retention_end") or "—"))
    for field in record.get("fields") or ():
        if field.get("code") in subject_fields:
            continue
        value = str(field.get("value", ""))
        cells.append(Cell(str(field.get("label", "")), value, wide=len(value) > WIDE_AFTER_CHARACTERS))
    return cells


@register.filter
def field_rows(record: dict[str, Any], subject_fields: Any) -> list[list[Cell]]:
    """Rows of at most two cells; a wide cell is alone on its row."""
    rows: list[list[Cell]] = []
    pending: list[Cell] = []
    for cell in _cells(record, subject_fields):
        if cell.wide:
            rows.append([cell])
            continue
        pending.append(cell)
        if len(pending) == 2:
            rows.append(pending)
            pending = []
    if pending:
        rows.append(pending)
    return rows
