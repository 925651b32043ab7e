"""Seed data: the default organization model, the Tianyi score, supervision defaults, partner schemes.

Every number here is policy, kept as rows (this module only writes them once, from migration 0002);
docs/scoring.md explains each choice. Idempotent: rows are created or updated by their codes, and an
existing model version's indicators are replaced only while it is a draft or being seeded the first time.
"""

from __future__ import annotations

from datetime import date
from typing import Any

BASIS_ZJ = "《浙江省公共信用信息管理条例》；浙江省公共信用评价（1000分制）"
DECAY = [{"months": 12, "weight": 1}, {"months": 36, "weight": 0.5}, {"weight": 0.25}]


def _penalty(code: str, severity: str, per: int, floor: int, zh: str, en: str, name: str, name_en: str) -> dict:
    return {
        "code": code, "name": name, "name_en": name_en, "feature": "negative_records",
        "params": {"kinds": ["penalty"], "severity": [severity]}, "decay": DECAY,
        "points_per_unit": per, "min_points": floor, "max_points": 0, "reason_code": code,
        "reason_zh": zh, "reason_en": en,
    }


ORG_MODEL: dict[str, Any] = {
    "code": "org.zj", "version": 1, "subject_kind": "organization",
    "name": "公共信用综合评价（法人和非法人组织）", "name_en": "Public credit evaluation of organizations",
    "scale_max": 1000, "repaired_weight": 0, "effective_from": date(2026, 1, 1),
    "legal_basis": BASIS_ZJ + "；《信用修复管理办法》（修复后不再作为评价依据）",
    "reasoning": "1000分：基本情况150、行政监管450、名单状态200、履约践诺100、守信激励100。"
                 "无任何记录、成立三年的企业约865分（良好）；一般处罚每条扣60、严重扣150，近12个月全额、"
                 "12-36个月减半、更早四分之一；列入严重失信名单或失信被执行人名单该维度清零。",
    "dimensions": [
        {"code": "basic", "name": "基本情况", "name_en": "Basic information", "base_points": 100,
         "max_points": 150, "indicators": [
             {"code": "registration_years", "name": "成立年限", "name_en": "Years since registration",
              "feature": "registration_years", "params": {"max_years": 6}, "points_per_unit": 5,
              "min_points": 0, "max_points": 30},
             {"code": "licences", "name": "行政许可", "name_en": "Licences held", "feature": "licences",
              "points_per_unit": 5, "min_points": 0, "max_points": 20},
         ]},
        {"code": "compliance", "name": "行政监管", "name_en": "Regulatory compliance", "base_points": 450,
         "max_points": 450, "indicators": [
             _penalty("serious_penalties", "serious", -150, -450,
                      "{count}条严重行政处罚（近{months}个月{recent}条）",
                      "{count} serious administrative penalties ({recent} in the last {months} months)",
                      "严重行政处罚", "Serious penalties"),
             _penalty("general_penalties", "general", -60, -300,
                      "{count}条一般行政处罚（近{months}个月{recent}条）",
                      "{count} general administrative penalties ({recent} in the last {months} months)",
                      "一般行政处罚", "General penalties"),
             _penalty("minor_penalties", "minor", -15, -90,
                      "{count}条轻微行政处罚（近{months}个月{recent}条）",
                      "{count} minor administrative penalties ({recent} in the last {months} months)",
                      "轻微行政处罚", "Minor penalties"),
         ]},
        {"code": "lists", "name": "名单状态", "name_en": "List status", "base_points": 200, "max_points": 200,
         "indicators": [
             {"code": "serious_dishonesty", "name": "严重失信主体名单", "name_en": "Serious dishonesty list",
              "feature": "on_list", "params": {"lists": ["serious_dishonesty"]}, "points_per_unit": -200,
              "min_points": -200, "max_points": 0, "reason_code": "on_serious_dishonesty_list",
              "reason_zh": "列入严重失信主体名单", "reason_en": "On the serious dishonesty list"},
             {"code": "judgment_debtor", "name": "失信被执行人", "name_en": "Dishonest judgment debtor",
              "feature": "on_list", "params": {"lists": ["judgment_debtor"]}, "points_per_unit": -200,
              "min_points": -200, "max_points": 0, "reason_code": "on_judgment_debtor_list",
              "reason_zh": "列入失信被执行人名单", "reason_en": "On the list of dishonest judgment debtors"},
         ]},
        {"code": "performance", "name": "履约践诺", "name_en": "Commitments and performance", "base_points": 60,
         "max_points": 100, "indicators": [
             {"code": "commitments_kept", "name": "信用承诺履约", "name_en": "Commitments kept",
              "feature": "commitments_kept", "points_per_unit": 10, "min_points": 0, "max_points": 30},
             {"code": "commitments_broken", "name": "信用承诺违约", "name_en": "Commitments broken",
              "feature": "commitments_broken", "decay": DECAY, "points_per_unit": -30, "min_points": -60,
              "max_points": 0, "reason_code": "commitments_broken",
              "reason_zh": "{count}项信用承诺未履行（近{months}个月{recent}项）",
              "reason_en": "{count} credit commitments broken ({recent} in the last {months} months)"},
             {"code": "voluntary_performance", "name": "自动履行", "name_en": "Voluntary performance",
              "feature": "voluntary_performance", "points_per_unit": 10, "min_points": 0, "max_points": 20},
         ]},
        {"code": "incentives", "name": "守信激励", "name_en": "Trustworthiness", "base_points": 40,
         "max_points": 100, "indicators": [
             {"code": "honours", "name": "诚信荣誉", "name_en": "Honours", "feature": "honours",
              "points_per_unit": 20, "min_points": 0, "max_points": 40},
             {"code": "tax_grade_a", "name": "纳税信用A级", "name_en": "Tax credit grade A",
              "feature": "tax_grade_a", "points_per_unit": 20, "min_points": 0, "max_points": 20},
         ]},
    ],
    "bands": [
        {"code": "excellent", "name": "优秀", "name_en": "Excellent", "min_score": 900, "supervision_class": "A"},
        {"code": "good", "name": "良好", "name_en": "Good", "min_score": 750, "supervision_class": "B"},
        {"code": "fair", "name": "中等", "name_en": "Fair", "min_score": 600, "supervision_class": "C"},
        {"code": "poor", "name": "较差", "name_en": "Poor", "min_score": 0, "supervision_class": "D"},
    ],
}

