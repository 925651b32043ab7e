"""catalog_seed: idempotent, faithful to the data standard's labels."""

from __future__ import annotations

from datetime import date

from gongxin.catalog.models import CatalogEdition, CatalogItem, Policy
from gongxin.catalog.seed import catalog_seed
from gongxin.catalog.selectors import edition_current, item_by_code, items_current

# The penalty fields of the national data standard as credit-rules.md lists them (* required).
PENALTY_LABELS = [
    "行政相对人名称*", "行政相对人类别*", "统一社会信用代码", "法定代表人", "证件类型", "证件号码",
    "行政处罚决定书文号*", "违法行为类型*", "违法事实*", "处罚依据*", "处罚类别*", "处罚内容*",
    "罚款金额（万元）", "没收违法所得、没收非法财物的金额（万元）", "暂扣或吊销证照名称及编号", "处罚决定日期*",
    "处罚有效期*", "公示截止期", "处罚机关*", "处罚机关统一社会信用代码*", "数据来源单位*",
    "数据来源单位统一社会信用代码*", "备注",
]
LICENCE_LABELS = [
    "行政相对人名称", "行政相对人类别", "统一社会信用代码", "法定代表人", "证件类型", "证件号码",
    "行政许可决定文书名称", "行政许可决定文书号", "许可类别", "许可证书名称", "许可编号", "许可内容",
    "许可决定日期", "有效期自", "有效期至", "许可机关", "许可机关统一社会信用代码", "当前状态", "数据来源单位",
    "数据来源单位统一社会信用代码", "备注",
]


def test_seed_is_idempotent(catalog: None) -> None:
    counts = (Policy.objects.count(), CatalogEdition.objects.count(), CatalogItem.objects.count())
    catalog_seed()
    catalog_seed()
    assert (Policy.objects.count(), CatalogEdition.objects.count(), CatalogItem.objects.count()) == counts


def test_seed_restores_edited_values(catalog: None) -> None:
    Policy.objects.filter(code="retention.zj").update(params={"years": 99})
    catalog_seed()
    assert Policy.objects.get(code="retention.zj").params == {"years": 5}


def test_seed_keeps_a_newer_current_edition(catalog: None) -> None:
    CatalogEdition.objects.update(is_current=False)
    newer = CatalogEdition.objects.create(code="2027", name="2027", effective_from=date(2027, 1, 1),
                                          is_current=True)
    catalog_seed()
    assert edition_current() == newer


def test_edition_2026_is_current_with_its_items(catalog: None) -> None:
    edition = edition_current()
    assert edition is not None and edition.code == "2026"
    assert set(items_current().values_list("code", flat=True)) == {
        "penalty", "licence", "serious_dishonesty_list", "judgment_debtor", "voluntary_performance", "honour",
        "tax_grade_a", "commitment", "registration_relation",
        "broken_commitment",  # inserted by the commitments app's migration
    }
    assert all(item.source_unit_id is None for item in items_current())


def test_penalty_fields_follow_the_data_standard(penalty_item: CatalogItem) -> None:
    by_label = {f["label"]: f for f in penalty_item.fields}
    for entry in PENALTY_LABELS:
        label = entry.rstrip("*")
        assert label in by_label, label
        assert by_label[label]["required"] is entry.endswith("*"), label
    assert by_label["罚款金额（万元）"]["type"] == "money_wan"
    assert by_label["证件号码"]["personal"] is True
    assert [f["code"] for f in penalty_item.fields if f["personal"]] == ["id_number"]
    assert by_label["行政相对人类别"]["enum"] == [
        {"code": "organization", "label": "法人及非法人组织"},
        {"code": "person", "label": "自然人"},
        {"code": "individual_business", "label": "个体工商户"},
    ]
    assert penalty_item.natural_key == ["decision_number"]
    assert penalty_item.decision_date_field == "decision_date"
    assert (penalty_item.polarity, penalty_item.default_severity, penalty_item.disclosure_level) == (
        "negative", "general", "public")


def test_licence_fields_follow_the_data_standard(licence_item: CatalogItem) -> None:
    labels = [f["label"] for f in licence_item.fields]
    for label in LICENCE_LABELS:
        assert label in labels, label
    categories = licence_item.field("licence_category")
    assert categories is not None
    assert [o["label"] for o in categories["enum"]] == ["普通", "特许", "认可", "核准", "登记", "其他"]
    assert licence_item.natural_key == ["licence_decision_number"]
    assert licence_item.polarity == "positive"


def test_lists_and_other_items(catalog: None) -> None:
    assert (item_by_code("serious_dishonesty_list").list_type_code, item_by_code("judgment_debtor").list_type_code,
            item_by_code("honour").list_type_code) == ("serious_dishonesty", "judgment_debtor", "red_list")
    assert item_by_code("judgment_debtor").default_severity == "serious"
    assert item_by_code("voluntary_performance").polarity == "positive"
    assert item_by_code("tax_grade_a").subject_kinds == ["organization"]
    commitment_type = item_by_code("commitment").field("commitment_type")
    assert commitment_type is not None
    assert [o["label"] for o in commitment_type["enum"]] == [
        "审批替代型", "容缺办理型", "证明事项告知承诺型", "主动公示型", "修复型", "行业自律型",
    ]
