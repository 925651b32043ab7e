"""Public pages: home, organization search, an organization's public profile, the double-publicity
listings (双公示) with their exports, and the organization's credit card (信用名片) with its QR code.

Views are thin: every subject comes from ``subjects.selectors`` and every record goes through the one
disclosure policy (access.disclosure) for the public purpose — via ``access.shown.profile_records``
and this app's ``portal.selectors``. Persons are never found or shown here: the selectors say "not
found" for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gongxin.access.disclosure import viewer_for_user
from gongxin.access.grouped import profile_grouped
from gongxin.access.listings import black_lists_current, removals_today
from gongxin.accounts.capabilities import is_official
from gongxin.accounts.doors import page_requires, page_viewer
from gongxin.core.errors import NotFound, PermissionDenied, ValidationFailed
from gongxin.core.paging import CursorInvalid, HonestCount
from gongxin.core.throttle import current_address, throttle_hit
from gongxin.portal import exports, qr
from gongxin.portal.errors import CardNotFound, InvalidListingFilter
from gongxin.portal.home import home_page
from gongxin.portal.selectors import (
    EXPORT_MAX_ROWS,
    LISTING_PAGE_SIZE,
    NINGBO_DISTRICTS,
    PENALTY_TYPES,
    PublicityFilters,
    licence_categories,
    organization_card,
    publicity_departments,
    publicity_filters_parse,
    publicity_page,
)
from gongxin.portal.workbench import todos_for, workbench_for
from gongxin.records.choices import Purpose
from gongxin.subjects.selectors import organizations_search_page, subject_by_uscc

PAGE_SIZE = 20
MAX_PAGE = 100_000
# A page link's cursor is far shorter; a longer one is cut (and then refused as not valid).
CURSOR_MAX_LENGTH = 500
# Longer queries are cut: no organization name is this long, and it bounds the LIKE pattern.
QUERY_MAX_LENGTH = 100

@dataclass(frozen=True)
class Page:
    number: int
    count: int
    total: int
    size: int = PAGE_SIZE
    capped: bool = False  # more match than were counted: ``total`` is the cap

    @property
    def total_shown(self) -> str:
        """The total as a person may read it: "1,000+" past the cap (core.paging.HonestCount), else exact."""
        return str(HonestCount(self.total, "at_least" if self.capped else "exact"))

    @property
    def count_shown(self) -> str:
        """The number of pages, "50+" past the cap."""
        return f"{self.count:,}+" if self.capped else f"{self.count:,}"

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def first_index(self) -> int:
        return self.offset + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.offset + self.size, self.total)


def _page_number(raw: str | None) -> int:
    try:
        number = int(raw or "1")
    except ValueError:
        return 1
    # Bounded so that the offset always fits the database's integers (a stale or forged link).
    return min(max(number, 1), MAX_PAGE)


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "portal/error.html", {"status": 404, "message": message}, status=404)


def home(request: HttpRequest) -> HttpResponse:
    """The portal's home page (portal.home: a few short reads, nothing counted per request)."""
    page = home_page(english=(get_language() or "").startswith("en"))
    return render(request, "portal/home.html", {"page": page, "figures": page.figures})


