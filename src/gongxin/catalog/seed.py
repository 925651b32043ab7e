"""The catalog and policies every installation starts from (Ningbo, Zhejiang, under the national rules).

Numbers and field labels are those of docs ../shared/reference/credit-rules.md, each policy with its legal
basis. ``catalog_seed`` is idempotent (``update_or_create`` by code), so it runs from the data migration
``catalog/0002_seed`` and may run again (``gongxin demo seed``) to bring rows back to these values. The
model classes are injectable so that a migration passes its historical models; this module therefore
uses only fields that exist since ``catalog/0001_initial``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

# Legal bases, quoted once.
_BASIS_2019 = (
    "国家发展改革委办公厅《关于进一步完善“信用中国”网站及地方信用门户网站行政处罚信息信用修复机制的通知》"
    "（发改办财金〔2019〕527号），2019年7月1日起执行：一般失信行为的行政处罚信息最短公示3个月、最长1年；"
    "严重失信行为的最短6个月、最长3年；轻微失信不予公示。"
)
_BASIS_BEFORE_2019 = (
    "2019年7月1日前没有全国统一的行政处罚信息公示期限。平台对此前作出的决定适用发改办财金〔2019〕527号的期限"
    "（一般失信最短3个月、最长1年；严重失信最短6个月、最长3年；轻微失信不予公示），使历史数据的公示期可以计算和解释。"
)
_BASIS_ORDER_58 = (
    "《失信行为纠正后的信用信息修复管理办法（试行）》（国家发展和改革委员会令第58号），"
    "2023年5月1日起施行：行政处罚信息最短公示期3个月，最长3年；"
    "特种设备、安全生产、消防、食品、药品领域最短公示期1年；多种处罚类型以期限最长者为准。"
)
_BASIS_ORDER_36 = (
    "国家发展和改革委员会令第36号（2026年4月1日起施行）、国办发〔2025〕22号：轻微失信不予公示或最长公示3个月；一般失信最短3个月、最长1年；"
    "严重失信最短1年、最长3年；自处罚决定之日起计算，最长公示期届满自动停止公示。"
)
_BASIS_SAMR_107 = (
    "国家市场监督管理总局令第107号（2025年12月25日起施行）：市场监管领域警告类行政处罚信息不予公示；"
    "轻微违法公示3个月后停止；一般违法最短3个月、最长1年；严重违法最短1年、最长3年。"
)
_BASIS_ZJ = "《浙江省公共信用信息管理条例》"
_BASIS_ZJ_RETENTION = (
    _BASIS_ZJ + "：不良信息自失信行为认定之日起（被判处有期徒刑的自刑罚执行完毕之日起）保存和披露5年，"
    "列入严重失信名单期间相应延长，期满从信用档案中删除；适用简易程序作出的行政处罚信息不属于不良信息。"
)
_BASIS_ZJ_DEADLINES = (
    _BASIS_ZJ + "第三十条、第三十一条：异议自受理之日起5个工作日内处理，经批准延长的合计不超过20个工作日；"
    "国家发展和改革委员会令第36号、国办发〔2025〕22号：信用修复申请平台10个工作日内答复，"
    "认定部门收到后3个工作日内决定；“双公示”：行政许可、行政处罚自决定之日起7个工作日内公示。"
)
_BASIS_SEVERITY = (
    "国家发展和改革委员会令第36号、国家市场监督管理总局令第107号关于失信行为轻微、一般、严重的分类："
    "警告、通报批评、简易程序为轻微；罚款、没收、暂扣许可证件、降低资质等级为一般；"
    "吊销许可证件、责令停产停业、责令关闭、限制从业、限制开展生产经营活动为严重。同一决定多种处罚类型取最重者。"
)

_SPECIAL_DOMAINS = {
    "special_equipment": "特种设备",
    "work_safety": "安全生产",
    "fire": "消防",
    "food": "食品",
    "drugs": "药品",
}


def _regime(*, publish: bool = True, min_months: int = 0, max_months: int = 0) -> dict[str, Any]:
    if not publish:
        return {"publish": False}
    return {"publish": True, "min_months": min_months, "max_months": max_months}


def policy_rows() -> list[dict[str, Any]]:
    """Every seeded policy row as keyword arguments of ``Policy`` (``code`` is the key)."""
    rows: list[dict[str, Any]] = [
        {
            # Older decisions still arrive from departments' archives: they need a computable clock.
            "code": "publicity.cn.before2019",
            "kind": "publicity",
            "name": "行政处罚信息公示期限（2019年7月前作出的决定）",
            "jurisdiction": "CN",
            "domain": "",
            "effective_from": date(1990, 1, 1),
            "effective_to": date(2019, 6, 30),
            "params": {
                "minor": _regime(publish=False),
                "general": _regime(min_months=3, max_months=12),
                "serious": _regime(min_months=6, max_months=36),
            },
            "legal_basis": _BASIS_BEFORE_2019,
        },
        {
            "code": "publicity.cn.2019",
            "kind": "publicity",
            "name": "行政处罚信息公示期限（2019年）",
            "jurisdiction": "CN",
            "domain": "",
            "effective_from": date(2019, 7, 1),
            "effective_to": date(2023, 4, 30),
            "params": {
                "minor": _regime(publish=False),
                "general": _regime(min_months=3, max_months=12),
                "serious": _regime(min_months=6, max_months=36),
            },
            "legal_basis": _BASIS_2019,
        },
        {
            "code": "publicity.cn.order58",
            "kind": "publicity",
            "name": "行政处罚信息公示期限（国家发展改革委令第58号）",
            "jurisdiction": "CN",
            "domain": "",
            "effective_from": date(2023, 5, 1),
            "effective_to": date(2026, 3, 31),
            "params": {s: _regime(min_months=3, max_months=36) for s in ("minor", "general", "serious")},
            "legal_basis": _BASIS_ORDER_58,
        },
    ]
    for domain, label in _SPECIAL_DOMAINS.items():
        rows.append({
            "code": f"publicity.cn.order58.{domain}",
            "kind": "publicity",
            "name": f"行政处罚信息公示期限（国家发展改革委令第58号，{label}领域）",
            "jurisdiction": "CN",
            "domain": domain,
            "effective_from": date(2023, 5, 1),
            "effective_to": date(2026, 3, 31),
            "params": {s: _regime(min_months=12, max_months=36) for s in ("minor", "general", "serious")},
            "legal_basis": _BASIS_ORDER_58,
        })
    rows += [
        {
            "code": "publicity.cn.order36",
            "kind": "publicity",
            "name": "失信信息公示期限（国家发展改革委令第36号）",
            "jurisdiction": "CN",
            "domain": "",
            "effective_from": date(2026, 4, 1),
            "effective_to": None,
            "params": {
                "minor": _regime(min_months=0, max_months=3),
                "general": _regime(min_months=3, max_months=12),
                "serious": _regime(min_months=12, max_months=36),
            },
            "legal_basis": _BASIS_ORDER_36,
        },
        {
            "code": "publicity.cn.samr107",
            "kind": "publicity",
            "name": "市场监管行政处罚信息公示期限（市场监管总局令第107号）",
            "jurisdiction": "CN",
            "domain": "market_regulation",
            "effective_from": date(2025, 12, 25),
            "effective_to": None,
            "params": {
                "minor": _regime(min_months=0, max_months=3),
                "general": _regime(min_months=3, max_months=12),
                "serious": _regime(min_months=12, max_months=36),
                "unpublished_penalty_types": ["警告"],
            },
            "legal_basis": _BASIS_SAMR_107,
        },
        {
            "code": "retention.zj",
            "kind": "retention",
            "name": "浙江省不良信息保存期限",
            "jurisdiction": "CN-ZJ",
            "domain": "",
            "effective_from": date(1990, 1, 1),
            "effective_to": None,
            "params": {"years": 5},
            "legal_basis": _BASIS_ZJ_RETENTION,
        },
        {
            "code": "severity_map.cn",
            "kind": "severity_map",
            "name": "处罚类别与失信严重程度对应",
            "jurisdiction": "CN",
            "domain": "",
            "effective_from": date(1990, 1, 1),
            "effective_to": None,
            "params": {
                "minor": ["警告", "通报批评"],
                "general": ["罚款", "没收违法所得", "没收非法财物", "暂扣许可证件", "降低资质等级"],
                "serious": ["吊销许可证件", "责令停产停业", "责令关闭", "限制从业", "限制开展生产经营活动"],
                "aliases": {
                    "吊销营业执照": "吊销许可证件",
                    "吊销执照": "吊销许可证件",
                    "暂扣营业执照": "暂扣许可证件",
                    "暂扣执照": "暂扣许可证件",
                },
            },
            "legal_basis": _BASIS_SEVERITY,
        },
        {
            "code": "deadlines.zj",
            "kind": "deadlines",
            "name": "浙江省异议、信用修复与“双公示”时限",
            "jurisdiction": "CN-ZJ",
            "domain": "",
            "effective_from": date(2018, 1, 1),
            "effective_to": None,
            "params": {
                "objection_decide_working_days": 5,
                "objection_max_working_days": 20,
                "repair_department_working_days": 3,
                "repair_platform_working_days": 10,
                "double_publicity_working_days": 7,
                # The share of a unit's records of an item in force that a full snapshot may revoke without the
                # credit office's review (ingest.snapshot, decision 057).
                "snapshot_revoke_max_share": 0.1,
            },
            "legal_basis": _BASIS_ZJ_DEADLINES,
        },
    ]
    return rows


# --- field schemas -------------------------------------------------------------------------------------

def _f(code: str, label: str, label_en: str, type_: str = "text", *, required: bool = False,
       personal: bool = False, **extra: Any) -> dict[str, Any]:
    field: dict[str, Any] = {
        "code": code, "label": label, "label_en": label_en, "type": type_, "required": required,
        "personal": personal,
    }
    field.update(extra)
    return field


def _enum(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"code": code, "label": label} for code, label in pairs]


SUBJECT_CATEGORIES = _enum(
    ("organization", "法人及非法人组织"), ("person", "自然人"), ("individual_business", "个体工商户"),
)
LICENCE_CATEGORIES = _enum(
    ("ordinary", "普通"), ("franchise", "特许"), ("recognition", "认可"), ("approval", "核准"),
    ("registration", "登记"), ("other", "其他"),
)
COMMITMENT_TYPES = _enum(
    ("approval_substitute", "审批替代型"), ("deficiency_tolerance", "容缺办理型"),
    ("certification_notice", "证明事项告知承诺型"), ("voluntary_public", "主动公示型"),
    ("repair", "修复型"), ("industry_self_discipline", "行业自律型"),
)
PROCEDURES = _enum(("general", "普通程序"), ("summary", "简易程序"))


def _subject_fields(*, with_codes: bool = True, uscc_required: bool = False) -> list[dict[str, Any]]:
    fields = [
        _f("subject_name", "行政相对人名称", "Subject name", required=True, max_length=200),
        _f("subject_category", "行政相对人类别", "Subject category", "enum", required=True, enum=SUBJECT_CATEGORIES),
        _f("uscc", "统一社会信用代码", "Unified social credit code", "uscc", required=uscc_required),
    ]
    if with_codes:  # older identifiers carried by the national standard as 行政相对人代码_2 … _6
        fields += [
            _f("business_registration_number", "工商注册号", "Business registration number", max_length=50,
               aliases=["行政相对人代码_2（工商注册号）", "行政相对人代码_2"]),
            _f("organization_code", "组织机构代码", "Organization code", max_length=50,
               aliases=["行政相对人代码_3（组织机构代码）", "行政相对人代码_3"]),
            _f("tax_registration_number", "税务登记号", "Tax registration number", max_length=50,
               aliases=["行政相对人代码_4（税务登记号）", "行政相对人代码_4"]),
            _f("public_institution_certificate_number", "事业单位证书号", "Public institution certificate number",
               max_length=50, aliases=["行政相对人代码_5（事业单位证书号）", "行政相对人代码_5"]),
            _f("social_organization_registration_number", "社会组织登记证号",
               "Social organization registration number", max_length=50,
               aliases=["行政相对人代码_6（社会组织登记证号）", "行政相对人代码_6"]),
        ]
    fields += [
        _f("legal_representative", "法定代表人", "Legal representative", max_length=100),
        _f("id_type", "证件类型", "Identity document type", max_length=50),
        _f("id_number", "证件号码", "Identity document number", "id_number", personal=True, max_length=50),
    ]
    return fields


def _source_fields(authority_label: str, authority_en: str) -> list[dict[str, Any]]:
    return [
        _f("authority_name", authority_label, authority_en, required=True, max_length=200),
        _f("authority_uscc", f"{authority_label}统一社会信用代码", f"{authority_en} USCC", "uscc", required=True),
        _f("data_source_unit", "数据来源单位", "Data source unit", required=True, max_length=200),
        _f("data_source_uscc", "数据来源单位统一社会信用代码", "Data source unit USCC", "uscc", required=True),
    ]


def _remarks() -> dict[str, Any]:
    return _f("remarks", "备注", "Remarks", max_length=2000)


def penalty_fields() -> list[dict[str, Any]]:
    return [
        *_subject_fields(),
        _f("decision_number", "行政处罚决定书文号", "Penalty decision number", required=True, max_length=200),
        _f("violation_type", "违法行为类型", "Type of violation", required=True, max_length=500),
        _f("violation_facts", "违法事实", "Facts of the violation", required=True, max_length=5000),
        _f("penalty_basis", "处罚依据", "Legal basis of the penalty", required=True, max_length=2000),
        _f("penalty_types", "处罚类别", "Penalty types", required=True, max_length=200),
        _f("penalty_content", "处罚内容", "Content of the penalty", required=True, max_length=4000),
        _f("fine_amount", "罚款金额（万元）", "Fine (10,000 yuan)", "money_wan", aliases=["罚款金额(万元)"]),
        _f("confiscation_amount", "没收违法所得、没收非法财物的金额（万元）",
           "Confiscated illegal gains and property (10,000 yuan)", "money_wan",
           aliases=["没收违法所得、没收非法财物的金额(万元)"]),
        _f("licence_suspended", "暂扣或吊销证照名称及编号", "Licence suspended or revoked (name and number)",
           max_length=500),
        _f("decision_date", "处罚决定日期", "Decision date", "date", required=True),
        _f("penalty_valid_until", "处罚有效期", "Penalty valid until", "date", required=True,
           not_before="decision_date"),
        _f("publicity_deadline", "公示截止期", "Publicity deadline", "date", not_before="decision_date"),
        *_source_fields("处罚机关", "Penalty authority"),
        _remarks(),
        _f("procedure", "适用程序", "Procedure", "enum", enum=PROCEDURES),
    ]


def licence_fields() -> list[dict[str, Any]]:
    return [
        *_subject_fields(),
        _f("licence_document_name", "行政许可决定文书名称", "Licence decision document", required=True,
           max_length=200),
        _f("licence_decision_number", "行政许可决定文书号", "Licence decision number", required=True,
           max_length=200),
        _f("licence_category", "许可类别", "Licence category", "enum", required=True, enum=LICENCE_CATEGORIES),
        _f("certificate_name", "许可证书名称", "Certificate name", max_length=200),
        _f("licence_number", "许可编号", "Licence number", max_length=200),
        _f("licence_content", "许可内容", "Content of the licence", required=True, max_length=4000),
        _f("decision_date", "许可决定日期", "Decision date", "date", required=True),
        _f("valid_from", "有效期自", "Valid from", "date", required=True),
        # 2099-12-31 means long-term.
        _f("valid_to", "有效期至", "Valid to", "date", required=True, not_before="valid_from"),
        *_source_fields("许可机关", "Licensing authority"),
        _f("current_status", "当前状态", "Current status", max_length=50),
        _remarks(),
    ]


def serious_dishonesty_fields() -> list[dict[str, Any]]:
    return [
        _f("subject_name", "主体名称", "Subject name", required=True, max_length=200),
        _f("subject_category", "主体类别", "Subject category", "enum", required=True, enum=SUBJECT_CATEGORIES),
        _f("uscc", "统一社会信用代码", "Unified social credit code", "uscc"),
        _f("legal_representative", "法定代表人", "Legal representative", max_length=100),
        _f("id_type", "证件类型", "Identity document type", max_length=50),
        _f("id_number", "证件号码", "Identity document number", "id_number", personal=True, max_length=50),
        _f("list_name", "名单名称", "List", required=True, max_length=200),
        _f("decision_number", "认定文书号", "Listing decision number", required=True, max_length=200),
        _f("listing_reason", "列入事由", "Reason for listing", required=True, max_length=4000),
        _f("listing_basis", "列入依据", "Legal basis of listing", required=True, max_length=2000),
        _f("listing_date", "列入日期", "Listing date", "date", required=True),
        _f("planned_exit_date", "移出日期", "Planned exit date", "date", not_before="listing_date"),
        _f("authority_name", "认定部门", "Listing authority", required=True, max_length=200),
        _f("authority_uscc", "认定部门统一社会信用代码", "Listing authority USCC", "uscc"),
        _remarks(),
    ]


def judgment_debtor_fields() -> list[dict[str, Any]]:
    return [
        _f("subject_name", "被执行人姓名/名称", "Debtor name", required=True, max_length=200),
        _f("subject_category", "主体类别", "Subject category", "enum", required=True, enum=SUBJECT_CATEGORIES),
        _f("uscc", "统一社会信用代码", "Unified social credit code", "uscc"),
        _f("id_number", "身份证号码", "Resident identity number", "id_number", personal=True, max_length=50),
        _f("legal_representative", "法定代表人或者负责人姓名", "Legal representative", max_length=100),
        _f("case_number", "案号", "Case number", required=True, max_length=100),
        _f("court", "执行法院", "Enforcing court", required=True, max_length=200),
        _f("basis_document_number", "执行依据文号", "Enforcement basis document", max_length=200),
        _f("basis_unit", "做出执行依据单位", "Issuer of the enforcement basis", max_length=200),
        _f("obligation", "生效法律文书确定的义务", "Obligation under the effective judgment", required=True,
           max_length=4000),
        _f("performance_status", "被执行人的履行情况", "Performance", max_length=200),
        _f("dishonesty_circumstances", "失信被执行人行为具体情形", "Circumstances of dishonesty", required=True,
           max_length=2000),
        _f("filing_date", "立案时间", "Case filed on", "date"),
        _f("listing_date", "发布时间", "Listing date", "date", required=True),
        _remarks(),
    ]


def voluntary_performance_fields() -> list[dict[str, Any]]:
    return [
        _f("subject_name", "当事人名称", "Party name", required=True, max_length=200),
        _f("subject_category", "主体类别", "Subject category", "enum", required=True, enum=SUBJECT_CATEGORIES),
        _f("uscc", "统一社会信用代码", "Unified social credit code", "uscc"),
        _f("id_number", "身份证号码", "Resident identity number", "id_number", personal=True, max_length=50),
        _f("case_number", "案号", "Case number", required=True, max_length=100),
        _f("court", "法院", "Court", required=True, max_length=200),
        _f("performance_content", "履行内容", "What was performed", max_length=2000),
        _f("performance_amount", "履行金额（元）", "Amount performed (yuan)", "decimal"),
        _f("performance_date", "履行日期", "Performed on", "date", required=True),
        _remarks(),
    ]


def honour_fields() -> list[dict[str, Any]]:
    return [
        _f("subject_name", "主体名称", "Subject name", required=True, max_length=200),
        _f("subject_category", "主体类别", "Subject category", "enum", required=True, enum=SUBJECT_CATEGORIES),
        _f("uscc", "统一社会信用代码", "Unified social credit code", "uscc"),
        _f("id_number", "证件号码", "Identity document number", "id_number", personal=True, max_length=50),
        _f("honour_name", "荣誉名称", "Honour", required=True, max_length=200),
        _f("honour_level", "荣誉级别", "Level", max_length=50),
        _f("decision_number", "认定文号", "Award decision number", required=True, max_length=200),
        _f("awarding_authority", "授予单位", "Awarding authority", required=True, max_length=200),
        _f("award_date", "认定日期", "Awarded on", "date", required=True),
        _f("valid_until", "有效期至", "Valid until", "date", not_before="award_date"),
        _remarks(),
    ]


def tax_grade_a_fields() -> list[dict[str, Any]]:
    return [
        _f("subject_name", "纳税人名称", "Taxpayer name", required=True, max_length=200),
        _f("uscc", "统一社会信用代码", "Unified social credit code", "uscc", required=True),
        _f("evaluation_year", "评价年度", "Year evaluated", required=True, max_length=4),
        _f("grade", "纳税信用级别", "Tax credit grade", "enum", required=True, enum=_enum(("A", "A级"))),
        _f("tax_authority", "评价机关", "Tax authority", required=True, max_length=200),
        _f("publish_date", "发布日期", "Published on", "date", required=True),
        _remarks(),
    ]


def commitment_fields() -> list[dict[str, Any]]:
    return [
        _f("subject_name", "承诺主体名称", "Subject name", required=True, max_length=200),
        _f("subject_category", "主体类别", "Subject category", "enum", required=True, enum=SUBJECT_CATEGORIES),
        _f("uscc", "统一社会信用代码", "Unified social credit code", "uscc"),
        _f("id_number", "证件号码", "Identity document number", "id_number", personal=True, max_length=50),
        _f("commitment_number", "承诺书编号", "Commitment number", required=True, max_length=100),
        _f("commitment_type", "承诺类型", "Commitment type", "enum", required=True, enum=COMMITMENT_TYPES),
        _f("commitment_matter", "承诺事项", "Matter", required=True, max_length=500),
        _f("commitment_content", "承诺内容", "Content of the commitment", required=True, max_length=4000),
        _f("receiving_unit", "承诺受理单位", "Receiving unit", required=True, max_length=200),
        _f("commitment_date", "承诺日期", "Committed on", "date", required=True),
        _f("fulfilment_deadline", "履约期限", "Fulfil by", "date", not_before="commitment_date"),
        _remarks(),
    ]


RELATION_KINDS = _enum(
    ("legal_representative", "法定代表人"), ("shareholder", "股东（发起人）"), ("executive", "主要人员"),
    ("branch", "分支机构"), ("actual_controller", "实际控制人"),
)
PARTY_CATEGORIES = _enum(("organization", "法人及非法人组织"), ("person", "自然人"))


def registration_relation_fields() -> list[dict[str, Any]]:
    """One relation of a registered organization (企业登记关联关系): who is its legal representative, a shareholder
    with the share held, an executive, a branch of it, its actual controller. The record is about the organization;
    the party is named by its USCC or, for a natural person, its identity number (personal: sealed at rest)."""
    return [
        _f("subject_name", "企业名称", "Organization name", required=True, max_length=200),
        _f("subject_category", "主体类别", "Subject category", "enum", required=True, enum=SUBJECT_CATEGORIES),
        _f("uscc", "统一社会信用代码", "Unified social credit code", "uscc", required=True),
        _f("relation_number", "关系登记编号", "Relation registration number", required=True, max_length=100),
        _f("relation_kind", "关系类型", "Relation", "enum", required=True, enum=RELATION_KINDS),
        _f("party_name", "关联方名称/姓名", "Related party", required=True, max_length=200),
        _f("party_category", "关联方类别", "Related party category", "enum", required=True, enum=PARTY_CATEGORIES),
        _f("party_uscc", "关联方统一社会信用代码", "Related party USCC", "uscc"),
        _f("party_id_number", "关联方证件号码", "Related party identity number", "id_number", personal=True,
           max_length=50),
        _f("share_ratio", "持股比例（%）", "Share held (%)", "decimal", aliases=["持股比例(%)", "出资比例（%）"]),
        _f("position", "职务", "Position", max_length=100),
        _f("start_date", "起始日期", "Start date", "date", required=True),
        _f("end_date", "终止日期", "End date", "date", not_before="start_date"),
        _f("authority_name", "登记机关", "Registration authority", required=True, max_length=200),
        _remarks(),
    ]


RELATION_ITEM = {
    "code": "registration_relation", "name": "企业登记关联关系信息", "name_en": "Registration relations",
    "subject_kinds": ["organization"], "category": "基础信息", "record_kind": "basic", "polarity": "neutral",
    "fields": registration_relation_fields(), "natural_key": ["relation_number"], "decision_date_field": "start_date",
    "disclosure_level": "shared", "default_severity": "", "list_type_code": "",
    "legal_basis": "《中华人民共和国市场主体登记管理条例》第八条、第九条"
                   "（法定代表人、股东、主要人员、分支机构登记事项）；《企业信息公示暂行条例》；"
                   "《最高人民法院关于限制被执行人高消费及有关消费的若干规定》第三条；" + _BASIS_ZJ,
    "update_frequency": "daily",
}

BOTH = ["organization", "person"]


def item_rows() -> list[dict[str, Any]]:
    """Every seeded catalog item of edition "2026" as keyword arguments of ``CatalogItem``."""
    return [
        {
            "code": "penalty", "name": "行政处罚信息", "name_en": "Administrative penalties",
            "subject_kinds": BOTH, "category": "行政管理信息", "record_kind": "penalty", "polarity": "negative",
            "fields": penalty_fields(), "natural_key": ["decision_number"], "decision_date_field": "decision_date",
            "disclosure_level": "public", "default_severity": "general", "list_type_code": "",
            "legal_basis": "《中华人民共和国行政处罚法》第四十八条；“双公示”数据标准；" + _BASIS_ZJ,
            "update_frequency": "daily",
        },
        {
            "code": "licence", "name": "行政许可信息", "name_en": "Administrative licences",
            "subject_kinds": BOTH, "category": "行政管理信息", "record_kind": "licence", "polarity": "positive",
            "fields": licence_fields(), "natural_key": ["licence_decision_number"],
            "decision_date_field": "decision_date", "disclosure_level": "public", "default_severity": "",
            "list_type_code": "",
            "legal_basis": "《中华人民共和国行政许可法》第四十条；“双公示”数据标准；" + _BASIS_ZJ,
            "update_frequency": "daily",
        },
        {
            "code": "serious_dishonesty_list", "name": "严重失信主体名单信息",
            "name_en": "Serious dishonesty list entries", "subject_kinds": BOTH,
            "category": "严重失信主体名单信息", "record_kind": "serious_dishonesty", "polarity": "negative",
            "fields": serious_dishonesty_fields(), "natural_key": ["decision_number"],
            "decision_date_field": "listing_date", "disclosure_level": "public", "default_severity": "serious",
            "list_type_code": "serious_dishonesty",
            "legal_basis": "《国务院办公厅关于进一步完善失信约束制度构建诚信建设长效机制的指导意见》"
                           "（国办发〔2020〕49号）；" + _BASIS_ZJ,
            "update_frequency": "daily",
        },
        {
            "code": "judgment_debtor", "name": "失信被执行人信息", "name_en": "Dishonest judgment debtors",
            "subject_kinds": BOTH, "category": "司法裁判及执行信息", "record_kind": "judgment_debtor",
            "polarity": "negative", "fields": judgment_debtor_fields(),
            "natural_key": ["case_number", "subject_name"], "decision_date_field": "listing_date",
            "disclosure_level": "public", "default_severity": "serious", "list_type_code": "judgment_debtor",
            "legal_basis": "《最高人民法院关于公布失信被执行人名单信息的若干规定》；" + _BASIS_ZJ,
            "update_frequency": "daily",
        },
        {
            "code": "voluntary_performance", "name": "自动履行生效法律文书信息",
            "name_en": "Voluntary performance of judgments", "subject_kinds": BOTH,
            "category": "司法裁判及执行信息", "record_kind": "voluntary_performance", "polarity": "positive",
            "fields": voluntary_performance_fields(), "natural_key": ["case_number", "subject_name"],
            "decision_date_field": "performance_date", "disclosure_level": "public", "default_severity": "",
            "list_type_code": "",
            "legal_basis": "宁波市自动履行生效法律文书正向激励机制（2019年起）；" + _BASIS_ZJ,
            "update_frequency": "weekly",
        },
        {
            "code": "honour", "name": "诚实守信相关荣誉信息（红名单）", "name_en": "Honours (red list)",
            "subject_kinds": BOTH, "category": "诚实守信相关荣誉信息", "record_kind": "honour",
            "polarity": "positive", "fields": honour_fields(), "natural_key": ["decision_number", "subject_name"],
            "decision_date_field": "award_date", "disclosure_level": "public", "default_severity": "",
            "list_type_code": "red_list", "legal_basis": _BASIS_ZJ + "（守信激励）",
            "update_frequency": "monthly",
        },
        {
            "code": "tax_grade_a", "name": "纳税信用A级纳税人信息", "name_en": "Tax credit grade A taxpayers",
            "subject_kinds": ["organization"], "category": "信用评价结果信息", "record_kind": "tax_grade_a",
            "polarity": "positive", "fields": tax_grade_a_fields(), "natural_key": ["uscc", "evaluation_year"],
            "decision_date_field": "publish_date", "disclosure_level": "public", "default_severity": "",
            "list_type_code": "", "legal_basis": "《纳税信用管理办法》（国家税务总局）；" + _BASIS_ZJ,
            "update_frequency": "yearly",
        },
        dict(RELATION_ITEM),
        {
            "code": "commitment", "name": "信用承诺信息", "name_en": "Credit commitments",
            "subject_kinds": BOTH, "category": "信用承诺及履行情况信息", "record_kind": "commitment",
            "polarity": "neutral", "fields": commitment_fields(), "natural_key": ["commitment_number"],
            "decision_date_field": "commitment_date", "disclosure_level": "public", "default_severity": "",
            "list_type_code": "",
            "legal_basis": "《国务院办公厅关于加快推进社会信用体系建设构建以信用为基础的新型监管机制的指导意见》"
                           "（国办发〔2019〕35号）；" + _BASIS_ZJ,
            "update_frequency": "daily",
        },
    ]


EDITION = {"code": "2026", "name": "宁波市公共信用信息目录（2026年版）", "effective_from": date(2026, 1, 1)}


def catalog_seed(*, Policy: Any = None, CatalogEdition: Any = None, CatalogItem: Any = None) -> None:
    """Create or update the seeded policies, the 2026 edition (current when no other is) and its items."""
    if Policy is None or CatalogEdition is None or CatalogItem is None:
        from gongxin.catalog import models

        Policy = Policy or models.Policy
        CatalogEdition = CatalogEdition or models.CatalogEdition
        CatalogItem = CatalogItem or models.CatalogItem

    for row in policy_rows():
        values = dict(row)
        code = values.pop("code")
        Policy.objects.update_or_create(code=code, defaults=values)

    edition, _ = CatalogEdition.objects.update_or_create(
        code=EDITION["code"], defaults={"name": EDITION["name"], "effective_from": EDITION["effective_from"]},
    )
    # Current unless an operator has since made another edition current.
    if not CatalogEdition.objects.filter(is_current=True).exists():
        CatalogEdition.objects.filter(pk=edition.pk).update(is_current=True)
    for row in item_rows():
        values = dict(row)
        code = values.pop("code")
        CatalogItem.objects.update_or_create(edition=edition, code=code, defaults=values)


def seed_restore() -> None:
    """Seed the catalog's first edition and the policies again if a flush emptied them (core.seeds); a no-op
    otherwise."""
    from gongxin.catalog.models import CatalogItem

    if not (CatalogItem.objects.exists()):
        catalog_seed()
