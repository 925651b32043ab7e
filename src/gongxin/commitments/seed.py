"""The commitment types and the catalog item "broken commitment" every installation starts from.

Inserted by this app's migration 0002 (idempotent: ``update_or_create`` by code, so tests that flush the
database call ``commitments_seed`` again). The model classes are injectable so that the migration passes
its historical models.

Each type's numbers (verification period, reminder lead, in working days) and its text live only here and
in the rows; the services read them from the rows. The broken-commitment item is a negative item whose
clocks come from the same ``publicity`` and ``retention`` policies as every other negative item (counted
from the breach date); its default severity is general (a department may record a serious breach).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from gongxin.catalog.seed import BOTH, COMMITMENT_TYPES, EDITION, SUBJECT_CATEGORIES, _f, _remarks

BROKEN_ITEM_CODE = "broken_commitment"

_BASIS_35 = ("《国务院办公厅关于加快推进社会信用体系建设构建以信用为基础的新型监管机制的指导意见》"
             "（国办发〔2019〕35号）“创新事前环节信用监管”：建立健全信用承诺制度，"
             "将市场主体的承诺履约情况记入信用记录，作为事中、事后监管的重要依据")
_BASIS_42 = "《国务院办公厅关于全面推行证明事项和涉企经营许可事项告知承诺制的指导意见》（国办发〔2020〕42号）"
_BASIS_ZJ = "《浙江省公共信用信息管理条例》"
_BASIS_36 = "《失信行为纠正后的信用信息修复管理办法》（国家发展改革委令第36号）"

_TAIL = ("如有虚假承诺或者违背承诺，本主体愿意接受停止办理、限期整改、撤销相关决定等处理，"
         "并承担相应的法律责任；同意将本承诺及其履行情况记入本主体的信用记录。")

TYPE_ROWS: list[dict[str, Any]] = [
    {
        "code": "approval_substitute", "name": "审批替代型", "name_en": "Approval substitute",
        "group": "approval", "eligibility_applies": True, "public_always": False,
        "text_template": (
            "{subject_name}就“{matter_name}”事项向{department}郑重承诺：本主体已经符合该事项规定的条件、"
            "标准和技术要求，所提交的材料真实、合法、有效；愿意在{deadline}前接受{department}的核查。" + _TAIL),
        "fulfilment_working_days": 20, "reminder_working_days": 3, "ordering": 1,
        "legal_basis": _BASIS_35 + "；" + _BASIS_ZJ,
    },
    {
        "code": "deficiency_tolerance", "name": "容缺办理型", "name_en": "Missing-document tolerance",
        "group": "approval", "eligibility_applies": True, "public_always": False,
        "text_template": (
            "{subject_name}就“{matter_name}”事项向{department}郑重承诺：除容缺的材料外，所提交的材料真实、"
            "合法、有效；容缺的材料将于{deadline}前补齐。" + _TAIL),
        "fulfilment_working_days": 10, "reminder_working_days": 2, "ordering": 2,
        "legal_basis": _BASIS_35 + "；" + _BASIS_ZJ,
    },
    {
        "code": "certification_notice", "name": "证明事项告知承诺型", "name_en": "Certificate notification",
        "group": "approval", "eligibility_applies": True, "public_always": False,
        "text_template": (
            "{subject_name}已知晓{department}告知的“{matter_name}”事项所需证明的内容和要求，郑重承诺：本主体"
            "符合告知的条件，以承诺代替证明材料；愿意在{deadline}前接受核查。" + _TAIL),
        "fulfilment_working_days": 20, "reminder_working_days": 3, "ordering": 3,
        "legal_basis": _BASIS_42 + "；" + _BASIS_35,
    },
    {
        "code": "voluntary_public", "name": "主动公示型", "name_en": "Voluntary public",
        "group": "voluntary_public", "eligibility_applies": False, "public_always": True,
        "text_template": (
            "{subject_name}向社会公开承诺：在“{matter_name}”中严格遵守法律、法规和规章，依法诚信经营，"
            "自觉接受{department}和社会公众的监督；履约情况至{deadline}由{department}核实。" + _TAIL),
        "fulfilment_working_days": 120, "reminder_working_days": 5, "ordering": 4,
        "legal_basis": _BASIS_35 + "（鼓励市场主体主动向社会作出信用承诺）",
    },
    {
        "code": "repair", "name": "修复型", "name_en": "Repair",
        "group": "repair", "eligibility_applies": False, "public_always": False,
        "text_template": (
            "{subject_name}就“{matter_name}”向{department}郑重承诺：相关失信行为已经纠正，法定责任和义务已经"
            "履行完毕；今后诚实守信，于{deadline}前接受回访核查。" + _TAIL),
        "fulfilment_working_days": 60, "reminder_working_days": 5, "ordering": 5,
        "legal_basis": _BASIS_36 + "；" + _BASIS_35,
    },
    {
        "code": "industry_self_discipline", "name": "行业自律型", "name_en": "Industry self-discipline",
        "group": "industry", "eligibility_applies": False, "public_always": False,
        "text_template": (
            "{subject_name}郑重承诺：遵守“{matter_name}”行业自律公约和服务规范，不欺诈、不违约，"
            "于{deadline}前接受{department}的履约评议。" + _TAIL),
        "fulfilment_working_days": 120, "reminder_working_days": 5, "ordering": 6,
        "legal_basis": _BASIS_35 + "（鼓励行业协会商会建立健全行业信用承诺制度）",
    },
]

TYPES_EFFECTIVE_FROM = date(2019, 7, 9)  # 国办发〔2019〕35号 issued


def broken_commitment_fields() -> list[dict[str, Any]]:
    return [
        _f("subject_name", "承诺主体名称", "Subject name", required=True, max_length=200),
        _f("subject_category", "主体类别", "Subject category", "enum", required=True, enum=SUBJECT_CATEGORIES),
        _f("uscc", "统一社会信用代码", "Unified social credit code", "uscc"),
        _f("id_number", "证件号码", "Identity document number", "id_number", personal=True, max_length=50),
        _f("commitment_number", "承诺书编号", "Commitment number", required=True, max_length=100),
        _f("commitment_type", "承诺类型", "Commitment type", "enum", required=True, enum=COMMITMENT_TYPES),
        _f("commitment_matter", "承诺事项", "Matter", required=True, max_length=500),
        _f("commitment_date", "承诺日期", "Committed on", "date", required=True),
        _f("breach_date", "违诺认定日期", "Breach determined on", "date", required=True,
           not_before="commitment_date"),
        _f("breach_facts", "违背承诺的事实", "Facts of the breach", required=True, max_length=4000),
        _f("handling", "处理措施", "Handling", max_length=2000),
        _f("authority_name", "认定单位", "Determining unit", required=True, max_length=200),
        _remarks(),
    ]


def broken_item_row() -> dict[str, Any]:
    return {
        "code": BROKEN_ITEM_CODE, "name": "违背信用承诺信息", "name_en": "Broken credit commitments",
        "subject_kinds": BOTH, "category": "信用承诺及履行情况信息", "record_kind": "other",
        "polarity": "negative", "fields": broken_commitment_fields(), "natural_key": ["commitment_number"],
        "decision_date_field": "breach_date", "disclosure_level": "public", "default_severity": "general",
        "list_type_code": "",
        "legal_basis": _BASIS_35 + "：对违背承诺的，记入信用记录；" + _BASIS_42 + "：虚假承诺的，依法撤销相关决定并"
                       "记入信用记录；" + _BASIS_ZJ,
        "update_frequency": "daily",
    }


def commitments_seed(*, CommitmentType: Any = None, CatalogEdition: Any = None, CatalogItem: Any = None) -> None:
    """Create or update the commitment types and the broken-commitment item (of the seeded 2026 edition,
    and of the current edition when another one is current)."""
    if CommitmentType is None:
        from gongxin.commitments.models import CommitmentType
    if CatalogEdition is None or CatalogItem is None:
        from gongxin.catalog import models

        CatalogEdition = CatalogEdition or models.CatalogEdition
        CatalogItem = CatalogItem or models.CatalogItem
    for row in TYPE_ROWS:
        values = dict(row)
        code = values.pop("code")
        values.setdefault("effective_from", TYPES_EFFECTIVE_FROM)
        CommitmentType.objects.update_or_create(code=code, defaults=values)
    editions = CatalogEdition.objects.filter(code=EDITION["code"]) | CatalogEdition.objects.filter(is_current=True)
    item = broken_item_row()
    values = dict(item)
    code = values.pop("code")
    for edition in editions.distinct():
        CatalogItem.objects.update_or_create(edition=edition, code=code, defaults=values)


def seed_restore() -> None:
    """Seed the commitment types and the broken-commitment item again if a flush emptied
    them (core.seeds); a no-op otherwise."""
    from gongxin.commitments.models import CommitmentType

    if not (CommitmentType.objects.exists()):
        commitments_seed()
