"""Seed data of the records app: the lists that exist by law or central policy."""

from __future__ import annotations

from typing import Any

LIST_TYPES: list[dict[str, Any]] = [
    {
        "code": "serious_dishonesty",
        "name": "严重失信主体名单",
        "kind": "black",
        "is_serious_dishonesty": True,
        "default_duration_months": 36,
        "legal_basis": "《失信行为纠正后的信用信息修复管理办法（试行）》；《浙江省公共信用信息管理条例》；"
        "各领域依法设立的严重失信主体名单管理规定",
        "exit_conditions": "名单期限届满自动移出；纠正失信行为、履行义务并作出信用承诺后可申请提前移出。",
    },
    {
        "code": "judgment_debtor",
        "name": "失信被执行人名单",
        "kind": "black",
        "is_serious_dishonesty": True,
        "default_duration_months": 24,
        "legal_basis": "《最高人民法院关于公布失信被执行人名单信息的若干规定》（法释〔2017〕7号）",
        "exit_conditions": "履行生效法律文书确定的义务后三个工作日内删除；纳入期限二年，可延长一至三年。",
    },
    {
        "code": "red_list",
        "name": "守信激励对象名单（红名单）",
        "kind": "red",
        "is_serious_dishonesty": False,
        "default_duration_months": 36,
        "legal_basis": (
            "《关于建立完善守信联合激励和失信联合惩戒制度加快推进社会诚信建设的指导意见》"
            "（国发〔2016〕33号）"
        ),
        "exit_conditions": "有效期届满或出现失信行为时移出。",
    },
]



def list_types_seed(*, ListType: Any = None) -> None:
    """Idempotent: creates or updates each list type by its code."""
    if ListType is None:
        from gongxin.records.models import ListType
    for values in LIST_TYPES:
        ListType.objects.update_or_create(code=values["code"], defaults=values)


def seed_restore() -> None:
    """Seed the list types again if a flush emptied them (core.seeds); a no-op otherwise."""
    from gongxin.records.models import ListType

    if not (ListType.objects.exists()):
        list_types_seed()
