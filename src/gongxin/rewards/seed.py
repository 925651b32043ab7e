"""Seed data of the rewards app: the measures of the rules reference (joint punishment of dishonest
judgment debtors and serious-dishonesty-list subjects; incentives for the red list, grade A and
voluntary performance), each with its legal basis. Measures apply to matters by matter type, so they
need no registered matter; staff map further matters by code.
"""

from __future__ import annotations

from datetime import date
from typing import Any

EFFECTIVE_FROM = date(2026, 1, 1)

_JD_LIST = "《最高人民法院关于公布失信被执行人名单信息的若干规定》（法释〔2017〕7号）第八条"
_JD_JOINT = "《关于加快推进失信被执行人信用监督、警示和惩戒机制建设的意见》（中办发〔2016〕64号）"
_JD_MEMO = "《关于对失信被执行人实施联合惩戒的合作备忘录》（发改财金〔2016〕141号）"
_SD = "《国务院办公厅关于进一步完善失信约束制度构建诚信建设长效机制的指导意见》（国办发〔2020〕49号）"
_BASE_LIST = "《全国失信惩戒措施基础清单》（国家发展改革委、中国人民银行发布）"
_JOINT_2016 = "《国务院关于建立完善守信联合激励和失信联合惩戒制度加快推进社会诚信建设的指导意见》（国发〔2016〕33号）"
_NEW_SUPERVISION = ("《国务院办公厅关于加快推进社会信用体系建设构建以信用为基础的新型监管机制的指导意见》"
                     "（国办发〔2019〕35号）")
_ZJ = "《浙江省公共信用信息管理条例》"

