"""What each issue code of an error report means, in a few translated words: the batch page's summary and the
data-quality page's reasons show these, never the code (the code stays in the CSV report, the API and the
``data-code`` attributes, for those who filter by it)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ISSUE_LABELS: dict[str, Promise] = {
    # The catalog's field checks (catalog.schema).
    "required": _("Required field empty"),
    "unknown_field": _("Column not in the catalog item"),
    "invalid_text": _("Not text"),
    "too_long": _("Text too long"),
    "invalid_date": _("Not a valid date"),
    "future_date": _("Decision date in the future"),
    "before_start": _("Date before its start"),
    "invalid_number": _("Not a number"),
    "negative": _("Negative amount"),
    "too_precise": _("Amount below one fen"),
    "invalid_choice": _("Value not among the allowed ones"),
    "invalid_uscc": _("Malformed unified social credit code"),
    "invalid_uscc_checksum": _("Wrong check character of the credit code"),
    "invalid_boolean": _("Not yes or no"),
    "unknown_type": _("Field of an unknown type"),
    # The subject and the record (ingest.rows, records.load).
    "invalid_rin": _("Invalid identity number"),
    "rin_required": _("Identity number missing"),
    "uscc_required": _("Credit code missing"),
    "wrong_subject_kind": _("Kind of subject the item does not take"),
    "subject_unresolved": _("Subject not found"),
    "identity_missing": _("Record id and key fields missing"),
    "nothing_to_revoke": _("No such record to revoke"),
    # Cells and rows the reader could not take (ingest.parsing).
    "unreadable_row": _("Row cannot be read"),
    "nul_character": _("NUL character in a cell"),
    "undecodable": _("Bytes that are not text"),
    "cell_too_long": _("Cell too long"),
    # Flags: the row is loaded.
    "late_publicity": _("Published late"),
    "subject_created": _("Subject registered from the row"),
    "name_differs": _("Name differs from the known name"),
    "empty_rows_stop": _("Reading stopped after empty rows"),
}


def issue_label(code: str) -> str:
    """The issue code's meaning in the active language; a code this list does not know reads "other problem"."""
    return str(ISSUE_LABELS.get(code, _("Other problem")))
