"""The frozen content of a credit report, in the structure of the national report standard.

``snapshot_build`` turns a subject, the records the disclosure policy let through and the issue's
context into one JSON value: cover (封面), notes (说明), overview (概况: basic information, a summary by
category and polarity, counts by year of decision and category, the lists the subject is on today with
their basis and way out), details by category, newest first (明细: every record, with all its fields), and
the verification block (the URL of the QR code and the signing key's id). That value is what is hashed,
signed and stored; nothing is looked up again when the report is shown, so later changes of records never
change an issued report.

The report is a document in Chinese, as the national standard writes it: its headings, notes and
labels below are part of the signed document (constants here), not interface strings; item names and
field labels come from the catalog in Chinese. Only JSON strings, integers, booleans, lists and
objects appear (no floats: core.signing.canonical_json).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from gongxin.access.shown import ShownRecord
from gongxin.catalog.choices import RecordKind

SCHEMA = "gongxin.credit-report/2"
# From this many records on, the printed report lists each record on one line with its essential fields
# (``layout: "compact"``); the signed content still holds every record with all its fields, and the notes
# say where to read them (docs/decisions/046-reports-of-big-subjects.md).
COMPACT_FROM_RECORDS = 21
LAYOUT_FULL = "full"
LAYOUT_COMPACT = "compact"
LIST_KIND_LABELS = {"red": "红名单", "black": "黑名单"}
MARK_OBJECTION = "异议中"
MARK_REPAIRED = "已修复"

TITLES = {
    "organization": "法人和非法人组织公共信用信息报告",
    "person": "自然人公共信用信息报告",
    "special": "专项信用报告",
}
SUBTITLES = {
    "organization": "",
    "person": "",
    "special": "（替代有无违法违规记录证明）",
}
PURPOSE_LABELS = {
    "public": "公开信息查询",
    "self": "信用主体本人查询",
    "authorized": "经信用主体授权查询",
    "sharing": "政务共享查询",
    "staff": "信用服务窗口出具",
    "audit": "审计查询",
}
POLARITY_LABELS = {"positive": "守信", "negative": "失信", "neutral": "中性"}
SEVERITY_LABELS = {"minor": "轻微", "general": "一般", "serious": "严重", "": ""}
ORG_KIND_LABELS = {
    "enterprise": "企业",
    "individual_business": "个体工商户",
    "public_institution": "事业单位",
    "social_organization": "社会组织",
    "government": "机关",
    "other": "其他组织",
}
ORG_STATUS_LABELS = {"active": "存续", "revoked": "吊销", "deregistered": "注销"}


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    kinds: frozenset[str]

    @property
    def covered(self) -> bool:
        """Whether the platform's catalog collects this kind of information at all."""
        return bool(self.kinds)


# Details of organization and person reports, in the order of the standard (and of the portal).
PROFILE_SECTIONS: tuple[Section, ...] = (
    Section("licences", "行政许可信息", frozenset({RecordKind.LICENCE})),
    Section("penalties", "行政处罚信息", frozenset({RecordKind.PENALTY})),
    Section("lists", "严重失信主体名单及失信被执行人信息",
            frozenset({RecordKind.SERIOUS_DISHONESTY, RecordKind.JUDGMENT_DEBTOR})),
    Section("commitments", "信用承诺信息", frozenset({RecordKind.COMMITMENT})),
    Section("honours", "守信激励及荣誉信息",
            frozenset({RecordKind.HONOUR, RecordKind.TAX_GRADE_A, RecordKind.VOLUNTARY_PERFORMANCE})),
)
OTHER_SECTION = Section("other", "其他信息", frozenset())

# The special credit report (2025) replacing no-violation certificates: penalties, compulsory measures,
# serious dishonesty lists, criminal judgments. A section with no kinds is not collected by the catalog;
# the report says so instead of claiming "none".
SPECIAL_SECTIONS: tuple[Section, ...] = (
    Section("penalties", "行政处罚信息", frozenset({RecordKind.PENALTY})),
    Section("compulsory_measures", "行政强制及失信被执行人信息", frozenset({RecordKind.JUDGMENT_DEBTOR})),
    Section("serious_dishonesty", "严重失信主体名单信息", frozenset({RecordKind.SERIOUS_DISHONESTY})),
    Section("criminal_judgments", "刑事判决信息", frozenset()),
)
SPECIAL_KINDS = frozenset().union(*(s.kinds for s in SPECIAL_SECTIONS))


