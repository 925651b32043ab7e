"""Source units for the catalog's own tests (the payloads every app uses are in gongxin.testing.payloads)."""

from __future__ import annotations

from gongxin.accounts.models import Department
from gongxin.catalog.models import SourceUnit
from gongxin.testing.payloads import AUTHORITY_USCC


def source_unit_create(*, code: str = "nbamr", name: str = "宁波市市场监督管理局",
                       domain: str = "market_regulation", is_active: bool = True) -> SourceUnit:
    department, _ = Department.objects.get_or_create(
        code=code, defaults={"name": name, "region_code": "330200", "uscc": AUTHORITY_USCC},
    )
    unit, _ = SourceUnit.objects.get_or_create(department=department,
                                               defaults={"domain": domain, "is_active": is_active})
    return unit
