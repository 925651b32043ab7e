"""The benefit scenarios as seeded policy data (inserted by migration 0002; tests that flush the
database call ``scenarios_seed`` again). Safe to re-run: rows are matched by code.

Grades are the scoring app's: for persons (the Tianyi score) AAA 信用极好, AA 信用优秀, A 信用良好, B 信用一般,
C 信用较差; for organizations excellent/good/fair/poor. A partner city's score passed with a check counts as
the local grade the scoring app's mutual-recognition table gives it (``partner_grade``). The credit line of
pay-after-treatment follows Xiamen's 500–3000 yuan by score (reference/credit-rules.md).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.apps import apps as django_apps

BASIS = (
    "《国务院关于建立完善守信联合激励和失信联合惩戒制度加快推进社会诚信建设的指导意见》（国发〔2016〕33号）；"
    "《国务院办公厅关于加快推进社会信用体系建设构建以信用为基础的新型监管机制的指导意见》（国办发〔2019〕35号）"
)
EFFECTIVE = date(2026, 1, 1)

NOT_LISTED = {"code": "not_listed", "rule": "!serious_dishonesty && !judgment_debtor",
              "label": "未被列入严重失信主体名单或失信被执行人名单",
              "label_en": "Not on the serious dishonesty list or the list of dishonest judgment debtors"}
GRADE_B = {"code": "grade_b_or_better", "rule": 'grade in ["AAA", "AA", "A", "B"]',
           "label": "个人信用等级为信用一般（B）及以上",
           "label_en": "Personal credit grade B (fair) or better"}
FEW_DEFAULTS = {"code": "few_defaults", "rule": "benefit_defaults_12m < 2",
                "label": "近12个月信用服务违约少于2次",
                "label_en": "Fewer than 2 benefit defaults in the last 12 months"}


def _by_grade(code: str, label: str, label_en: str, unit: str, values: dict[str, int]) -> dict[str, Any]:
    return {"code": code, "label": label, "label_en": label_en, "unit": unit, "by": "grade", "values": values,
            "default": 0}


PROVIDERS: list[dict[str, Any]] = [
    {"code": "bike", "name": "宁波公共自行车运营公司"},
    {"code": "health", "name": "宁波市卫生健康委员会（公立医院）"},
    {"code": "library", "name": "宁波图书馆"},
    {"code": "tourism", "name": "宁波市文化广电旅游局（民宿协会）"},
    {"code": "parking", "name": "宁波市停车管理公司"},
    {"code": "resources", "name": "宁波市公共资源交易中心"},
]

SCENARIOS: list[dict[str, Any]] = [
    {
        "code": "public_bike", "provider": "bike", "subject_kind": "person",
        "name": "公共自行车免押金骑行", "name_en": "Deposit-free public bikes",
        "description": "信用良好的市民免交押金办理公共自行车租车卡。",
        "conditions": [NOT_LISTED, GRADE_B, FEW_DEFAULTS],
        "parameters": [{"code": "deposit_waived_yuan", "label": "免交押金（元）", "label_en": "Deposit waived (yuan)",
                        "unit": "元", "value": 200}],
        "default_threshold": 2, "default_window_months": 12, "suspension_months": 6,
    },
    {
        "code": "pay_after_treatment", "provider": "health", "subject_kind": "person",
        "name": "先诊疗后付费", "name_en": "Pay after treatment",
        "description": "就诊时免交押金、先诊疗，离院前或出院后统一结算；信用额度按信用等级确定。",
        "conditions": [NOT_LISTED, GRADE_B, FEW_DEFAULTS],
        "parameters": [_by_grade("credit_line_yuan", "信用额度（元）", "Credit line (yuan)", "元",
                                 {"AAA": 3000, "AA": 2000, "A": 1000, "B": 500})],
        "default_threshold": 2, "default_window_months": 12, "suspension_months": 12,
    },
    {
        "code": "library_borrowing", "provider": "library", "subject_kind": "person",
        "name": "信用借阅", "name_en": "Library credit borrowing",
        "description": "免押金办理借书证，可借册数按信用等级确定。",
        "conditions": [NOT_LISTED, GRADE_B],
        "parameters": [_by_grade("books", "可借册数", "Books at a time", "册", {"AAA": 20, "AA": 15, "A": 10, "B": 5}),
                       {"code": "deposit_waived_yuan", "label": "免交押金（元）", "label_en": "Deposit waived (yuan)",
                        "unit": "元", "value": 100}],
        "default_threshold": 3, "default_window_months": 12, "suspension_months": 6,
    },
    {
        "code": "homestay", "provider": "tourism", "subject_kind": "person",
        "name": "民宿信用住", "name_en": "Homestay credit stay",
        "description": "免押金入住、离店后付费；互认杭州钱江分、厦门白鹭分。",
        "conditions": [
            NOT_LISTED,
            {"code": "grade_or_partner_grade",
             "rule": 'grade in ["AAA", "AA", "A"] || partner_grade in ["AAA", "AA", "A"]',
             "label": "个人信用等级为信用良好（A）及以上，"
                      "或所持合作城市信用分（杭州钱江分、厦门白鹭分）互认为A级及以上",
             "label_en": "Grade A (good) or better, or a partner city's score (Hangzhou Qianjiang, Xiamen Bailu) "
                         "recognised as grade A or better"},
            FEW_DEFAULTS,
        ],
        "parameters": [{"code": "deposit_waived_yuan", "label": "免交押金（元）", "label_en": "Deposit waived (yuan)",
                        "unit": "元", "value": 500}],
        "default_threshold": 2, "default_window_months": 12, "suspension_months": 12,
    },
    {
        "code": "parking_pay_later", "provider": "parking", "subject_kind": "person",
        "name": "先离场后付费停车", "name_en": "Leave first, pay later parking",
        "description": "停车场出口免停车缴费，离场后48小时内付费。",
        "conditions": [NOT_LISTED, GRADE_B,
                       {"code": "few_defaults_parking", "rule": "benefit_defaults_12m < 3",
                        "label": "近12个月信用服务违约少于3次",
                        "label_en": "Fewer than 3 benefit defaults in the last 12 months"}],
        "parameters": [_by_grade("credit_line_yuan", "信用额度（元）", "Credit line (yuan)", "元",
                                 {"AAA": 500, "AA": 400, "A": 300, "B": 100})],
        "default_threshold": 3, "default_window_months": 12, "suspension_months": 6,
    },
    {
        "code": "bid_deposit_waiver", "provider": "resources", "subject_kind": "organization",
        "name": "投标保证金信用减免", "name_en": "Tender deposit waived on credit",
        "description": "信用良好的企业参与公共资源交易时减免投标保证金。",
        "conditions": [NOT_LISTED,
                       {"code": "grade_good_or_better", "rule": 'grade in ["excellent", "good"]',
                        "label": "公共信用综合评价为良好及以上", "label_en": "Public credit grade good or better"},
                       {"code": "no_serious_negative", "rule": "!unrepaired_serious",
                        "label": "无未修复的严重失信记录", "label_en": "No unrepaired serious negative record"}],
        "parameters": [_by_grade("deposit_waived_percent", "保证金减免比例（%）", "Deposit waived (%)", "%",
                                 {"excellent": 100, "good": 50})],
        "default_threshold": 1, "default_window_months": 24, "suspension_months": 12,
    },
]


def scenarios_seed(apps: Any = None) -> int:
    """Insert or update the seeded providers and scenarios; returns the number of scenarios."""
    registry = apps or django_apps  # a data migration passes its historical models
    Provider = registry.get_model("benefits", "Provider")
    Scenario = registry.get_model("benefits", "Scenario")
    providers = {}
    for row in PROVIDERS:
        providers[row["code"]], _ = Provider.objects.get_or_create(code=row["code"], defaults={"name": row["name"]})
    for row in SCENARIOS:
        values = {k: v for k, v in row.items() if k not in {"code", "provider"}}
        Scenario.objects.update_or_create(
            code=row["code"],
            defaults={**values, "provider": providers[row["provider"]], "legal_basis": BASIS,
                      "effective_from": EFFECTIVE},
        )
    return len(SCENARIOS)


def seed_restore() -> None:
    """Seed the benefit scenarios again if a flush emptied them (core.seeds); a no-op otherwise."""
    from gongxin.benefits.models import Scenario

    if not (Scenario.objects.exists()):
        scenarios_seed()
