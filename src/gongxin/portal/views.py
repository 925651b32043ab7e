"""Public pages: home, organization search and an organization's public profile.

Views are thin: every subject comes from ``subjects.selectors`` and every record goes through
``records.selectors.profile_records``, which applies the one disclosure policy (records.disclosure) for
the public purpose. Persons are never found or shown here: the selectors say "not found" for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongxin.catalog.choices import RecordKind
from gongxin.core.errors import NotFound, PermissionDenied, ValidationFailed
from gongxin.records.choices import Purpose
from gongxin.records.disclosure import viewer_for_user
from gongxin.records.selectors import ShownRecord, platform_figures, profile_records
from gongxin.subjects.selectors import organizations_search, subject_by_uscc

PAGE_SIZE = 20
MAX_PAGE = 100_000
# Longer queries are cut: no organization name is this long, and it bounds the LIKE pattern.
QUERY_MAX_LENGTH = 100

# How the profile groups records: (key, heading, record kinds), in the order shown.
RECORD_GROUPS: tuple[tuple[str, Any, frozenset[str]], ...] = (
    ("licences", gettext_lazy("Administrative licences"), frozenset({RecordKind.LICENCE})),
    ("penalties", gettext_lazy("Administrative penalties"), frozenset({RecordKind.PENALTY})),
    (
        "lists",
        gettext_lazy("Red and black lists"),
        frozenset({RecordKind.SERIOUS_DISHONESTY, RecordKind.JUDGMENT_DEBTOR}),
    ),
    ("commitments", gettext_lazy("Credit commitments"), frozenset({RecordKind.COMMITMENT})),
    (
        "honours",
        gettext_lazy("Honours and incentives"),
        frozenset({RecordKind.HONOUR, RecordKind.TAX_GRADE_A, RecordKind.VOLUNTARY_PERFORMANCE}),
    ),
)
OTHER_GROUP = ("other", gettext_lazy("Other records"))


@dataclass(frozen=True)
class RecordGroup:
    key: str
    heading: Any
    records: list[ShownRecord]


@dataclass(frozen=True)
class Page:
    number: int
    count: int
    total: int
    size: int = PAGE_SIZE

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


def record_groups(shown: list[ShownRecord]) -> list[RecordGroup]:
    """Group records for display; newest decision first within a group; empty groups left out."""
    buckets: dict[str, list[ShownRecord]] = {key: [] for key, _heading, _kinds in RECORD_GROUPS}
    buckets[OTHER_GROUP[0]] = []
    for record in shown:
        key = next((k for k, _h, kinds in RECORD_GROUPS if record.record_kind in kinds), OTHER_GROUP[0])
        buckets[key].append(record)
    headings = [(key, heading) for key, heading, _kinds in RECORD_GROUPS] + [OTHER_GROUP]
    groups = []
    for key, heading in headings:
        records = sorted(buckets[key], key=lambda r: (r.decision_date is not None, r.decision_date), reverse=True)
        if records:
            groups.append(RecordGroup(key=key, heading=heading, records=records))
    return groups


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "portal/error.html", {"status": 404, "message": message}, status=404)


def home(request: HttpRequest) -> HttpResponse:
    figures = platform_figures()
    subjects = figures.get("organizations", 0) + figures.get("persons", 0)
    return render(request, "portal/home.html", {"figures": figures, "subjects": subjects})


def search(request: HttpRequest) -> HttpResponse:
    query = " ".join(request.GET.get("q", "").split())[:QUERY_MAX_LENGTH]
    context: dict[str, Any] = {"query": query, "results": [], "page": None}
    if query:
        number = _page_number(request.GET.get("page"))
        results, total = organizations_search(q=query, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
        count = max(1, -(-total // PAGE_SIZE))
        if number > count and total:
            # Past the end (a stale link): show the last page instead of an empty one.
            number = count
            results, total = organizations_search(q=query, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
        context.update(results=results, page=Page(number=number, count=count, total=total))
    return render(request, "portal/search.html", context)


def organization(request: HttpRequest, uscc: str) -> HttpResponse:
    code = uscc.strip().upper()
    message = _("No organization has this unified social credit code.")
    try:
        subject = subject_by_uscc(code)
    except (ValidationFailed, NotFound):
        # An invalid code is simply not found: a public page never fails on what is typed in the URL.
        return _not_found(request, message)
    if subject is None or not hasattr(subject, "organization"):
        return _not_found(request, message)
    try:
        shown = profile_records(subject=subject, viewer=viewer_for_user(request.user), purpose=Purpose.PUBLIC)
    except (NotFound, PermissionDenied):
        return _not_found(request, message)
    return render(
        request,
        "portal/organization.html",
        {
            "subject": subject,
            "organization": subject.organization,
            "groups": record_groups(shown),
            "record_count": len(shown),
        },
    )