@dataclass(frozen=True)
class IssueContext:
    """Everything about the issue that goes into the document besides the records."""

    number: str
    kind: str
    purpose: str
    issued_at: datetime
    issuer: str
    requester: str
    verify_url: str
    public_key_url: str
    key_id: str
    range_from: date | None = None
    range_to: date | None = None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def record_entry(record: ShownRecord) -> dict[str, Any]:
    marks = []
    if record.under_objection:
        marks.append(MARK_OBJECTION)
    if record.repaired:
        marks.append(MARK_REPAIRED)
    return {
        "record_id": record.record_id,
        "version": record.version,
        "item_code": record.item_code,
        "item_name": record.item_name,
        "record_kind": record.record_kind,
        "polarity": record.polarity,
        "polarity_label": POLARITY_LABELS.get(record.polarity, record.polarity),
        "severity": record.severity,
        "severity_label": SEVERITY_LABELS.get(record.severity, record.severity),
        "source_unit": record.source_unit_name,
        "decision_date": _iso(record.decision_date),
        "legal_basis": record.legal_basis,
        "publicity_end": _iso(record.publicity_max_end),
        "retention_end": _iso(record.retention_end),
        "under_objection": record.under_objection,
        "repaired": record.repaired,
        "marks": marks,
        "fields": [{"code": f.code, "label": f.label, "value": f.value} for f in record.fields],
    }


def _sort_key(record: ShownRecord) -> tuple[bool, date, int]:
    return (record.decision_date is not None, record.decision_date or date.min, record.record_id)


def _sections(records: Sequence[ShownRecord], sections: Iterable[Section], *, other: Section | None
              ) -> list[tuple[Section, list[ShownRecord]]]:
    sections = list(sections)
    buckets: dict[str, list[ShownRecord]] = {s.key: [] for s in sections}
    if other is not None:
        buckets[other.key] = []
    for record in records:
        section = next((s for s in sections if record.record_kind in s.kinds), other)
        if section is not None:
            buckets[section.key].append(record)
    ordered = [*sections, *([other] if other is not None and buckets[other.key] else [])]
    return [(s, sorted(buckets[s.key], key=_sort_key, reverse=True)) for s in ordered]


@dataclass(frozen=True)
class ListMembership:
    """A list the subject is on at the issue, through one of the records the report lists."""

    record_id: int
    list_code: str
    list_name: str
    list_kind: str  # "red" or "black"
    start_date: date
    end_date: date | None
    basis: str  # this entry's own basis (the listing decision's)
    legal_basis: str  # the list's legal basis
    exit_conditions: str  # the way out


def _list_entry(membership: ListMembership) -> dict[str, Any]:
    return {
        "record_id": membership.record_id,
        "list_code": membership.list_code,
        "list_name": membership.list_name,
        "list_kind": membership.list_kind,
        "list_kind_label": LIST_KIND_LABELS.get(membership.list_kind, membership.list_kind),
        "start_date": _iso(membership.start_date),
        "end_date": _iso(membership.end_date),
        "basis": membership.basis,
        "legal_basis": membership.legal_basis,
        "exit_conditions": membership.exit_conditions,
    }


def _by_year(grouped: Sequence[tuple[Section, list[ShownRecord]]]) -> list[dict[str, Any]]:
    """Counts by year of decision (newest first, undated last) and by section: a row per year."""
    rows: dict[str, dict[str, Any]] = {}
    for section, items in grouped:
        for record in items:
            year = str(record.decision_date.year) if record.decision_date is not None else ""
            row = rows.setdefault(year, {"year": year, "total": 0, "negative": 0, "positive": 0, "sections": {}})
            row["total"] += 1
            if record.polarity in ("negative", "positive"):
                row[record.polarity] += 1
            row["sections"][section.key] = row["sections"].get(section.key, 0) + 1
    keys = [s.key for s, _items in grouped]
    ordered = sorted(rows, key=lambda year: (year == "", "" if year == "" else f"{9999 - int(year):04d}"))
    return [{**rows[y], "sections": [rows[y]["sections"].get(k, 0) for k in keys]} for y in ordered]


def _counts(records: Sequence[ShownRecord]) -> dict[str, int]:
    return {
        "total": len(records),
        "negative": sum(1 for r in records if r.polarity == "negative"),
        "positive": sum(1 for r in records if r.polarity == "positive"),
        "neutral": sum(1 for r in records if r.polarity == "neutral"),
        "under_objection": sum(1 for r in records if r.under_objection),
        "repaired": sum(1 for r in records if r.repaired),
    }