MEASURES: list[dict[str, Any]] = [
    # --- punishments: dishonest judgment debtors (the court's list) -----------------------------------
    {
        "code": "jd.high_consumption", "name": "限制高消费及非生活和工作必需的消费",
        "kind": "punishment", "measure_class": "legal", "trigger": "judgment_debtor",
        "matter_types": ["consumption"], "department": "人民法院；各消费场所监管部门",
        "legal_basis": "《最高人民法院关于限制被执行人高消费及有关消费的若干规定》（法释〔2015〕17号）"
                       "第三条；" + _JD_LIST,
        "content": "不得乘坐飞机、列车软卧、轮船二等以上舱位；不得在星级以上宾馆、酒店、夜总会、"
                   "高尔夫球场等场所进行高消费；"
                   "不得购买不动产或者新建、扩建、高档装修房屋；不得旅游、度假等。",
    },
    {
        "code": "jd.procurement", "name": "限制参与政府采购活动",
        "kind": "punishment", "measure_class": "legal", "trigger": "judgment_debtor",
        "matter_types": ["procurement"], "department": "财政部门",
        "legal_basis": "《中华人民共和国政府采购法》第二十二条；"
                       "《财政部关于在政府采购活动中查询及使用信用记录有关问题的通知》"
                       "（财库〔2016〕125号）；" + _JD_LIST,
        "content": "列入失信被执行人名单的供应商，拒绝其参与政府采购活动。",
    },
    {
        "code": "jd.bidding", "name": "限制参与招标投标",
        "kind": "punishment", "measure_class": "legal", "trigger": "judgment_debtor",
        "matter_types": ["bidding"], "department": "发展改革部门；各行业招标投标监督部门",
        "legal_basis": "《中华人民共和国招标投标法实施条例》；" + _JD_MEMO + "；" + _JD_LIST,
        "content": "依法限制失信被执行人作为投标人参与招标投标活动。",
    },
    {
        "code": "jd.subsidy", "name": "限制申请政府补贴资金和政策支持",
        "kind": "punishment", "measure_class": "legal", "trigger": "judgment_debtor",
        "matter_types": ["subsidy"], "department": "财政部门；发展改革部门；各资金主管部门",
        "legal_basis": _JD_JOINT + "；" + _JD_LIST,
        "content": "限制失信被执行人申请政府补贴资金、社会保障资金支持和政府扶持政策。",
    },
    {
        "code": "jd.office", "name": "限制担任公司法定代表人、董事、监事、高级管理人员",
        "kind": "punishment", "measure_class": "legal", "trigger": 'judgment_debtor && subject_kind == "person"',
        "matter_types": ["office"], "department": "市场监督管理部门；国有资产监督管理部门",
        "legal_basis": "《中华人民共和国公司法》（2023年修订）第一百七十八条；" + _JD_JOINT,
        "content": "个人所负数额较大的债务到期未清偿被人民法院列为失信被执行人的，"
                   "不得担任公司的董事、监事、高级管理人员。",
    },
    # --- punishments that follow a firm's listing to its people (rewards.related, decision 071) ----------
    {
        "code": "jd.legal_rep.high_consumption",
        "name": "限制失信被执行人（单位）的法定代表人、实际控制人高消费及非生活和工作必需的消费",
        "kind": "punishment", "measure_class": "legal",
        "trigger": 'subject_kind == "person" && (legal_rep_of_judgment_debtor || controller_of_judgment_debtor)',
        "matter_types": ["consumption"], "department": "人民法院；各消费场所监管部门",
        "legal_basis": "《最高人民法院关于限制被执行人高消费及有关消费的若干规定》（法释〔2015〕17号）第三条第二款："
                       "被执行人为单位的，被采取限制消费措施后，被执行人及其法定代表人、主要负责人、"
                       "影响债务履行的直接责任人员、实际控制人不得实施前款规定的行为；" + _JD_LIST,
        "content": "失信被执行人为单位的，其法定代表人、实际控制人不得乘坐飞机、列车软卧、轮船二等以上舱位；"
                   "不得在星级以上宾馆、酒店、夜总会、高尔夫球场等场所进行高消费；不得购买不动产或者新建、扩建、"
                   "高档装修房屋；不得旅游、度假等。依据为该单位列入失信被执行人名单及其担任的职务（关联路径）。",
    },
    {
        "code": "sd.founded_while_listed", "name": "列入严重失信主体名单期间设立或投资企业：重点关注",
        "kind": "punishment", "measure_class": "management", "trigger": "founded_while_listed",
        "matter_types": ["licence", "inspection"], "department": "市场监督管理部门；各行政管理部门",
        "legal_basis": _SD + "（对失信主体加强监管）；" + _NEW_SUPERVISION + "；" + _ZJ,
        "content": "在列入严重失信主体名单期间担任企业法定代表人或者成为股东的，"
                   "在行政审批和日常监管中列为重点关注对象，适当提高抽查比例和频次。",
    },
    # --- punishments: serious dishonesty lists --------------------------------------------------------
    {
        "code": "sd.procurement", "name": "严重失信主体限制参与政府采购和招标投标",
        "kind": "punishment", "measure_class": "legal", "trigger": '"serious_dishonesty" in lists',
        "matter_types": ["procurement", "bidding"], "department": "财政部门；发展改革部门",
        "legal_basis": "《中华人民共和国政府采购法》第二十二条；"
                       "《财政部关于在政府采购活动中查询及使用信用记录有关问题的通知》"
                       "（财库〔2016〕125号）；" + _SD + "；" + _BASE_LIST,
        "content": "依法依规限制列入严重失信主体名单的主体参与政府采购和招标投标活动。",
    },
    {
        "code": "sd.subsidy", "name": "严重失信主体限制申请财政性资金项目",
        "kind": "punishment", "measure_class": "legal", "trigger": '"serious_dishonesty" in lists',
        "matter_types": ["subsidy"], "department": "财政部门；各资金主管部门",
        "legal_basis": _SD + "；" + _BASE_LIST,
        "content": "依法依规限制申请财政性资金项目和政府补贴。",
    },
    {
        "code": "sd.office", "name": "严重失信主体相关责任人限制任职",
        "kind": "punishment", "measure_class": "legal", "trigger": '"serious_dishonesty" in lists',
        "matter_types": ["office"], "department": "组织人事部门；国有资产监督管理部门",
        "legal_basis": _SD + "；" + _BASE_LIST,
        "content": "依法依规限制担任国有企业法定代表人、董事、监事和事业单位法定代表人。",
    },
    {
        "code": "sd.consumption", "name": "严重失信主体限制高消费",
        "kind": "punishment", "measure_class": "management", "trigger": '"serious_dishonesty" in lists',
        "matter_types": ["consumption"], "department": "各消费场所监管部门",
        "legal_basis": _JOINT_2016 + "；" + _BASE_LIST,
        "content": "依据有关领域法律法规限制乘坐飞机、高铁一等座等高消费行为。",
    },
    # --- punishments: unrepaired negative records (tiered supervision) -----------------------------
    {
        "code": "neg.serious_supervision", "name": "存在未修复严重失信记录：列为重点监管对象，提高抽查比例",
        "kind": "punishment", "measure_class": "management", "trigger": "unrepaired_serious",
        "matter_types": ["inspection", "licence"], "department": "各行政管理部门",
        "legal_basis": _NEW_SUPERVISION + "；" + _ZJ,
        "content": "对存在未修复严重失信行为记录的主体，在日常监管中列为重点监管对象，提高抽查比例和频次；"
                   "不适用告知承诺制等便利措施。",
    },
    {
        "code": "neg.general_review", "name": "存在一般失信记录：审批中予以重点关注",
        "kind": "punishment", "measure_class": "management", "trigger": "negative_general > 0",
        "matter_types": ["licence"], "department": "各行政审批部门",
        "legal_basis": _NEW_SUPERVISION,
        "content": "在行政审批中对存在一般失信记录的主体加强审查，视情况不予适用容缺受理。",
    },
    # --- rewards ----------------------------------------------------------------------------------
    {
        "code": "red.green_channel", "name": "守信激励对象：行政审批“绿色通道”、优先办理",
        "kind": "reward", "measure_class": "management", "trigger": "red_list && !serious_dishonesty",
        "matter_types": ["licence", "subsidy", "public_service"], "department": "各行政审批部门",
        "legal_basis": _JOINT_2016 + "；" + _ZJ,
        "content": "对列入红名单的主体在行政审批中开辟绿色通道，优先办理、简化程序。",
    },
    {
        "code": "red.document_tolerance", "name": "守信激励对象：容缺受理",
        "kind": "reward", "measure_class": "management",
        "trigger": "(red_list || voluntary_performance > 0) && !serious_dishonesty && !unrepaired_serious",
        "matter_types": ["licence"], "department": "各行政审批部门",
        "legal_basis": _JOINT_2016 + "；" + _NEW_SUPERVISION,
        "content": "非关键申请材料暂缺时，在作出承诺后先行受理、容缺办理。",
    },
    {
        "code": "grade_a.fewer_inspections", "name": "信用风险分类A类（优秀）：降低抽查比例和频次",
        "kind": "reward", "measure_class": "management",
        "trigger": 'subject_kind == "organization" && score_level == "A" && !serious_dishonesty',
        "matter_types": ["inspection"], "department": "各行政管理部门",
        "legal_basis": "《国务院关于加强和规范事中事后监管的指导意见》（国发〔2019〕18号）；"
                       + _NEW_SUPERVISION + "；" + _ZJ,
        "content": "信用等级为A的主体，“双随机、一公开”抽查比例原则上每年不超过5%。",
    },
    {
        "code": "grade_a.green_channel", "name": "公共信用评价优秀（A类）：优先办理、简化程序",
        "kind": "reward", "measure_class": "management",
        "trigger": 'subject_kind == "organization" && score_level == "A" && !serious_dishonesty',
        "matter_types": ["licence", "public_service", "subsidy"], "department": "各行政审批部门",
        "legal_basis": _JOINT_2016 + "；" + _ZJ,
        "content": "在行政审批、公共服务中给予优先办理、简化程序等便利。",
    },
    {
        "code": "vp.fewer_inspections", "name": "自动履行生效法律文书：减少检查频次",
        "kind": "reward", "measure_class": "management",
        "trigger": "voluntary_performance > 0 && !serious_dishonesty",
        "matter_types": ["inspection"], "department": "各行政管理部门",
        "legal_basis": "宁波市自动履行生效法律文书正向激励机制（2019年起施行）；" + _JOINT_2016,
        "content": "对自动履行生效法律文书的主体，在日常监管中适当减少检查频次。",
    },
    {
        "code": "vp.credit_loan", "name": "守信主体：信用贷款优惠",
        "kind": "reward", "measure_class": "market",
        "trigger": "(voluntary_performance > 0 || red_list) && !serious_dishonesty",
        "matter_types": ["finance"], "department": "金融机构（中国人民银行宁波市分行指导）",
        "legal_basis": _JOINT_2016 + "（在融资授信中给予优惠）；" + _ZJ,
        "content": "金融机构在信贷审批中给予信用贷款、利率和额度优惠。",
    },
]


