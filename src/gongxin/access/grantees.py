"""Whom a subject may name in a consent on its pages, and what that requester would see (decision 049).

The consents page lists requesters by name — the departments registered with the platform: government
departments, and the banks and service providers the platform registers as departments — and never an
account: a person's account is never listed, whoever searches (a natural person's existence is not told).
A consent naming a department covers its people and its systems (``access.selectors.consent_active_for``).
Naming one account or one API client stays with the API (by user name or key prefix) and with the lending
and benefits pages, which name the lender's or the provider's own system.

``consent_preview`` is what the requester would see under the consent, counted now for the subject itself
(its own records, so no inquiry is logged): the records the ``authorized`` purpose shows, by catalog item,
narrowed to the scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count
from django.utils.translation import get_language

from gongxin.access.disclosure import visibility_q
from gongxin.access.errors import ConsentGranteeNotFound
from gongxin.access.selectors import Grantee
from gongxin.accounts.models import Department
from gongxin.catalog.choices import DisclosureLevel, SubjectKind
from gongxin.core import clock
from gongxin.records.choices import Purpose
from gongxin.records.models import Record
from gongxin.subjects.models import Subject

# The most names one search answers (the page's list narrows as the person types).
SEARCH_LIMIT = 20


@dataclass(frozen=True)
class Requester:
    value: str  # the form's value for it (the department's id, never shown)
    label: str  # its name
    detail: str  # its level (city, district …), translated


def _requester(department: Department) -> Requester:
    return Requester(value=str(department.pk), label=department.name, detail=str(department.get_level_display()))


def requesters_named() -> list[Requester]:
    """Every requester a subject may name, by name (the plain list of the page without script)."""
    return [_requester(d) for d in Department.objects.order_by("name", "pk")]


def requesters_search(*, text: str, limit: int = SEARCH_LIMIT) -> list[Requester]:
    """Requesters whose name holds ``text`` (case-insensitive), by name; nothing for an empty text."""
    text = " ".join((text or "").split())[:100]
    if not text:
        return []
    found = Department.objects.filter(name__icontains=text).order_by("name", "pk")[:limit]
    return [_requester(d) for d in found]


def requester_by_value(value: str) -> Grantee:
    """The consent's requester from the form's value: a department's id."""
    department = Department.objects.filter(pk=int(value)).first() if str(value).isdigit() else None
    if department is None:
        raise ConsentGranteeNotFound()
    return Grantee(department=department)


@dataclass(frozen=True)
class PreviewLine:
    item: str  # the catalog item's name
    records: int
    not_public: int  # of them, records of items the public never sees


def consent_preview(*, subject: Subject, scope: list[str], day: date | None = None) -> list[PreviewLine]:
    """What a requester holding a consent of ``subject`` for ``scope`` (empty: every item) would see today."""
    records = Record.objects.filter(visibility_q(purpose=Purpose.AUTHORIZED, today=day or clock.today()),
                                    subject=subject, current_version__isnull=False)
    if scope:
        records = records.filter(catalog_item__code__in=scope)
    english = (get_language() or "").startswith("en")
    person = subject.kind == SubjectKind.PERSON  # nothing of a natural person is public
    rows = (records.values("catalog_item__name", "catalog_item__name_en", "catalog_item__disclosure_level")
            .annotate(records=Count("pk")).order_by("catalog_item__name"))
    lines: dict[str, PreviewLine] = {}
    for row in rows:
        name = (row["catalog_item__name_en"] if english and row["catalog_item__name_en"]
                else row["catalog_item__name"])
        public = row["catalog_item__disclosure_level"] == DisclosureLevel.PUBLIC and not person
        hidden = 0 if public else row["records"]
        earlier = lines.get(name)
        lines[name] = PreviewLine(item=name, records=row["records"] + (earlier.records if earlier else 0),
                                  not_public=hidden + (earlier.not_public if earlier else 0))
    return list(lines.values())