PERSON_MODEL: dict[str, Any] = {
    "code": "person.tianyi", "version": 1, "subject_kind": "person",
    "name": "天一分（自然人公共信用评价）", "name_en": "Tianyi score (public credit of natural persons)",
    "scale_max": 1000, "repaired_weight": 0, "effective_from": date(2026, 1, 1),
    "legal_basis": BASIS_ZJ + "（自然人模型：基本情况、履约能力、遵纪守法、经济行为、社会公德）",
    "reasoning": "1000分五个维度：基本情况100、履约能力250、遵纪守法350、经济行为150、社会公德150。"
                 "无记录者850分（AA 信用优秀）；荣誉与守约可达AAA；失信被执行人扣200，严重失信名单遵纪守法清零。",
    "dimensions": [
        {"code": "basic", "name": "基本情况", "name_en": "Basic information", "base_points": 80, "max_points": 100,
         "indicators": [
             {"code": "qualifications", "name": "资格许可", "name_en": "Qualifications and licences",
              "feature": "licences", "points_per_unit": 5, "min_points": 0, "max_points": 20},
         ]},
        {"code": "performance", "name": "履约能力", "name_en": "Ability to perform", "base_points": 200,
         "max_points": 250, "indicators": [
             {"code": "judgment_debtor", "name": "失信被执行人", "name_en": "Dishonest judgment debtor",
              "feature": "on_list", "params": {"lists": ["judgment_debtor"]}, "points_per_unit": -200,
              "min_points": -200, "max_points": 0, "reason_code": "on_judgment_debtor_list",
              "reason_zh": "列入失信被执行人名单", "reason_en": "On the list of dishonest judgment debtors"},
             {"code": "commitments_kept", "name": "信用承诺履约", "name_en": "Commitments kept",
              "feature": "commitments_kept", "points_per_unit": 10, "min_points": 0, "max_points": 30},
             {"code": "commitments_broken", "name": "信用承诺违约", "name_en": "Commitments broken",
              "feature": "commitments_broken", "decay": DECAY, "points_per_unit": -50, "min_points": -100,
              "max_points": 0, "reason_code": "commitments_broken",
              "reason_zh": "{count}项信用承诺未履行（近{months}个月{recent}项）",
              "reason_en": "{count} credit commitments broken ({recent} in the last {months} months)"},
             {"code": "voluntary_performance", "name": "自动履行", "name_en": "Voluntary performance",
              "feature": "voluntary_performance", "points_per_unit": 20, "min_points": 0, "max_points": 20},
         ]},
        {"code": "law", "name": "遵纪守法", "name_en": "Law-abiding", "base_points": 350, "max_points": 350,
         "indicators": [
             _penalty("serious_penalties", "serious", -150, -350,
                      "{count}条严重行政处罚（近{months}个月{recent}条）",
                      "{count} serious administrative penalties ({recent} in the last {months} months)",
                      "严重行政处罚", "Serious penalties"),
             _penalty("general_penalties", "general", -50, -200,
                      "{count}条一般行政处罚（近{months}个月{recent}条）",
                      "{count} general administrative penalties ({recent} in the last {months} months)",
                      "一般行政处罚", "General penalties"),
             _penalty("minor_penalties", "minor", -10, -50,
                      "{count}条轻微行政处罚（近{months}个月{recent}条）",
                      "{count} minor administrative penalties ({recent} in the last {months} months)",
                      "轻微行政处罚", "Minor penalties"),
             {"code": "serious_dishonesty", "name": "严重失信主体名单", "name_en": "Serious dishonesty list",
              "feature": "on_list", "params": {"lists": ["serious_dishonesty"]}, "points_per_unit": -350,
              "min_points": -350, "max_points": 0, "reason_code": "on_serious_dishonesty_list",
              "reason_zh": "列入严重失信主体名单", "reason_en": "On the serious dishonesty list"},
         ]},
        {"code": "economic", "name": "经济行为", "name_en": "Economic conduct", "base_points": 120,
         "max_points": 150, "indicators": [
             {"code": "tax_grade_a", "name": "纳税信用A级", "name_en": "Tax credit grade A",
              "feature": "tax_grade_a", "points_per_unit": 30, "min_points": 0, "max_points": 30},
             {"code": "other_negative", "name": "其他失信记录", "name_en": "Other negative records",
              "feature": "negative_records", "params": {"kinds": ["other"]}, "decay": DECAY,
              "points_per_unit": -40, "min_points": -120, "max_points": 0, "reason_code": "other_negative",
              "reason_zh": "{count}条其他失信记录（近{months}个月{recent}条）",
              "reason_en": "{count} other negative records ({recent} in the last {months} months)"},
         ]},
        {"code": "social", "name": "社会公德", "name_en": "Social morality", "base_points": 100,
         "max_points": 150, "indicators": [
             {"code": "honours", "name": "诚信荣誉与公益", "name_en": "Honours and public service",
              "feature": "honours", "points_per_unit": 25, "min_points": 0, "max_points": 50},
         ]},
    ],
    "bands": [
        {"code": "AAA", "name": "信用极好", "name_en": "Outstanding", "min_score": 900},
        {"code": "AA", "name": "信用优秀", "name_en": "Excellent", "min_score": 800},
        {"code": "A", "name": "信用良好", "name_en": "Good", "min_score": 700},
        {"code": "B", "name": "信用一般", "name_en": "Fair", "min_score": 600},
        {"code": "C", "name": "信用较差", "name_en": "Poor", "min_score": 0},
    ],
}

