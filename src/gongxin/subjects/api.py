"""API routes of this app (thin: parse, call one service or selector, shape the output).

Public and read-only: the search and basic information of organizations. Persons are never returned.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from pydantic import Field

from gongxin.core.schemas import ErrorOut
from gongxin.subjects.errors import SubjectNotFound
from gongxin.subjects.identifiers import uscc_validate
from gongxin.subjects.models import Subject
from gongxin.subjects.selectors import (
    SEARCH_MAX_LIMIT,
    SEARCH_MAX_OFFSET,
    organizations_search_page,
    subject_by_uscc,
)

router = Router(tags=["subjects"])


class OrganizationSummaryOut(Schema):
    uscc: str
    name: str
    org_kind: str
    region_code: str
    status: str


class OrganizationSearchOut(Schema):
    items: list[OrganizationSummaryOut]
    total: int = Field(description="Matches, counted up to 1000")
    total_capped: bool = Field(description="More than 1000 matched (show \"1000+\"): refine the query")


class OrganizationOut(OrganizationSummaryOut):
    industry: str
    legal_representative: str
    registration_date: date | None
    registered_capital_yuan: Decimal | None
    address: str


class SearchQuery(Schema):
    q: str = Field("", max_length=200, description=(
        "Part of the name (Chinese), pinyin initials (ASCII letters, e.g. nbwy), or the beginning of the USCC"))
    limit: int = Field(20, ge=1, le=SEARCH_MAX_LIMIT)
    offset: int = Field(0, ge=0, le=SEARCH_MAX_OFFSET)


def _summary(subject: Subject) -> dict[str, object]:
    org = subject.organization
    return {
        "uscc": org.uscc,
        "name": subject.name,
        "org_kind": org.org_kind,
        "region_code": subject.region_code,
        "status": org.status,
    }


@router.get("", response=OrganizationSearchOut, summary="Search organizations by name, pinyin initials or USCC")
def subjects_search(request: HttpRequest, params: Query[SearchQuery]) -> dict[str, object]:
    page = organizations_search_page(q=params.q, limit=params.limit, offset=params.offset)
    return {"items": [_summary(s) for s in page.items], "total": page.total, "total_capped": page.total_capped}


@router.get(
    "/{uscc}",
    response={200: OrganizationOut, 404: ErrorOut, 422: ErrorOut},
    summary="Basic information of an organization",
)
def subject_detail(request: HttpRequest, uscc: str) -> dict[str, object]:
    subject = subject_by_uscc(uscc_validate(uscc))
    if subject is None:
        raise SubjectNotFound(_("No organization has this code."))
    org = subject.organization
    return {
        **_summary(subject),
        "industry": org.industry,
        "legal_representative": org.legal_representative,
        "registration_date": org.registration_date,
        "registered_capital_yuan": org.registered_capital_yuan,
        "address": org.address,
    }
