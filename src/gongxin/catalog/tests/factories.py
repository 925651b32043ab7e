"""Valid payloads of the seeded catalog items, for tests of any app. Override a field by keyword;
pass ``None`` to leave it out."""

from __future__ import annotations

from typing import Any

from gongxin.accounts.models import Department
from gongxin.catalog.models import SourceUnit

# Valid USCCs (GB 32100 check characters computed).
COMPANY_USCC = "91330200MA2CJ0WX7T"
COMPANY_USCC_2 = "91330203MA2H4Q8L1N"
AUTHORITY_USCC = "11330200002941712F"
INSTITUTION_USCC = "12330200MB0A12345D"


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    merged = {**base, **overrides}
    return {k: v for k, v in merged.items() if v is not None}


def penalty_payload(**overrides: Any) -> dict[str, Any]:
    return _merge({
        "subject_name": "宁波某某贸易有限公司",
        "subject_category": "organization",
        "uscc": COMPANY_USCC,
        "legal_representative": "张三",
        "decision_number": "甬市监罚〔2026〕101号",
        "violation_type": "销售不合格产品",
        "violation_facts": "当事人销售的电热水壶经抽检不合格。",
        "penalty_basis": "《中华人民共和国产品质量法》第四十九条",
        "penalty_types": "罚款",
        "penalty_content": "罚款人民币12,345元",
        "fine_amount": "12345.00",
        "decision_date": "2026-05-10",
        "penalty_valid_until": "2027-05-10",
        "authority_name": "宁波市市场监督管理局",
        "authority_uscc": AUTHORITY_USCC,
        "data_source_unit": "宁波市市场监督管理局",
        "data_source_uscc": AUTHORITY_USCC,
    }, overrides)


def licence_payload(**overrides: Any) -> dict[str, Any]:
    return _merge({
        "subject_name": "宁波某某贸易有限公司",
        "subject_category": "organization",
        "uscc": COMPANY_USCC,
        "licence_document_name": "食品经营许可决定书",
        "licence_decision_number": "甬市监许〔2026〕88号",
        "licence_category": "ordinary",
        "certificate_name": "食品经营许可证",
        "licence_number": "JY13302000123456",
        "licence_content": "预包装食品销售",
        "decision_date": "2026-03-02",
        "valid_from": "2026-03-02",
        "valid_to": "2031-03-01",
        "authority_name": "宁波市市场监督管理局",
        "authority_uscc": AUTHORITY_USCC,
        "data_source_unit": "宁波市市场监督管理局",
        "data_source_uscc": AUTHORITY_USCC,
    }, overrides)


def source_unit_create(*, code: str = "nbamr", name: str = "宁波市市场监督管理局",
                       domain: str = "market_regulation", is_active: bool = True) -> SourceUnit:
    department, _ = Department.objects.get_or_create(
        code=code, defaults={"name": name, "region_code": "330200", "uscc": AUTHORITY_USCC},
    )
    unit, _ = SourceUnit.objects.get_or_create(department=department,
                                               defaults={"domain": domain, "is_active": is_active})
    return unit