def _notes(context: IssueContext, *, layout: str) -> list[dict[str, str]]:
    if context.kind == "special":
        scope = (
            f"本报告列示信用主体在报告期（{_iso(context.range_from)} 至 {_iso(context.range_to)}）内、截至出具时"
            "本平台归集的行政处罚、行政强制（含失信被执行人）、严重失信主体名单及刑事判决信息，"
            "已撤销的信息不列入；已完成信用修复的信息照列并标注“已修复”，处于异议处理中的信息标注“异议中”。"
            "本平台信息目录尚未归集的类别单独注明，本报告不对其作出证明。"
            "本报告可替代有无违法违规记录证明使用。"
        )
    elif context.purpose == "public":
        scope = (
            "本报告列示截至出具时在公示期内的公开信用信息；非公开信息、公示期届满或已完成信用修复的失信信息不列入。"
        )
    elif context.purpose == "self":
        scope = (
            "本报告由信用主体本人查询出具，列示截至出具时本平台依法可向其本人提供的全部信用信息"
            "（含非公开信息）；已撤销及保存期届满的信息不列入。"
        )
    else:
        scope = (
            f"本报告按“{PURPOSE_LABELS.get(context.purpose, context.purpose)}”的披露范围出具，"
            "列示截至出具时该用途依法可提供的信用信息；个人信息已按规定作掩码处理。"
        )
    return [
        {"key": "sources", "title": "信息来源",
         "text": (f"本报告由{context.issuer}依据《浙江省公共信用信息管理条例》等规定出具。报告所列信息由各信源单位"
                  "依法归集至本平台，每条信息注明来源单位、决定日期与依据；本平台如实记录，不对信息作评价。")},
        {"key": "scope", "title": "信息范围", "text": scope},
        {"key": "details", "title": "明细编排", "text": _details_note(context, layout=layout)},
        {"key": "validity", "title": "有效性",
         "text": ("本报告反映出具时点的信息状态；出具后信息如有变化，以本平台最新信息为准。同一申请人就同一主体"
                  "新出具的同类报告将使此前报告状态变为“已被替代”；平台撤销的报告状态为“已撤销”。")},
        {"key": "verification", "title": "验证方法",
         "text": (f"扫描报告二维码或访问 {context.verify_url} 可查看报告原文及其当前状态。报告内容经 SHA-256 摘要并以"
                  f"平台 Ed25519 密钥（密钥标识 {context.key_id}）签名，公钥公布于 {context.public_key_url}，"
                  "可使用 gongxin report verify 命令或 OpenSSL 等标准工具离线验证。")},
        {"key": "remedies", "title": "异议与修复",
         "text": ("信用主体认为所列信息有误或超期公开的，可向本平台提出异议，异议受理后相关信息在处理期间标注“异议中”；"
                  "已纠正失信行为、履行相关义务的，可依法申请信用修复。失信被执行人信息不适用信用修复，"
                  "由人民法院在被执行人履行义务后移出名单。")},
    ]


def _details_note(context: IssueContext, *, layout: str) -> str:
    order = "明细按信息类别分组，每类按决定日期由近及远排列，列示本报告范围内的全部信息，无删减。"
    if layout == LAYOUT_COMPACT:
        return (order + "因信息较多，每条信息以一行列示决定日期、信息项、来源单位、文书号、主要内容和公示截止日期等"
                f"主要字段；每条信息的全部字段载于随 PDF 附带的签名报告文件（{context.number}.json），也可在验证"
                f"页面 {context.verify_url} 查看或下载，二者内容与本报告一致并受同一签名保护。")
    return order + "每条信息列示其全部字段。"


def _basic(subject: Any, *, code: str) -> list[dict[str, str]]:
    if subject.kind == "organization":
        organization = subject.organization
        capital = organization.registered_capital_yuan
        capital_text = f"{(capital / 10_000).normalize():f} 万元" if capital is not None else ""
        rows = [
            ("name", "名称", subject.name),
            ("uscc", "统一社会信用代码", organization.uscc),
            ("org_kind", "主体类型", ORG_KIND_LABELS.get(organization.org_kind, organization.org_kind)),
            ("status", "登记状态", ORG_STATUS_LABELS.get(organization.status, organization.status)),
            ("legal_representative", "法定代表人（负责人）", organization.legal_representative),
            ("registration_date", "成立日期", _iso(organization.registration_date) or ""),
            ("registered_capital", "注册资本", capital_text),
            ("industry", "所属行业", organization.industry),
            ("address", "住所", organization.address),
            ("region_code", "行政区划代码", subject.region_code),
        ]
    else:
        rows = [
            ("name", "姓名", subject.name),
            ("rin", "居民身份证号码", code),
            ("region_code", "行政区划代码", subject.region_code),
        ]
    return [{"key": key, "label": label, "value": value or "—"} for key, label, value in rows]


