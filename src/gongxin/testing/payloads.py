"""Valid payloads of the seeded catalog items, for tests of any app, and the codes they use.

``penalty_payload`` and ``licence_payload`` are fixed, realistic rows (override a field by keyword; pass
``None`` to leave it out); ``payload_for`` builds a valid payload for any item from its field list.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from gongxin.catalog.models import CatalogItem
from gongxin.catalog.selectors import item_by_code
from gongxin.core import clock

# Valid USCCs (GB 32100 check characters computed).
COMPANY_USCC = "91330200MA2CJ0WX7T"
COMPANY_USCC_2 = "91330203MA2H4Q8L1N"
AUTHORITY_USCC = "11330200002941712F"
INSTITUTION_USCC = "12330200MB0A12345D"

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc_with_check(body17: str) -> str:
    """The 17 characters of a USCC followed by their GB 32100 check character."""
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(body17, _USCC_WEIGHTS, strict=True))
    return body17 + _USCC_ALPHABET[(31 - total % 31) % 31]


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


def item(code: str) -> CatalogItem:
    """An item of the current catalog edition."""
    return item_by_code(code)


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
            value = uscc_with_check("11330200002000000")
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
