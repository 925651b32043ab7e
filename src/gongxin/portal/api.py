"""API routes of the portal: public listings (double publicity, 双公示), mounted at /api/v1/listings.

Thin: parse, call ``portal.selectors``, shape. Public and anonymous: only what the disclosure policy
shows to anyone (organizations' public licences and penalties, no personal fields). The CSV and Excel
exports of the same listing are served by the page: ``/publicity/?<same filters>&format=csv|xlsx``.

Paged by keyset (core.paging, decision 044): ``cursor`` (a page's ``next`` or ``previous``, or ``last``) and
``limit``; the count is exact up to 10,000 rows and an estimate beyond. ``page`` of the numbered pages is still
read up to page 50.
"""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Query, Router, Schema
from pydantic import Field

from gongxin.core.schemas import ErrorOut
from gongxin.portal.selectors import (
    LISTING_NUMBERED_PAGES_MAX,
    LISTING_PAGE_SIZE,
    LISTING_PAGE_SIZE_MAX,
    PublicityRow,
    publicity_filters_parse,
    publicity_page,
)

router = Router(tags=["listings"])


class PublicityFieldOut(Schema):
    code: str
    label: str
    value: str


class PublicityItemOut(Schema):
    record_id: int
    kind: str = Field(description="licence or penalty")
    item_name: str
    subject_name: str
    uscc: str
    district_code: str
    district_name: str
    decision_number: str
    type: str = Field(description="Penalty types (处罚类别) or licence category (许可类别)")
    content: str
    decision_date: date | None
    publicity_end: date | None = Field(description="End of the publicity window (penalties)")
    source_unit_name: str
    authority_name: str
    under_objection: bool
    fields: list[PublicityFieldOut] = Field(description="Every public field of the record (personal fields never)")


class PublicityCountOut(Schema):
    value: int = Field(description="The number of rows; see exactness")
    exactness: str = Field(description=(
        "exact: value is the count; about: value is the database planner's estimate (rounded, PostgreSQL); "
        "at_least: there are more than value rows (no estimate on SQLite)"
    ))
    text: str = Field(description="The count as a person reads it, in the request's language (约 1,230,000, 10,000+)")


class PublicityPageOut(Schema):
    items: list[PublicityItemOut]
    limit: int
    next: str | None = Field(description="cursor of the next page; null on the last page")
    previous: str | None = Field(description="cursor of the previous page; null on the first page")
    count: PublicityCountOut


class PublicityQuery(Schema):
    kind: str = Field("", max_length=20, description="licence or penalty; empty: both")
    department: str = Field("", max_length=40, description="Code of the source unit (department)")
    district: str = Field("", max_length=20, description="Six-digit code of the subject's district, e.g. 330203")
    type: str = Field("", max_length=50, description=(
        "A penalty type (e.g. 罚款) or a licence category code "
        "(ordinary, franchise, recognition, approval, registration, other)"
    ))
    date_from: date | None = Field(None, description="Decided on or after (YYYY-MM-DD)")
    date_to: date | None = Field(None, description="Decided on or before (YYYY-MM-DD)")
    cursor: str = Field("", max_length=500, description=(
        "Where the page starts: empty for the first page, a response's next or previous, or last for the last "
        "page. A cursor is opaque; an altered one is refused (400 paging.cursor_invalid)"
    ))
    limit: int = Field(LISTING_PAGE_SIZE, ge=1, le=LISTING_PAGE_SIZE_MAX, description="Rows per page")
    page: int | None = Field(None, ge=1, le=LISTING_NUMBERED_PAGES_MAX, description=(
        "Deprecated: a page number of the numbered pages (read by offset, up to 50); use cursor"
    ))


def _item(row: PublicityRow) -> dict[str, object]:
    return {
        "record_id": row.record_id,
        "kind": row.kind,
        "item_name": row.item_name,
        "subject_name": row.subject_name,
        "uscc": row.uscc,
        "district_code": row.district_code,
        "district_name": row.district_name,
        "decision_number": row.decision_number,
        "type": row.type_label,
        "content": row.content,
        "decision_date": row.decision_date,
        "publicity_end": row.publicity_end if row.kind == "penalty" else None,
        "source_unit_name": row.source_unit_name,
        "authority_name": row.authority_name,
        "under_objection": row.under_objection,
        "fields": [{"code": code, "label": label, "value": value} for code, label, value in row.fields],
    }


@router.get(
    "/publicity",
    response={200: PublicityPageOut, 400: ErrorOut, 422: ErrorOut},
    summary="Double publicity: the latest public licences and penalties, newest decision first",
)
def publicity_list(request: HttpRequest, params: Query[PublicityQuery]) -> dict[str, object]:
    filters = publicity_filters_parse(
        kind=params.kind, department=params.department, district=params.district, type_code=params.type,
        date_from=params.date_from, date_to=params.date_to,
    )
    listing = publicity_page(
        filters=filters, cursor=params.cursor, number=params.page, size=params.limit,
        english=(get_language() or "").startswith("en"),
    )
    return {
        "items": [_item(row) for row in listing.rows],
        "limit": listing.size,
        "next": listing.next_cursor,
        "previous": listing.previous_cursor,
        "count": {"value": listing.count.value, "exactness": listing.count.exactness, "text": str(listing.count)},
    }