def snapshot_build(*, subject: Any, subject_code: str, records: Sequence[ShownRecord],
                   context: IssueContext, lists: Sequence[ListMembership] = (),
                   ledger: dict[str, Any] | None = None) -> dict[str, Any]:
    """The report's frozen content (see the module docstring). ``records`` are already filtered; ``lists``
    are the list entries in force of those records; ``ledger`` the proofs that its records are in the
    tamper-evident log (reports.ledger)."""
    special = context.kind == "special"
    grouped = _sections(records, SPECIAL_SECTIONS if special else PROFILE_SECTIONS,
                        other=None if special else OTHER_SECTION)
    counts = _counts(records)
    layout = LAYOUT_COMPACT if counts["total"] >= COMPACT_FROM_RECORDS else LAYOUT_FULL
    summary = [
        {"key": section.key, "title": section.title, "covered": section.covered, **_counts(items)}
        for section, items in grouped
    ]
    details = [
        {"key": section.key, "title": section.title, "covered": section.covered,
         "records": [record_entry(r) for r in items]}
        for section, items in grouped
    ]
    code_label = "统一社会信用代码" if subject.kind == "organization" else "居民身份证号码"
    snapshot: dict[str, Any] = {
        "schema": SCHEMA,
        "number": context.number,
        "kind": context.kind,
        "cover": {
            "title": TITLES[context.kind],
            "subtitle": SUBTITLES[context.kind],
            "number": context.number,
            "subject_name": subject.name,
            "subject_kind": subject.kind,
            "subject_code_label": code_label,
            "subject_code": subject_code,
            "issued_at": context.issued_at.isoformat(timespec="seconds"),
            "issuer": context.issuer,
            "purpose": context.purpose,
            "purpose_label": PURPOSE_LABELS.get(context.purpose, context.purpose),
            "requester": context.requester,
        },
        "notes": _notes(context, layout=layout),
        "overview": {
            "basic": _basic(subject, code=subject_code),
            "summary": summary,
            "totals": counts,
            "by_year": _by_year(grouped),
            "lists": [_list_entry(m) for m in lists],
        },
        "layout": layout,
        "details": details,
        "verification": {
            "url": context.verify_url,
            "public_key_url": context.public_key_url,
            "key_id": context.key_id,
            "algorithm": "Ed25519",
            "hash": "SHA-256",
        },
    }
    if ledger is not None:
        snapshot["ledger"] = ledger
    if special:
        snapshot["range"] = {"from": _iso(context.range_from), "to": _iso(context.range_to)}
        snapshot["conclusion"] = _special_conclusion(counts, context)
    elif context.purpose != "public":
        evaluation = evaluation_entry(subject_id=subject.pk, kind=subject.kind)
        if evaluation is not None:
            snapshot["evaluation"] = evaluation
    return snapshot


def evaluation_entry(*, subject_id: int, kind: str) -> dict[str, Any] | None:
    """The subject's current evaluation as the report freezes it: score, grade, dimensions (points as text:
    signed content has no floats) and the reasons that lower it most (scoring.explain). Evaluations are
    never public, so public reports leave it out."""
    from gongxin.scoring.explain import explanation_compute
    from gongxin.scoring.selectors import model_active

    model = model_active(subject_kind=kind)
    explanation = explanation_compute(model=model, subject_id=subject_id) if model is not None else None
    if explanation is None:
        return None
    return {
        "model": explanation.model_name,
        "as_of": explanation.as_of.isoformat(),
        "score": explanation.score,
        "scale_max": explanation.scale_max,
        "grade": explanation.grade_name,
        "level": explanation.supervision_class or explanation.grade,
        "dimensions": [{"name": d.name, "points": f"{d.points:g}", "max_points": f"{d.max_points:g}"}
                       for d in explanation.dimensions],
        "reasons": [r.text_zh for r in explanation.reasons],
    }


def _special_conclusion(counts: dict[str, int], context: IssueContext) -> str:
    period = f"{_iso(context.range_from)} 至 {_iso(context.range_to)}"
    if counts["total"] == 0:
        return (f"经查询，报告期（{period}）内，该主体在本平台已归集的行政处罚、行政强制（失信被执行人）、"
                "严重失信主体名单信息中无记录。")
    repaired = f"，其中已修复 {counts['repaired']} 条" if counts["repaired"] else ""
    return f"经查询，报告期（{period}）内，该主体在本平台共有相关记录 {counts['total']} 条{repaired}，详见明细。"
