"""API routes of this app (thin: parse, call one service or selector, shape the output).

The catalog is public metadata: what may be collected, from whom, with which fields, under which policy.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from gongxin.catalog import selectors
from gongxin.catalog.choices import PolicyKind
from gongxin.catalog.models import CatalogItem, SourceUnit

router = Router(tags=["catalog"])


class EnumOptionOut(Schema):
    code: str
    label: str


class FieldOut(Schema):
    code: str
    label: str
    label_en: str = ""
    type: str
    required: bool = False
    personal: bool = False
    enum: list[EnumOptionOut] | None = None
    max_length: int | None = None
    not_before: str | None = None
    aliases: list[str] = Field(default_factory=list)


class ItemOut(Schema):
    code: str
    name: str
    name_en: str
    edition: str
    source_unit: str | None
    subject_kinds: list[str]
    category: str
    record_kind: str
    polarity: str
    disclosure_level: str
    default_severity: str
    list_type_code: str
    update_frequency: str
    legal_basis: str

    @staticmethod
    def resolve_edition(obj: CatalogItem) -> str:
        return obj.edition.code

    @staticmethod
    def resolve_source_unit(obj: CatalogItem) -> str | None:
        return obj.source_unit.department.code if obj.source_unit else None


class ItemDetailOut(ItemOut):
    natural_key: list[str]
    decision_date_field: str
    fields: list[FieldOut]


class SourceUnitOut(Schema):
    code: str
    name: str
    domain: str
    level: str
    region_code: str

    @staticmethod
    def resolve_level(obj: SourceUnit) -> str:
        return obj.department.level

    @staticmethod
    def resolve_region_code(obj: SourceUnit) -> str:
        return obj.department.region_code


class PolicyOut(Schema):
    code: str
    kind: str
    name: str
    jurisdiction: str
    domain: str
    effective_from: date
    effective_to: date | None
    params: dict[str, Any]
    legal_basis: str


@router.get("/items", response=list[ItemOut], summary="Items of the current catalog edition")
def items_list(request: HttpRequest) -> Any:
    return list(selectors.items_current())


@router.get("/items/{code}", response=ItemDetailOut, summary="One catalog item with its field schema")
def item_detail(request: HttpRequest, code: str) -> Any:
    return selectors.item_by_code(code)


@router.get("/source-units", response=list[SourceUnitOut], summary="Active source units")
def source_units_list(request: HttpRequest) -> Any:
    return list(selectors.source_units())


@router.get("/policies", response=list[PolicyOut], summary="Policies applying in a jurisdiction")
def policies_list(request: HttpRequest, kind: PolicyKind | None = None, jurisdiction: str = "") -> Any:
    return list(selectors.policies_list(kind=kind.value if kind else "", jurisdiction=jurisdiction))