def search(request: HttpRequest) -> HttpResponse:
    query = " ".join(request.GET.get("q", "").split())[:QUERY_MAX_LENGTH]
    context: dict[str, Any] = {"query": query, "results": [], "page": None}
    if query:
        number = _page_number(request.GET.get("page"))
        found = organizations_search_page(q=query, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
        count = max(1, -(-found.total // PAGE_SIZE))
        if number > count and found.total:
            # Past the end (a stale link): show the last page instead of an empty one.
            number = count
            found = organizations_search_page(q=query, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
        context.update(results=found.items, page=Page(number=number, count=count, total=found.total,
                                                      capped=found.total_capped))
    return render(request, "portal/search.html", context)


@require_safe
def voluntary_performance(request: HttpRequest) -> HttpResponse:
    """How a dishonest judgment debtor leaves the court's list (performance, the court's removal) and what
    voluntary performance earns: where the pages send a subject instead of offering credit repair."""
    return render(request, "portal/voluntary_performance.html")


def organization(request: HttpRequest, uscc: str) -> HttpResponse:
    """An organization's public profile: the black-list banner, counts per group with jump links, each group's
    newest records; ``?group=<key>&cursor=<token>`` pages one group (access.grouped, keyset paging)."""
    code = uscc.strip().upper()
    message = _("No organization has this unified social credit code.")
    try:
        subject = subject_by_uscc(code)
    except (ValidationFailed, NotFound):
        # An invalid code is simply not found: a public page never fails on what is typed in the URL.
        return _not_found(request, message)
    if subject is None or not hasattr(subject, "organization"):
        return _not_found(request, message)
    viewer = viewer_for_user(request.user)
    try:
        grouped = profile_grouped(subject=subject, viewer=viewer, purpose=Purpose.PUBLIC,
                                  group=request.GET.get("group"), cursor=request.GET.get("cursor"))
        black_lists = black_lists_current(subject=subject, viewer=viewer, purpose=Purpose.PUBLIC)
    except CursorInvalid as error:
        return render(request, "portal/error.html", {"status": 400, "message": error.message}, status=400)
    except (NotFound, PermissionDenied):
        return _not_found(request, message)
    return render(
        request,
        "portal/organization.html",
        {
            "subject": subject,
            "organization": subject.organization,
            "grouped": grouped,
            "black_lists": black_lists,
            "record_count": grouped.counts.total,
            "viewer": viewer,  # the score panel shows itself only to those who may see the evaluation
            # Kinds that credit repair does not reach, with what to say instead (catalog.policy, decision 048).
            "removals": removals_today(),
        },
    )


# --- double publicity (双公示) ----------------------------------------------------------------------

def _listing_context(request: HttpRequest) -> dict[str, Any]:
    """What the filter form offers, and what was asked (echoed back as typed)."""
    return {
        "asked": {key: request.GET.get(key, "")[:100] for key in
                  ("kind", "department", "district", "type", "date_from", "date_to")},
        "departments": publicity_departments(),
        "districts": NINGBO_DISTRICTS,
        "penalty_types": PENALTY_TYPES,
        "licence_categories": licence_categories(),
        "export_limit": EXPORT_MAX_ROWS,
    }


def _export_count(request: HttpRequest) -> None:
    """Exports read a whole listing: at most ``export.caller`` per account and ``export.address`` per
    address (core.throttle; a 429 page with Retry-After beyond)."""
    user = request.user
    address = current_address()
    throttle_hit(hits=[("export.caller", f"user:{user.pk}" if user.is_authenticated else ""),
                       ("export.address", f"addr:{address}" if address else "")])


@require_safe
def publicity(request: HttpRequest) -> HttpResponseBase:
    """The latest public licences and penalties city-wide, filterable, paginated, exportable (?format=)."""
    context = _listing_context(request)
    try:
        filters = publicity_filters_parse(
            kind=request.GET.get("kind"), department=request.GET.get("department"),
            district=request.GET.get("district"), type_code=request.GET.get("type"),
            date_from=request.GET.get("date_from"), date_to=request.GET.get("date_to"),
        )
    except InvalidListingFilter as error:
        context.update(error=error.message, rows=[], page=None, filters=PublicityFilters())
        return render(request, "portal/publicity.html", context, status=400)

    export_format = request.GET.get("format", "")
    if export_format in {"csv", "xlsx"}:
        _export_count(request)
    if export_format == "csv":
        return exports.publicity_csv_response(filters=filters)
    if export_format == "xlsx":
        return exports.publicity_xlsx_response(filters=filters)
    if export_format:
        context.update(error=_("Unknown export format: use csv or xlsx."), rows=[], page=None, filters=filters)
        return render(request, "portal/publicity.html", context, status=400)

    # Paged by keyset (core.paging): ?cursor= of a page's links, or "last"; an old ?page=N still serves
    # small numbers, a deeper one the first page with a message.
    cursor = request.GET.get("cursor", "")[:CURSOR_MAX_LENGTH]
    number = _page_number(request.GET.get("page")) if request.GET.get("page") else None
    try:
        listing = publicity_page(filters=filters, cursor=cursor, number=number, size=LISTING_PAGE_SIZE,
                                 english=(get_language() or "").startswith("en"))
    except CursorInvalid as error:
        context.update(error=error.message, rows=[], page=None, filters=filters)
        return render(request, "portal/publicity.html", context, status=400)
    context.update(
        filters=filters, rows=listing.rows, page=listing, filtered=bool(filters.as_params()),
        export_over_limit=listing.count.value > EXPORT_MAX_ROWS,
        export_may_be_over_limit=not listing.count.exact and listing.count.value <= EXPORT_MAX_ROWS,
    )
    return render(request, "portal/publicity.html", context)


# --- credit card (企业信用名片 / 信用码) ------------------------------------------------------------------

def card_absolute_url(request: HttpRequest, uscc: str) -> str:
    """The card's own absolute URL, which its QR code carries.

    ``GONGXIN_PUBLIC_URL`` (e.g. ``https://credit.ningbo.gov.cn``), when set, wins over the request's host:
    a printed code must not depend on how the page that drew it was reached.
    """
    path = reverse("portal:card", args=[uscc])
    base = str(getattr(settings, "GONGXIN_PUBLIC_URL", "") or "").rstrip("/")
    return base + path if base else request.build_absolute_uri(path)


@require_safe
def card(request: HttpRequest, uscc: str) -> HttpResponse:
    try:
        credit_card = organization_card(uscc=uscc)
    except CardNotFound as error:
        return _not_found(request, str(error.message))
    code = credit_card.organization.uscc
    url = card_absolute_url(request, code)
    return render(request, "portal/card.html", {
        "card": credit_card,
        "subject": credit_card.subject,
        "organization": credit_card.organization,
        "card_url": url,
        # segno writes the SVG from the URL alone and escapes it in the <title>: safe to inline.
        "qr_svg": mark_safe(qr.qr_svg_inline(url)),  # noqa: S308
    })


def _card_qr(request: HttpRequest, uscc: str, kind: str) -> HttpResponse:
    try:
        credit_card = organization_card(uscc=uscc)
    except CardNotFound as error:
        return _not_found(request, str(error.message))
    code = credit_card.organization.uscc
    url = card_absolute_url(request, code)
    if kind == "svg":
        response = HttpResponse(qr.qr_svg(url), content_type="image/svg+xml")
    else:
        response = HttpResponse(qr.qr_png(url), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="credit-code-{code}.{kind}"'
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def card_qr_svg(request: HttpRequest, uscc: str) -> HttpResponse:
    return _card_qr(request, uscc, "svg")


@require_safe
def card_qr_png(request: HttpRequest, uscc: str) -> HttpResponse:
    return _card_qr(request, uscc, "png")


@page_requires(is_official)
def workbench(request: HttpRequest) -> HttpResponse:
    """What the signed-in official has to do (counts, deadlines, the most urgent items), then every working area
    they open (portal.workbench)."""
    viewer = page_viewer(request)
    return render(request, "portal/workbench.html", {"todos": todos_for(viewer), "sections": workbench_for(viewer)})