def measures_seed(*, Measure: Any = None, MeasureVersion: Any = None, RulesState: Any = None,
                  now: Any = None) -> int:
    """Idempotent: creates each seeded measure with version 1 when its code does not exist yet (a measure
    staff have changed keeps its versions). Usable from a data migration (pass the historical models)."""
    if Measure is None:
        from gongxin.rewards.models import Measure, MeasureVersion, RulesState
    if now is None:
        from gongxin.core import clock

        now = clock.now()
    created = 0
    for values in MEASURES:
        values = dict(values)
        code = values.pop("code")
        if Measure.objects.filter(code=code).exists():
            continue
        measure = Measure.objects.create(code=code, created_at=now)
        version = MeasureVersion.objects.create(
            measure=measure, number=1, effective_from=EFFECTIVE_FROM, actor_label="seed", created_at=now, **values,
        )
        Measure.objects.filter(pk=measure.pk).update(current_version=version)
        created += 1
    state, _ = RulesState.objects.get_or_create(pk=1, defaults={"version": 0})
    RulesState.objects.filter(pk=1).update(version=state.version + 1, changed_at=now)
    return created


# A demo registry: the city finance bureau's procurement and subsidy system with one matter per type the
# seeded measures use (demo seeding calls registry_demo_seed; production registers its own systems).
DEMO_DEPARTMENT = {"code": "NB-CZJ", "name": "宁波市财政局", "region_code": "330200"}
DEMO_SYSTEM = {"code": "NB-CZJ-XYHC", "name": "财政业务信用核查系统"}
DEMO_MATTERS = [
    ("NB-CG-001", "政府采购供应商资格审查", "procurement"),
    ("NB-ZB-001", "工程建设项目招标投标资格审查", "bidding"),
    ("NB-BT-001", "中小企业发展专项资金申报", "subsidy"),
    ("NB-XK-001", "政府采购代理机构名录登记", "licence"),
    ("NB-JC-001", "“双随机、一公开”抽查对象确定", "inspection"),
    ("NB-DK-001", "政府采购合同融资（政采贷）", "finance"),
    ("NB-GX-001", "公务活动场所选定", "consumption"),
    ("NB-RZ-001", "市属国有企业董事、高管任职审查", "office"),
    ("NB-PY-001", "市级评优评先对象审核", "honour"),
    ("NB-GG-001", "公共资源交易服务", "public_service"),
]