SUPERVISION_BASIS = "《关于加快推进社会信用体系建设构建以信用为基础的新型监管机制的指导意见》（国办发〔2019〕35号）；" \
                    "分级分类监管：A类抽查比例不高于5%，B类5%-20%，C类21%-60%，D类61%-100%"
SUPERVISION_DEFAULT = [
    {"grade": "excellent", "class_code": "A", "rate": "0.05", "rate_min": "0", "rate_max": "0.05"},
    {"grade": "good", "class_code": "B", "rate": "0.20", "rate_min": "0.05", "rate_max": "0.20"},
    {"grade": "fair", "class_code": "C", "rate": "0.60", "rate_min": "0.21", "rate_max": "0.60"},
    {"grade": "poor", "class_code": "D", "rate": "1.00", "rate_min": "0.61", "rate_max": "1.00"},
]
FIELDS = [
    ("default", "默认规则（各领域未另行设定时适用）", "Default rules"),
    ("market_regulation", "市场监管", "Market regulation"),
    ("ecology", "生态环境", "Ecology and environment"),
    ("work_safety", "安全生产", "Work safety"),
    ("food_drug", "食品药品", "Food and drugs"),
    ("fire", "消防", "Fire safety"),
]

PARTNERS: list[dict[str, Any]] = [
    {"code": "hangzhou_qianjiang", "name": "钱江分", "name_en": "Qianjiang score", "city": "杭州",
     "scale_min": 0, "scale_max": 1000, "effective_from": date(2026, 1, 1),
     "legal_basis": "长三角信用互认合作备忘录；杭州“钱江分”等级：<550、550-600、600-700、700-750、≥750",
     "levels": [(750, "信用极好", "AAA"), (700, "信用优秀", "AA"), (600, "信用良好", "A"), (550, "信用一般", "B"),
                (0, "信用较差", "C")]},
    {"code": "xiamen_bailu", "name": "白鹭分", "name_en": "Bailu score", "city": "厦门",
     "scale_min": 0, "scale_max": 1000, "effective_from": date(2026, 1, 1),
     "legal_basis": "城市信用分互认合作协议（厦门“白鹭分”）；分段为示例数据，须以双方协议为准",
     "levels": [(750, "信用极好", "AAA"), (650, "信用优秀", "AA"), (550, "信用良好", "A"), (450, "信用一般", "B"),
                (0, "信用较差", "C")]},
]


