"""Personas and fixtures for the record lifecycle: two source units, their operators, an
organization and a person as subjects, and payloads built from the seeded catalog items."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gongxin.accounts.choices import Role
from gongxin.accounts.models import Department
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.models import CatalogItem, SourceUnit
from gongxin.catalog.seed import catalog_seed
from gongxin.core import clock
from gongxin.records.models import ListType
from gongxin.records.seed import list_types_seed
from gongxin.subjects.models import Organization, Person, Subject

ORG_USCC = "91330203MA2H1234X0"  # replaced by a valid code in the fixture


def _uscc(body17: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(alphabet.index(c) * w for c, w in zip(body17, weights, strict=True))
    return body17 + alphabet[(31 - total % 31) % 31]


@pytest.fixture
def seeded(db: None) -> None:
    """The catalog, policies and list types that migrations seed (a transactional test's flush empties them)."""
    if not CatalogItem.objects.exists():
        catalog_seed()
    if not ListType.objects.exists():
        list_types_seed()


def _unit(code: str, name: str, domain: str) -> SourceUnit:
    department = Department.objects.create(code=code, name=name, region_code="330200")
    return SourceUnit.objects.create(department=department, domain=domain)


@pytest.fixture
def market_unit(seeded: None) -> SourceUnit:
    return _unit("NB-SCJG", "宁波市市场监督管理局", "market_regulation")


@pytest.fixture
def ecology_unit(seeded: None) -> SourceUnit:
    return _unit("NB-STHJ", "宁波市生态环境局", "ecology")


@pytest.fixture
def market_operator(market_unit: SourceUnit) -> Viewer:
    return Viewer(label="user:op-market", role=Role.OPERATOR, user_id=None, department_id=market_unit.pk)


@pytest.fixture
def ecology_operator(ecology_unit: SourceUnit) -> Viewer:
    return Viewer(label="user:op-ecology", role=Role.OPERATOR, department_id=ecology_unit.pk)


@pytest.fixture
def organization(db: None) -> Subject:
    subject = Subject.objects.create(kind="organization", name="宁波海曙甬江贸易有限公司", region_code="330203",
                                     created_at=clock.now())
    Organization.objects.create(subject=subject, uscc=_uscc("91330203MA2H1234X"), org_kind="enterprise")
    return subject


@pytest.fixture
def person(db: None) -> Subject:
    subject = Subject.objects.create(kind="person", name="张三", region_code="330203", created_at=clock.now())
    Person.objects.create(subject=subject, rin_sealed="k1:x", rin_hash="0" * 64, rin_masked="330203********123X")
    return subject


def item(code: str) -> CatalogItem:
    return CatalogItem.objects.get(code=code, edition__is_current=True)


def payload_for(catalog_item: CatalogItem, **overrides: Any) -> dict[str, Any]:
    """A valid payload for any item: each required field gets a plausible value of its type."""
    decision = overrides.pop("decision_date", None) or clock.today().replace(day=1)
    payload: dict[str, Any] = {}
    for field in catalog_item.fields:
        if not field.get("required"):
            continue
        kind = field["type"]
        code = field["code"]
        if kind == "date":
            value: Any = decision.isoformat() if isinstance(decision, date) else decision
        elif kind == "enum":
            value = field["enum"][0]["code"]
        elif kind == "uscc":
            value = _uscc("11330200002000000")
        elif kind in {"decimal", "money_wan"}:
            value = "1000.00"
        elif kind == "boolean":
            value = False
        else:
            value = f"{field['label']}-测试"
        payload[code] = value
    if catalog_item.code == "penalty":
        payload["penalty_types"] = "罚款"
    payload.update(overrides)
    return payload