def registry_demo_seed() -> str | None:
    """Idempotent: the demo business system (an API client with the sharing scope) and its matters.
    Returns the new API key when the client is created now (shown once), else None."""
    from gongxin.accounts.choices import Role, Scope
    from gongxin.accounts.models import Department
    from gongxin.accounts.services import api_client_create
    from gongxin.accounts.viewer import Viewer
    from gongxin.rewards.models import BusinessSystem
    from gongxin.rewards.services import matter_register, system_register

    actor = Viewer(label="seed", role=Role.ADMIN)
    department, _created = Department.objects.get_or_create(
        code=DEMO_DEPARTMENT["code"],
        defaults={"name": DEMO_DEPARTMENT["name"], "region_code": DEMO_DEPARTMENT["region_code"]})
    key = None
    system = BusinessSystem.objects.filter(code=DEMO_SYSTEM["code"]).first()
    if system is None:
        client, key = api_client_create(name=DEMO_SYSTEM["name"], department=department,
                                        scopes=[Scope.SUBJECTS_READ, Scope.RECORDS_SHARE])
        system = system_register(code=DEMO_SYSTEM["code"], name=DEMO_SYSTEM["name"], department=department,
                                 client=client, actor=actor)
    for code, name, matter_type in DEMO_MATTERS:
        matter_register(code=code, name=name, system=system, matter_type=matter_type, actor=actor)
    return key


def seed_restore() -> None:
    """Seed the measures and their rules again if a flush emptied them (core.seeds); a no-op otherwise."""
    from gongxin.rewards.models import Measure

    if not (Measure.objects.exists()):
        measures_seed()
