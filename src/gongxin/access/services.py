"""Writes of the access app: inquiries (append-only log of queries). Consents: see consents.py.

Only this module writes the inquiry log. One query is ``inquiry_record``; paths that log many queries at
once or inside a statement of their own (the check path of rewards) take the row's values from
``inquiry_values`` and write them with ``inquiries_record`` (set-based) or embed ``inquiry_insert_sql``
with ``inquiry_params`` in their statement (one round trip; decisions 027, 028) — so no other app names the
log's table or columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import connection

from gongxin.access.models import Consent, Inquiry
from gongxin.accounts.viewer import Viewer
from gongxin.core import clock

# The columns of an inquiry log row, in the order of ``inquiry_insert_sql``'s placeholders.
INQUIRY_COLUMNS = ("subject_id", "viewer_label", "viewer_user_id", "viewer_client_id", "viewer_department_id",
                   "purpose", "reason", "channel", "consent_id", "records_shown", "created_at")


def inquiry_values(
    *,
    subject_id: int,
    viewer: Viewer,
    purpose: str,
    channel: str,
    at: datetime,
    consent_id: int | None = None,
    reason: str = "",
    records_shown: int = 0,
) -> dict[str, Any]:
    """The columns of the log row of one query of ``subject_id`` by ``viewer`` (every column of
    ``INQUIRY_COLUMNS``)."""
    return {"subject_id": subject_id, "viewer_label": viewer.label, "viewer_user_id": viewer.user_id,
            "viewer_client_id": viewer.client_id, "viewer_department_id": viewer.department_id,
            "purpose": purpose, "reason": reason[:300], "channel": channel, "consent_id": consent_id,
            "records_shown": records_shown, "created_at": at}


def inquiry_record(
    *,
    subject_id: int,
    viewer: Viewer,
    purpose: str,
    channel: str,
    consent: Consent | None = None,
    reason: str = "",
    records_shown: int = 0,
) -> Inquiry:
    """Log one query of a subject. Called by the disclosure layer, never skipped for non-public purposes."""
    values = inquiry_values(subject_id=subject_id, viewer=viewer, purpose=purpose, channel=channel, at=clock.now(),
                            consent_id=consent.pk if consent is not None else None, reason=reason,
                            records_shown=records_shown)
    return Inquiry.objects.create(**values)


def inquiries_record(rows: Sequence[dict[str, Any]]) -> None:
    """Log many queries in one INSERT; each row from ``inquiry_values``."""
    Inquiry.objects.bulk_create([Inquiry(**values) for values in rows])


@lru_cache(maxsize=64)
def inquiry_insert_sql(rows: int = 1) -> str:
    """``INSERT INTO <the log> (<INQUIRY_COLUMNS>) VALUES (%s, …)[, (…)]`` of ``rows`` rows, for a caller that
    writes the log rows inside a statement of its own (a data-modifying CTE); its parameters are
    ``inquiry_params(values)`` of each row in turn."""
    columns = {f.column for f in Inquiry._meta.concrete_fields if not f.primary_key}
    if columns != set(INQUIRY_COLUMNS):
        raise RuntimeError("access: the inquiry columns changed; update INQUIRY_COLUMNS")
    q = connection.ops.quote_name
    placeholders = ", ".join([f"({', '.join(['%s'] * len(INQUIRY_COLUMNS))})"] * rows)
    # Only the model's table and column names are formatted into the SQL; every value is a parameter.
    return (f"INSERT INTO {q(Inquiry._meta.db_table)} ({', '.join(map(q, INQUIRY_COLUMNS))})"  # noqa: S608
            f" VALUES {placeholders}")


def inquiry_params(values: dict[str, Any]) -> list[Any]:
    """The parameters of ``inquiry_insert_sql`` for one row of ``inquiry_values``."""
    return [values[c] for c in INQUIRY_COLUMNS]
