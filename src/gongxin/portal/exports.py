"""Exports of the double-publicity listing: CSV (UTF-8 with a BOM, so Excel opens it) and Excel .xlsx.

Both hold the same columns and the same filtered rows as the page, in its order, and are streamed while
the rows are read (decision 044): the rows come in keyset chunks (``portal.selectors.publicity_export_rows``,
one short index range per query), the CSV leaves line by line and the workbook is zipped as it is written
(``core.xlsx``), so the download starts at once and memory stays flat whatever the listing's length.

An export holds at most ``EXPORT_MAX_ROWS`` rows (an Excel sheet cannot hold many more). When a listing is
longer, the file itself says so: the CSV's last line and the sheet's last row name the limit and ask to
narrow the filters; the page says it before the download. ``X-Export-Limit`` carries the limit too.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from typing import Any

from django.http import StreamingHttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gongxin.catalog.choices import RecordKind
from gongxin.core import clock
from gongxin.core.tabular import cell_defuse
from gongxin.core.xlsx import xlsx_stream
from gongxin.portal.selectors import (
    EXPORT_MAX_ROWS,
    PublicityFilters,
    PublicityRow,
    publicity_export_rows,
)

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
# The CSV leaves this many lines at a time (a write per line cost about a tenth of the export's time).
CSV_LINES_PER_WRITE = 200


def _iso(value: Any) -> str:
    return value.isoformat() if value else ""


def export_columns() -> list[tuple[str, Callable[[PublicityRow], str]]]:
    """(heading in the active language, value of a row) of every exported column, in order."""
    kinds = {RecordKind.LICENCE: str(RecordKind.LICENCE.label), RecordKind.PENALTY: str(RecordKind.PENALTY.label)}
    yes = _("Yes")
    return [
        (_("Kind"), lambda r: kinds.get(r.kind, r.kind)),
        (_("Catalog item"), lambda r: r.item_name),
        (_("Subject name"), lambda r: r.subject_name),
        (_("Unified social credit code"), lambda r: r.uscc),
        (_("District or county"), lambda r: r.district_name or r.district_code),
        (_("Decision number"), lambda r: r.decision_number),
        (_("Type"), lambda r: r.type_label),
        (_("Content"), lambda r: r.content),
        (_("Decision date"), lambda r: _iso(r.decision_date)),
        (_("Publicity end"), lambda r: _iso(r.publicity_end) if r.kind == RecordKind.PENALTY else ""),
        (_("Deciding authority"), lambda r: r.authority_name),
        (_("Source unit"), lambda r: r.source_unit_name),
        (_("Under objection"), lambda r: yes if r.under_objection else ""),
    ]


def _filename(extension: str) -> str:
    # The platform's date and time, as the listing shows them (Beijing time), never UTC.
    return f"publicity-{clock.local():%Y%m%d-%H%M}.{extension}"


def _headers(response: StreamingHttpResponse, *, extension: str, limit: int) -> None:
    response["Content-Disposition"] = f'attachment; filename="{_filename(extension)}"'
    response["X-Export-Limit"] = str(limit)
    response["Cache-Control"] = "no-store"


def limit_note(limit: int) -> str:
    """The last line of an export that stops at ``limit`` rows while the listing goes on."""
    return _("The export stops here, after %(limit)s rows; the listing has more. Narrow the filters (a "
             "department, a district, a period) to export the rest.") % {"limit": f"{limit:,}"}


def _cells(filters: PublicityFilters, limit: int) -> Iterator[list[str]]:
    """The header, then one list of cells per row; the limit's note as the last row when it was reached."""
    columns = export_columns()  # headings translated now, in the request's language
    english = (get_language() or "").startswith("en")
    note = limit_note(limit)  # in the request's language too: the rest is read after the view returned
    yield [heading for heading, _value in columns]
    values = [value for _heading, value in columns]
    for row in publicity_export_rows(filters=filters, limit=limit, english=english):
        if row is None:
            yield [note]
            return
        yield [cell_defuse(value(row)) for value in values]


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def publicity_csv_response(*, filters: PublicityFilters, limit: int = EXPORT_MAX_ROWS) -> StreamingHttpResponse:
    """The listing as a streamed CSV file (UTF-8 with a BOM)."""
    writer = csv.writer(_Echo())
    cells = _cells(filters, limit)
    header = next(cells)  # read now, while the request's language is active

    def lines() -> Iterator[str]:
        yield BOM + writer.writerow(header)
        batch: list[str] = []
        for row in cells:
            batch.append(writer.writerow(row))
            if len(batch) >= CSV_LINES_PER_WRITE:
                yield "".join(batch)
                batch.clear()
        if batch:
            yield "".join(batch)

    response = StreamingHttpResponse(lines(), content_type=CSV_CONTENT_TYPE)
    _headers(response, extension="csv", limit=limit)
    return response


def publicity_xlsx_response(*, filters: PublicityFilters, limit: int = EXPORT_MAX_ROWS) -> StreamingHttpResponse:
    """The listing as an Excel workbook (one sheet), zipped while the rows are read."""
    title = _("Double publicity")
    cells = _cells(filters, limit)
    header = next(cells)

    def rows() -> Iterator[list[str]]:
        yield header
        yield from cells

    response = StreamingHttpResponse(xlsx_stream(sheet_title=title, rows=rows()), content_type=XLSX_CONTENT_TYPE)
    _headers(response, extension="xlsx", limit=limit)
    return response
