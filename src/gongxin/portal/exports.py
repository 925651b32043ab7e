"""Exports of the double-publicity listing: CSV (UTF-8 with a BOM, so Excel opens it) and Excel .xlsx.

Both hold the same columns and the same filtered rows as the page, at most ``EXPORT_MAX_ROWS``; they are
produced without holding the rows in memory: the CSV streams line by line, the workbook is written by
openpyxl's write-only mode into a temporary file that is then streamed. The response says how many rows
an export may hold and whether this one was cut (headers ``X-Export-Limit`` and ``X-Export-Truncated``).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook

from gongxin.catalog.choices import RecordKind
from gongxin.core import clock
from gongxin.core.tabular import cell_defuse
from gongxin.portal.selectors import (
    EXPORT_MAX_ROWS,
    PublicityFilters,
    PublicityRow,
    publicity_export_rows,
    publicity_export_truncated,
)

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"


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
    return f"publicity-{clock.now():%Y%m%d-%H%M}.{extension}"


def _limit_headers(response: StreamingHttpResponse | FileResponse, filters: PublicityFilters, limit: int) -> None:
    response["X-Export-Limit"] = str(limit)
    response["X-Export-Truncated"] = "true" if publicity_export_truncated(filters=filters, limit=limit) else "false"
    response["Cache-Control"] = "no-store"


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def publicity_csv_response(*, filters: PublicityFilters, limit: int = EXPORT_MAX_ROWS) -> StreamingHttpResponse:
    """The listing as a streamed CSV file."""
    columns = export_columns()  # headings translated now, in the request's language
    english = (get_language() or "").startswith("en")
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield BOM + writer.writerow([heading for heading, _value in columns])
        for row in publicity_export_rows(filters=filters, limit=limit, english=english):
            yield writer.writerow([cell_defuse(value(row)) for _heading, value in columns])

    response = StreamingHttpResponse(lines(), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    _limit_headers(response, filters, limit)
    return response


def publicity_xlsx_response(*, filters: PublicityFilters, limit: int = EXPORT_MAX_ROWS) -> FileResponse:
    """The listing as an Excel workbook (one sheet), written in write-only mode and streamed from disk."""
    columns = export_columns()
    english = (get_language() or "").startswith("en")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Double publicity")[:31])
    sheet.append([heading for heading, _value in columns])
    for row in publicity_export_rows(filters=filters, limit=limit, english=english):
        sheet.append([cell_defuse(value(row)) for _heading, value in columns])
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when the response is done
    workbook.save(spool)
    spool.seek(0)
    response = FileResponse(spool, as_attachment=True, filename=_filename("xlsx"), content_type=XLSX_CONTENT_TYPE)
    _limit_headers(response, filters, limit)
    return response
