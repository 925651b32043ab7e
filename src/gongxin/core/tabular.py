"""Cells of every spreadsheet and CSV file the platform writes: text that would run as a formula is defused.

Excel, LibreOffice and WPS treat a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, after a tab or a
carriage return, the same) as a formula, even in a CSV file: ``=HYPERLINK(...)`` sent by a source unit or a
subject would run on a staff member's machine when they open an export or an error report. Every value
written to such a file goes through ``cell_defuse``, which prefixes those with an apostrophe — Excel's own
mark for "text" — so the cell shows the value as it was given and never evaluates it. Numbers, dates and
empty cells are left as they are (they are written as values, not as text).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# A cell starting with one of these is a formula to a spreadsheet program.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_defuse(value: Any) -> Any:
    """The value to write into a spreadsheet or CSV cell: text that starts like a formula gets a leading ``'``."""
    if value.__class__ is str and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def row_defuse(values: Iterable[Any]) -> list[Any]:
    return [cell_defuse(value) for value in values]