def scoring_seed(*, apps: Any = None) -> None:
    """Create or update every seeded row (from a migration pass its ``apps``)."""
    from django.utils import timezone

    get = apps.get_model if apps is not None else _model
    ScoringModel = get("scoring", "ScoringModel")
    Dimension = get("scoring", "Dimension")
    Indicator = get("scoring", "Indicator")
    GradeBand = get("scoring", "GradeBand")
    now = timezone.now()
    for spec in (ORG_MODEL, PERSON_MODEL):
        values = {k: v for k, v in spec.items() if k not in {"dimensions", "bands", "code", "version"}}
        model, created = ScoringModel.objects.get_or_create(
            code=spec["code"], version=spec["version"],
            defaults={**values, "status": "active", "activated_at": now, "created_at": now},
        )
        if not created:
            continue
        for position, dim in enumerate(spec["dimensions"]):
            dimension = Dimension.objects.create(
                model=model, position=position, **{k: v for k, v in dim.items() if k != "indicators"})
            for i_position, ind in enumerate(dim["indicators"]):
                Indicator.objects.create(dimension=dimension, position=i_position, **ind)
        for band in spec["bands"]:
            GradeBand.objects.create(model=model, **band)
    RegulatoryField = get("scoring", "RegulatoryField")
    SupervisionRule = get("scoring", "SupervisionRule")
    for code, name, name_en in FIELDS:
        RegulatoryField.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en})
    default = RegulatoryField.objects.get(code="default")
    for rule in SUPERVISION_DEFAULT:
        SupervisionRule.objects.get_or_create(
            field=default, grade=rule["grade"],
            defaults={**{k: v for k, v in rule.items() if k != "grade"}, "legal_basis": SUPERVISION_BASIS,
                      "updated_at": now, "updated_by": "seed"})
    PartnerScheme = get("scoring", "PartnerScheme")
    PartnerLevel = get("scoring", "PartnerLevel")
    for spec in PARTNERS:
        scheme, _created = PartnerScheme.objects.update_or_create(
            code=spec["code"], defaults={k: v for k, v in spec.items() if k not in {"code", "levels"}})
        for min_score, name, local in spec["levels"]:
            PartnerLevel.objects.update_or_create(scheme=scheme, min_score=min_score,
                                                  defaults={"name": name, "local_level": local})


def _model(app_label: str, name: str) -> Any:
    from django.apps import apps as registry

    return registry.get_model(app_label, name)


def seed_restore() -> None:
    """Seed the scoring models again if a flush emptied them (core.seeds); a no-op otherwise."""
    from gongxin.scoring.models import ScoringModel

    if not (ScoringModel.objects.exists()):
        scoring_seed()
