"""The benefit scenarios as seeded policy data (inserted by migration 0002; tests that flush the
database call ``scenarios_seed`` again). Safe to re-run: rows are matched by code.

Levels are the four grades of the public credit evaluation (A 优秀, B 良好, C 中等, D 较差); the credit
line of pay-after-treatment follows Xiamen's 500–3000 yuan by score (reference/credit-rules.md).
"""

from __future__ import annotations

from datetime import date
from typing import Any

BASIS = (
    "《国务院关于建立完善守信联合激励和失信联合惩戒制度加快推进社会诚信建设的指导意见》（国发〔2016〕33号）；"
    "《国务院办公厅关于加快推进社会信用体系建设构建以信用为基础的新型监管机制的指导意见》（国办发〔2019〕35号）"
)
EFFECTIVE = date(2026, 1, 1)

NOT_BLACK = {"code": "not_black_listed", "rule": "!on_black_list && !serious_dishonesty",
             "label": "未被列入严重失信主体名单或其他黑名单",
             "label_en": "Not on the serious dishonesty list or any other black list"}
LEVEL_ABC = {"code": "level_c_or_better", "rule": 'level in ["A", "B", "C"]',
             "label": "公共信用评价等级为中等（C）及以上",
             "label_en": "Public credit grade C (fair) or better"}
LEVEL_AB = {"code": "level_b_or_better", "rule": 'level in ["A", "B"]',
            "label": "公共信用评价等级为良好（B）及以上",
            "label_en": "Public credit grade B (good) or better"}
FEW_DEFAULTS = {"code": "few_defaults", "rule": "benefit_defaults_12m < 2",
                "label": "近12个月信用服务违约少于2次",
                "label_en": "Fewer than 2 benefit defaults in the last 12 months"}

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
        "conditions": [NOT_BLACK, LEVEL_ABC, FEW_DEFAULTS],
        "parameters": [{"code": "deposit_waived_yuan", "label": "免交押金（元）", "label_en": "Deposit waived (yuan)",
                        "unit": "元", "value": 200}],
        "default_threshold": 2, "default_window_months": 12, "suspension_months": 6,
    },
    {
        "code": "pay_after_treatment", "provider": "health", "subject_kind": "person",
        "name": "先诊疗后付费", "name_en": "Pay after treatment",
        "description": "就诊时免交押金、先诊疗，离院前或出院后统一结算；信用额度按信用等级确定。",
        "conditions": [NOT_BLACK, LEVEL_ABC, FEW_DEFAULTS],
        "parameters": [{"code": "credit_line_yuan", "label": "信用额度（元）", "label_en": "Credit line (yuan)",
                        "unit": "元", "by": "level", "values": {"A": 3000, "B": 2000, "C": 500}, "default": 0}],
        "default_threshold": 2, "default_window_months": 12, "suspension_months": 12,
    },
    {
        "code": "library_borrowing", "provider": "library", "subject_kind": "person",
        "name": "信用借阅", "name_en": "Library credit borrowing",
        "description": "免押金办理借书证，可借册数按信用等级确定。",
        "conditions": [NOT_BLACK, LEVEL_ABC],
        "parameters": [{"code": "books", "label": "可借册数", "label_en": "Books at a time", "unit": "册",
                        "by": "level", "values": {"A": 20, "B": 10, "C": 5}, "default": 0},
                       {"code": "deposit_waived_yuan", "label": "免交押金（元）", "label_en": "Deposit waived (yuan)",
                        "unit": "元", "value": 100}],
        "default_threshold": 3, "default_window_months": 12, "suspension_months": 6,
    },
    {
        "code": "homestay", "provider": "tourism", "subject_kind": "person",
        "name": "民宿信用住", "name_en": "Homestay credit stay",
        "description": "免押金入住、离店后付费；互认杭州钱江分、厦门白鹭分。",
        "conditions": [
            NOT_BLACK,
            {"code": "level_or_partner_score",
             "rule": 'level in ["A", "B"] || ("hangzhou" in partner_scores && partner_scores["hangzhou"] >= 700)'
                     ' || ("xiamen" in partner_scores && partner_scores["xiamen"] >= 700)',
             "label": "信用等级为良好（B）及以上，或杭州钱江分、厦门白鹭分达到700分",
             "label_en": "Grade B or better, or a Hangzhou or Xiamen partner score of 700 or more"},
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
        "conditions": [NOT_BLACK, LEVEL_ABC,
                       {"code": "few_defaults_parking", "rule": "benefit_defaults_12m < 3",
                        "label": "近12个月信用服务违约少于3次",
                        "label_en": "Fewer than 3 benefit defaults in the last 12 months"}],
        "parameters": [{"code": "credit_line_yuan", "label": "信用额度（元）", "label_en": "Credit line (yuan)",
                        "unit": "元", "by": "level", "values": {"A": 500, "B": 300, "C": 100}, "default": 0}],
        "default_threshold": 3, "default_window_months": 12, "suspension_months": 6,
    },
    {
        "code": "bid_deposit_waiver", "provider": "resources", "subject_kind": "organization",
        "name": "投标保证金信用减免", "name_en": "Tender deposit waived on credit",
        "description": "信用良好的企业参与公共资源交易时减免投标保证金。",
        "conditions": [NOT_BLACK, LEVEL_AB,
                       {"code": "no_serious_negative", "rule": "serious_negative_count == 0",
                        "label": "无未修复的严重失信记录", "label_en": "No unrepaired serious negative record"}],
        "parameters": [{"code": "deposit_waived_percent", "label": "保证金减免比例（%）",
                        "label_en": "Deposit waived (%)", "unit": "%", "by": "level",
                        "values": {"A": 100, "B": 50}, "default": 0}],
        "default_threshold": 1, "default_window_months": 24, "suspension_months": 12,
    },
]


def scenarios_seed(apps: Any = None) -> int:
    """Insert or update the seeded providers and scenarios; returns the number of scenarios."""
    if apps is None:
        from gongxin.benefits.models import Provider, Scenario
    else:
        Provider = apps.get_model("benefits", "Provider")
        Scenario = apps.get_model("benefits", "Scenario")
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
