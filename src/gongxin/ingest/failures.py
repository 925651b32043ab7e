"""Why a batch failed, told to its operator: what failed, where (the line, when known) and what to do.

A failed batch keeps its failure as JSON (``Batch.failure``: the error's stable code, its message in the
language of the run and its details, which may quote Python's own words, e.g. a codec error). The pages never
show that text: ``failure_explain`` reads the code and details and says it in the reader's language, so a
GBK file saved in another encoding reads "文件不是 UTF-8 或 GB18030（GBK）编码" with what to do, not
``'utf-8' codec can't decode byte 0xb4 …``. The stored JSON stays as it is, for the API and for support.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from gongxin.ingest.choices import FileFormat
from gongxin.ingest.locking import INTERRUPTED_CODE
from gongxin.ingest.models import Batch

# Words of Python's decoding errors, in the reason a reader kept (the encoding could not read the bytes).
_CODEC_WORDS = ("codec", "decode", "encoding", "utf-16 stream", "surrogate")


@dataclass(frozen=True)
class FailureExplained:
    code: str  # the stored error's code (ingest.file_unreadable …), for the page's data attribute
    what: str  # what failed, translated
    advice: str  # what the operator does next, translated
    line: int | None = None  # the file's line or row, when the reader knew it


def _stored(failure: str) -> dict[str, Any]:
    try:
        error = json.loads(failure)
    except (TypeError, ValueError):
        return {"code": "", "message": failure}
    return error if isinstance(error, dict) else {"code": "", "message": failure}


def _is_codec(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in _CODEC_WORDS)


def _line(details: dict[str, Any]) -> int | None:
    for key in ("row", "line"):
        value = details.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def _resave() -> str:
    return _("Open the file in Excel or WPS and save it as “CSV UTF-8” or as an Excel workbook (.xlsx), then upload "
             "it again. The batches page offers a template of each catalog item.")


def _unreadable(details: dict[str, Any], batch: Batch) -> tuple[str, str]:
    reason = str(details.get("reason", ""))
    if _is_codec(reason):
        return (_("The file is not text encoded as UTF-8 or GB18030 (GBK), the encodings the platform reads."),
                _resave())
    if reason in {"empty file", "empty sheet"}:
        return (_("The file holds no rows, not even the header row."),
                _("Check that you chose the right file: its first row names the columns, the rows below hold the "
                  "records."))
    if "row" in details:
        return (_("A line of the JSON Lines file is not a JSON object."),
                _("Each line holds one record written as {\"column\": \"value\", …}. Correct the line, or send the "
                  "records as CSV or .xlsx."))
    if batch.file_format == FileFormat.XLSX or batch.file_name.lower().endswith((".xlsx", ".xls")):
        return (_("The Excel file is damaged or is not an .xlsx workbook (older .xls files are not read)."),
                _resave())
    return (_("The file cannot be read as CSV, Excel (.xlsx) or JSON Lines."), _resave())


def failure_explain(batch: Batch) -> FailureExplained | None:
    """The failure of ``batch`` in the reader's language; None when the batch did not fail."""
    if not batch.failure:
        return None
    error = _stored(batch.failure)
    code = str(error.get("code") or "")
    raw_details = error.get("details")
    details: dict[str, Any] = raw_details if isinstance(raw_details, dict) else {}
    message = str(error.get("message") or "")
    line = _line(details)
    if code == "ingest.file_unreadable":
        what, advice = _unreadable(details, batch)
    elif code == "ingest.columns_missing":
        missing = "、".join(str(label) for label in details.get("missing") or [])
        what = _("The first row lacks required columns of the catalog item: %(columns)s.") % {"columns": missing}
        advice = _("Name the columns as in the item's template (the batches page offers it): the Chinese header or "
                   "the field code. Columns the item does not know are ignored.")
    elif code == "ingest.too_many_rows":
        limit = details.get("limit")
        shown = f"{limit if isinstance(limit, int) else settings.GONGXIN_INGEST_MAX_ROWS:,}"
        what = _("The file holds more than %(limit)s rows, more than one batch may hold.") % {"limit": shown}
        advice = _("Split it into files of at most %(limit)s rows and upload each.") % {"limit": shown}
    elif code == "ingest.xlsx_too_large":
        what = _("The Excel file would unpack to more than the platform accepts, so it was not opened.")
        advice = _("Save it as “CSV UTF-8”, or split it into smaller workbooks.")
    elif code == INTERRUPTED_CODE:
        what = _("The run loading this batch stopped before the end of the file (its process ended).")
        advice = _("Run the batch again: it resumes after the rows already loaded; nothing is loaded twice.")
    elif code == "internal_error" and _is_codec(message):
        what, advice = _("The file is not text encoded as UTF-8 or GB18030 (GBK), the encodings the platform "
                         "reads."), _resave()
    elif code == "internal_error":
        what = _("The platform failed while loading this batch; the rows committed before are kept.")
        advice = _("Tell the credit office the batch number. Loading the same file again resumes after the rows "
                   "already loaded; nothing is loaded twice.")
    else:
        # A refusal this page does not know by code: its message was written in the run's language.
        what = message or _("The batch failed.")
        advice = _("Correct the file and upload it again; the error report lists the rows already checked.")
    return FailureExplained(code=code, what=what, advice=advice, line=line)
