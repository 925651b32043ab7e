"""Reads of the catalog: the current edition's items, source units, policies. Catalog metadata is public."""

from __future__ import annotations

from django.db.models import QuerySet, Subquery

from gongxin.catalog.errors import CatalogItemNotFound, SourceUnitNotFound
from gongxin.catalog.models import CatalogEdition, CatalogItem, Policy, SourceUnit
from gongxin.catalog.policy import jurisdiction_ancestors


def _editions_current() -> QuerySet[CatalogEdition]:
    # The latest-starting one first, if several are marked current.
    return CatalogEdition.objects.filter(is_current=True).order_by("-effective_from", "-id")


def edition_current() -> CatalogEdition | None:
    """The current edition (the latest-starting one if several are marked current)."""
    return _editions_current().first()


def items_current() -> QuerySet[CatalogItem]:
    """Active items of the current edition, by code: the one list of current items. Lazy and one query, the
    current edition chosen inside it as ``edition_current`` chooses it (none when no edition is current)."""
    return (
        CatalogItem.objects.filter(is_active=True, edition=Subquery(_editions_current().values("pk")[:1]))
        .select_related("edition", "source_unit__department")
        .order_by("code")
    )


def item_by_code(code: str) -> CatalogItem:
    """The active item ``code`` of the current edition; raises ``CatalogItemNotFound``.

    The one lookup of a current item (the API, ingest, records, commitments): one query, ``items_current``
    narrowed to the code."""
    item = items_current().filter(code=code).first()
    if item is None:
        raise CatalogItemNotFound(details={"code": code})
    return item


def source_units() -> QuerySet[SourceUnit]:
    """Active source units with their departments, by department code."""
    return (
        SourceUnit.objects.filter(is_active=True)
        .select_related("department")
        .order_by("department__code")
    )


def source_unit_by_code(code: str) -> SourceUnit:
    """The source unit whose department has ``code``, with its department; raises ``SourceUnitNotFound``.

    The one lookup of a source unit named by a caller (the records and ingest APIs, the ingest command):
    one query. An inactive unit is found too: whether it may still provide records is the callers' rule."""
    unit = SourceUnit.objects.select_related("department").filter(department__code=code).first()
    if unit is None:
        raise SourceUnitNotFound(details={"code": code})
    return unit


def policies_list(*, kind: str = "", jurisdiction: str = "") -> QuerySet[Policy]:
    """Policies of ``kind`` (all when blank) that apply in ``jurisdiction``: its own and those of every
    jurisdiction above it (all when blank), by kind, jurisdiction and start date."""
    policies = Policy.objects.all()
    if kind:
        policies = policies.filter(kind=kind)
    if jurisdiction:
        policies = policies.filter(jurisdiction__in=jurisdiction_ancestors(jurisdiction))
    return policies.order_by("kind", "jurisdiction", "domain", "effective_from", "code")
