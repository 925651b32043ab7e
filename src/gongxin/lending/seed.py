"""Seeded policy data of lending: the lending data items (which catalog items and fields lenders may
receive under a firm's authorization) and the risk-sharing fund. Inserted by migration 0002; tests
that flush the database call ``lending_seed`` again. Safe to re-run (matched by code)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.apps import apps as django_apps

BASIS = (
    "《国务院办公厅关于推广“信易贷”模式的通知》精神；《加强信用信息共享应用促进中小微企业融资实施方案》"
    "（国办发〔2021〕52号）：以授权为前提向金融机构共享信用信息"
)
EFFECTIVE = date(2026, 1, 1)

# Personal fields (the legal representative's ID number) are never on the list: lenders need the firm's
# credit, not a person's ID.
_PENALTY = ["subject_name", "uscc", "decision_number", "violation_type", "penalty_types", "penalty_content",
            "fine_amount", "decision_date", "authority_name"]
_LICENCE = ["subject_name", "uscc", "licence_document_name", "licence_number", "licence_content", "decision_date",
            "valid_from", "valid_to", "authority_name", "current_status"]
_LIST = ["subject_name", "uscc", "list_name", "listing_reason", "listing_basis", "listing_date", "planned_exit_date",
         "authority_name"]
_DEBTOR = ["subject_name", "uscc", "case_number", "court", "obligation", "performance_status", "listing_date"]
_PERFORMED = ["subject_name", "uscc", "case_number", "court", "performance_content", "performance_date"]
_HONOUR = ["subject_name", "uscc", "honour_name", "honour_level", "awarding_authority", "award_date", "valid_until"]
_TAX = ["subject_name", "uscc", "evaluation_year", "grade", "tax_authority", "publish_date"]
_COMMITMENT = ["subject_name", "uscc", "commitment_type", "commitment_matter", "commitment_date",
               "fulfilment_deadline"]

DATA_ITEMS: list[dict[str, Any]] = [
    {"catalog_item_code": "penalty", "fields": _PENALTY},
    {"catalog_item_code": "licence", "fields": _LICENCE},
    {"catalog_item_code": "serious_dishonesty_list", "fields": _LIST},
    {"catalog_item_code": "judgment_debtor", "fields": _DEBTOR},
    {"catalog_item_code": "voluntary_performance", "fields": _PERFORMED},
    {"catalog_item_code": "honour", "fields": _HONOUR},
    {"catalog_item_code": "tax_grade_a", "fields": _TAX},
    {"catalog_item_code": "commitment", "fields": _COMMITMENT},
]

FUND: dict[str, Any] = {
    "code": "nb-xyd-2026",
    "name": "宁波市信易贷风险补偿资金池",
    # The fund bears half of a covered loan's loss, the lender the rest (a common split of such pools).
    "share_percent": Decimal("50.00"),
    "legal_basis": "《宁波市信易贷风险补偿资金管理办法》（示例）；国办发〔2021〕52号：鼓励设立信易贷风险补偿资金",
    "effective_from": EFFECTIVE,
}


def lending_seed(apps: Any = None) -> None:
    registry = apps or django_apps  # a data migration passes its historical models
    LendingDataItem = registry.get_model("lending", "LendingDataItem")
    RiskFund = registry.get_model("lending", "RiskFund")
    for row in DATA_ITEMS:
        LendingDataItem.objects.update_or_create(
            catalog_item_code=row["catalog_item_code"],
            defaults={"fields": row["fields"], "legal_basis": BASIS, "effective_from": EFFECTIVE},
        )
    RiskFund.objects.update_or_create(code=FUND["code"], defaults={k: v for k, v in FUND.items() if k != "code"})


def seed_restore() -> None:
    """Seed the lending data items and the risk fund again if a flush emptied
    them (core.seeds); a no-op otherwise."""
    from gongxin.lending.models import LendingDataItem, RiskFund

    if not (LendingDataItem.objects.exists() and RiskFund.objects.exists()):
        lending_seed()
