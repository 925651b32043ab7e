"""policy_select, severity_classify, deadline_working_days, and the seeded policy data."""

from __future__ import annotations

from datetime import date

import pytest

from gongxin.catalog.errors import PolicyNotFound
from gongxin.catalog.models import CatalogItem, Policy
from gongxin.catalog.policy import (
    deadline_working_days,
    jurisdiction_ancestors,
    penalty_types_split,
    policy_select,
    severity_classify,
)

NB = "CN-ZJ-NB"


def test_jurisdiction_ancestors() -> None:
    assert jurisdiction_ancestors("CN-ZJ-NB") == ["CN", "CN-ZJ", "CN-ZJ-NB"]
    assert jurisdiction_ancestors("CN") == ["CN"]


def test_policy_select(catalog: None) -> None:
    assert policy_select(kind="publicity", day=date(2026, 5, 10), jurisdiction=NB).code == "publicity.cn.order36"
    assert policy_select(kind="publicity", day=date(2024, 5, 10), jurisdiction=NB, domain="drugs").code == (
        "publicity.cn.order58.drugs"
    )
    # an unknown domain falls back to the blank-domain policy
    assert policy_select(kind="publicity", day=date(2024, 5, 10), jurisdiction=NB, domain="tax").code == (
        "publicity.cn.order58"
    )
    assert policy_select(kind="retention", day=date(2026, 5, 10), jurisdiction="CN-ZJ").code == "retention.zj"
    with pytest.raises(PolicyNotFound):
        policy_select(kind="retention", day=date(2026, 5, 10), jurisdiction="CN")


def test_policy_select_respects_effective_to(catalog: None) -> None:
    Policy.objects.create(code="deadlines.nb.2026", kind="deadlines", name="x", jurisdiction=NB,
                          effective_from=date(2026, 1, 1), effective_to=date(2026, 6, 30),
                          params={"objection_decide_working_days": 3}, legal_basis="test")
    assert policy_select(kind="deadlines", day=date(2026, 6, 30), jurisdiction=NB).code == "deadlines.nb.2026"
    assert policy_select(kind="deadlines", day=date(2026, 7, 1), jurisdiction=NB).code == "deadlines.zj"
    assert deadline_working_days(name="objection_decide_working_days", day=date(2026, 6, 30),
                                 jurisdiction=NB) == 3


def test_deadlines_of_zhejiang(catalog: None) -> None:
    day = date(2026, 5, 10)
    expected = {"objection_decide_working_days": 5, "objection_max_working_days": 20,
                "repair_department_working_days": 3, "repair_platform_working_days": 10,
                "double_publicity_working_days": 7}
    for name, days in expected.items():
        assert deadline_working_days(name=name, day=day, jurisdiction=NB) == days


def test_penalty_types_split() -> None:
    assert penalty_types_split("警告；罚款、没收违法所得,没收非法财物，暂扣许可证件;其他") == [
        "警告", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件", "其他",
    ]
    assert penalty_types_split(None) == []


@pytest.mark.parametrize(("types", "severity"), [
    ("警告", "minor"),
    ("通报批评", "minor"),
    ("警告、罚款", "general"),
    ("没收违法所得、没收非法财物", "general"),
    ("暂扣许可证件", "general"),
    ("降低资质等级", "general"),
    ("罚款；吊销许可证件", "serious"),
    ("吊销营业执照", "serious"),          # alias
    ("吊销许可证", "serious"),            # contained in a term
    ("责令停产停业", "serious"),
    ("责令关闭", "serious"),
    ("限制从业", "serious"),
    ("限制开展生产经营活动", "serious"),
    ("其他", "general"),                  # unknown type: the item's default
    ("", "general"),
])
def test_severity_classify(penalty_item: CatalogItem, types: str, severity: str) -> None:
    payload = {"penalty_types": types}
    assert severity_classify(item=penalty_item, payload=payload, jurisdiction=NB, day=date(2026, 5, 10)) == severity


def test_summary_procedure_is_minor(penalty_item: CatalogItem) -> None:
    payload = {"penalty_types": "罚款", "procedure": "summary"}
    assert severity_classify(item=penalty_item, payload=payload, jurisdiction=NB, day=date(2026, 5, 10)) == "minor"


def test_severity_without_a_map_is_the_default(penalty_item: CatalogItem) -> None:
    # A jurisdiction with no severity map of its own or above it: the item's default applies.
    assert severity_classify(item=penalty_item, payload={"penalty_types": "吊销许可证件"}, jurisdiction="XX",
                             day=date(2026, 5, 10)) == "general"


def test_seeded_policies(catalog: None) -> None:
    codes = set(Policy.objects.values_list("code", flat=True))
    assert {
        "publicity.cn.2019", "publicity.cn.order58", "publicity.cn.order36", "publicity.cn.samr107",
        "publicity.cn.order58.special_equipment", "publicity.cn.order58.work_safety", "publicity.cn.order58.fire",
        "publicity.cn.order58.food", "publicity.cn.order58.drugs", "retention.zj", "severity_map.cn",
        "deadlines.zj",
    } <= codes
    for policy in Policy.objects.all():
        assert policy.legal_basis.strip(), policy.code
    order36 = Policy.objects.get(code="publicity.cn.order36")
    assert order36.params["serious"] == {"publish": True, "min_months": 12, "max_months": 36}
    assert Policy.objects.get(code="publicity.cn.samr107").params["unpublished_penalty_types"] == ["警告"]
    assert Policy.objects.get(code="retention.zj").params == {"years": 5}
