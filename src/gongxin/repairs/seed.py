"""The credit repair policies, as ``catalog.Policy`` rows of kind ``repair`` (inserted by this app's
migration 0002; tests that flush the database call ``repair_policies_seed`` again).

Parameters (``Policy.params``; the numbers and lists of the law live only here)::

    {"repairable_severities": ["minor", "general", "serious"],
     "removed_by": {"judgment_debtor": "court"},               # not repaired: the court removes them after
                                                               # performance (catalog.policy.removal_authorities)
     "serious_not_before_max_end": {                           # some serious acts: only after the
         "record_kinds": ["serious_dishonesty"],                # maximum publicity period
         "penalty_types": ["吊销许可证件", "责令关闭", "限制从业"]},
     "commitment_text": "本主体郑重承诺……"}

The working-day deadlines stay in the ``deadlines`` policy (``repair_department_working_days``,
``repair_platform_working_days``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from gongxin.catalog.choices import PolicyKind

REPAIR_KIND = PolicyKind.REPAIR.value

COMMITMENT_TEXT = (
    "本主体郑重承诺：所申请修复的失信行为已经纠正，相关法定责任和义务已经履行完毕；所提交的材料真实、"
    "准确、完整，如有虚假，愿意承担相应的法律责任；今后将严格遵守法律、法规和规章，诚实守信，"
    "自觉接受政府部门、行业组织和社会公众的监督。本承诺将记入本主体的信用记录。"
)

_BASIS_ORDER_58 = "《失信行为纠正后的信用信息修复管理办法（试行）》（国家发展改革委令2023年第58号）第九条至第十四条"
_BASIS_ORDER_36 = (
    "《失信行为纠正后的信用信息修复管理办法》（国家发展改革委令第36号，2026年4月1日起施行）；"
    "《国务院办公厅关于进一步完善信用修复制度的意见》（国办发〔2025〕22号）"
)


def _params() -> dict[str, Any]:
    return {
        "repairable_severities": ["minor", "general", "serious"],
        "removed_by": {"judgment_debtor": "court"},
        "serious_not_before_max_end": {
            "record_kinds": ["serious_dishonesty"],
            "penalty_types": ["吊销许可证件", "责令关闭", "限制从业"],
        },
        "commitment_text": COMMITMENT_TEXT,
    }


def policy_rows() -> list[dict[str, Any]]:
    return [
        {
            "code": "repair.cn.order58",
            "kind": REPAIR_KIND,
            "name": "失信信息修复条件（国家发展改革委令第58号）",
            "jurisdiction": "CN",
            "domain": "",
            "effective_from": date(2023, 5, 1),
            "effective_to": date(2026, 3, 31),
            "params": _params(),
            "legal_basis": _BASIS_ORDER_58,
        },
        {
            "code": "repair.cn.order36",
            "kind": REPAIR_KIND,
            "name": "失信信息修复条件（国家发展改革委令第36号）",
            "jurisdiction": "CN",
            "domain": "",
            "effective_from": date(2026, 4, 1),
            "effective_to": None,
            "params": _params(),
            "legal_basis": _BASIS_ORDER_36,
        },
    ]


def repair_policies_seed(*, Policy: Any = None) -> None:
    """Idempotent: create or update each repair policy by its code."""
    if Policy is None:
        from gongxin.catalog.models import Policy
    for row in policy_rows():
        values = dict(row)
        code = values.pop("code")
        Policy.objects.update_or_create(code=code, defaults=values)


def seed_restore() -> None:
    """Seed the repair policies again if a flush emptied them (core.seeds); a no-op otherwise."""
    from gongxin.catalog.models import Policy

    if not (Policy.objects.filter(kind=REPAIR_KIND).exists()):
        repair_policies_seed()
