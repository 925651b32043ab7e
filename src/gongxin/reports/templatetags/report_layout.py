"""Layout of a report's record details.

The full layout (a report of up to ``snapshot.COMPACT_FROM_RECORDS`` records): label/value pairs two to a
line, long values on a line of their own — half as many lines as one field per line, so a record takes half
the height and a PDF half the pages (WeasyPrint's layout time grows with the pages). The lines are plain
blocks, not table rows (docs/decisions/019-pdf-build-time.md).

The compact layout (bigger reports, docs/decisions/046-reports-of-big-subjects.md): a section's records by
year of decision, newest first, one line each with its essential fields (``compact_years``); all its fields
stay in the signed content. A year's lines are one block of text, not a block per record: WeasyPrint computes
styles and boxes per element, and 500 records as 500 blocks took twice the time of the same lines in a few
blocks. Each line is cut to the width of the page (``LINE_BUDGET_EM``, its content shortened first) and the
block is ``white-space: pre``: one line box per record, which WeasyPrint lays out without looking for a place
to break it (a wrapped record cost two or three line boxes, each tried for a break).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django import template

register = template.Library()

# A value longer than this gets a whole row (legal bases, facts of the violation ...).
WIDE_AFTER_CHARACTERS = 24


@dataclass(frozen=True)
class Cell:
    label: str
    value: str
    attr: str = ""
    wide: bool = False


def _cells(record: dict[str, Any], subject_fields: Any) -> list[Cell]:
    cells = [
        Cell("来源单位", record.get("source_unit") or "—"),
        Cell("决定日期", record.get("decision_date") or "—"),
        Cell("信用属性", record.get("polarity_label") or "—"),
        Cell("法律依据", record.get("legal_basis") or "—", wide=True),
    ]
    if record.get("polarity") == "negative":
        cells.append(Cell("公示截止日期", record.get("publicity_end") or "—", attr="data-publicity-end"))
        cells.append(Cell("保存期至", record.get("retention_end") or "—"))
    for field in record.get("fields") or ():
        if field.get("code") in subject_fields:
            continue
        value = str(field.get("value", ""))
        cells.append(Cell(str(field.get("label", "")), value, wide=len(value) > WIDE_AFTER_CHARACTERS))
    return cells


# The fields that name a record's document and say what it is about, in order of preference (catalog field
# codes: a penalty's decision number and content, a licence's, a list entry's reason, a court case ...).
NUMBER_FIELDS = ("decision_number", "licence_decision_number", "case_number", "commitment_number",
                 "basis_document_number", "licence_number")
CONTENT_FIELDS = ("penalty_content", "licence_content", "listing_reason", "dishonesty_circumstances",
                  "performance_content", "honour_name", "grade", "commitment_matter", "violation_type",
                  "obligation")
CONTENT_MAX_CHARACTERS = 40


@dataclass(frozen=True)
class Essentials:
    number: str
    content: str
    publicity_end: str


def _first(values: dict[str, str], codes: tuple[str, ...]) -> str:
    return next((values[code] for code in codes if values.get(code)), "")


@register.filter
def record_essentials(record: dict[str, Any]) -> Essentials:
    """The document number, a short content and the publicity end (negative records) of a record's entry."""
    values = {str(f.get("code")): str(f.get("value", "")) for f in record.get("fields") or ()}
    content = _first(values, CONTENT_FIELDS)
    if len(content) > CONTENT_MAX_CHARACTERS:
        content = content[:CONTENT_MAX_CHARACTERS - 1] + "…"
    publicity_end = (record.get("publicity_end") or "—") if record.get("polarity") == "negative" else ""
    return Essentials(number=_first(values, NUMBER_FIELDS), content=content, publicity_end=publicity_end)


@dataclass(frozen=True)
class YearLines:
    label: str
    count: int
    record_ids: str  # space-separated, for the HTML's data-records
    text: str  # one line per record


# The width a record's line may take, in em of the details' font (report.css: .r-lines, 8.5pt) as ``text_width``
# estimates it: the text column of an A4 page is about 58 em (178 mm less the block's indent), and a line
# estimated at 54 em printed 50 (digits are narrower than 0.6 em), so 60 leaves a margin.
LINE_BUDGET_EM = 60.0


def text_width(text: str) -> float:
    """The printed width of ``text`` in em, estimated: a Chinese character or full-width form is one em, a
    Latin letter, digit or sign at most 0.6 em (Noto Sans CJK SC's proportional Latin)."""
    return sum(0.6 if ord(c) < 0x2E80 else 1.0 for c in text)


def text_fit(text: str, budget: float) -> str:
    """``text`` cut to ``budget`` em, ending with "…" when cut."""
    if text_width(text) <= budget:
        return text
    width = 1.0  # the ellipsis is one em
    for end, character in enumerate(text):
        width += text_width(character)
        if width > budget:
            return text[:end] + "…"
    return text


# An item's name on a line: without the catalog's closing "信息" (information), at most this many em.
ITEM_MAX_EM = 9.0


def _item_short(name: str) -> str:
    return text_fit(name.removesuffix("信息") or name, ITEM_MAX_EM)


def _line(number: int, record: dict[str, Any], *, with_item: bool) -> str:
    """One record on one line: number, decision date, marks, item (when the section has several), source unit,
    document number, publicity end (negative records), then the content — shortened first, so that the line
    fits ``LINE_BUDGET_EM``."""
    essentials = record_essentials(record)
    title = _item_short(record.get("item_name") or "") if with_item else ""
    if record.get("severity_label"):
        title += f"（{record['severity_label']}）"
    marks = ("【异议中】" if record.get("under_objection") else "") + ("【已修复】" if record.get("repaired") else "")
    head = f"{number}．{record.get('decision_date') or '日期不详'}{marks}"
    parts = [head, title, record.get("source_unit") or "", essentials.number]
    if essentials.publicity_end:
        parts.append(f"公示截止 {essentials.publicity_end}")
    fixed = "　".join(p for p in parts if p)
    if essentials.content:
        room = LINE_BUDGET_EM - text_width(fixed) - 1.0  # the separator
        if room >= 4.0:  # a few characters at least, or none at all
            fixed += "　" + text_fit(essentials.content, room)
    return text_fit(fixed, LINE_BUDGET_EM)


@register.filter
def compact_years(section: dict[str, Any]) -> list[YearLines]:
    """A section's records (newest first) as blocks of lines by year of decision; the item is named on each
    line only when the section holds more than one item."""
    records = list(section.get("records") or ())
    with_item = len({r.get("item_code") for r in records}) > 1
    years: list[YearLines] = []
    number = 0
    for year, group in groupby(records, key=lambda r: (r.get("decision_date") or "")[:4]):
        items = list(group)
        lines = []
        for record in items:
            number += 1
            lines.append(_line(number, record, with_item=with_item))
        years.append(YearLines(label=f"{year} 年" if year else "日期不详", count=len(items),
                               record_ids=" ".join(str(r.get("record_id")) for r in items), text="\n".join(lines)))
    return years


@register.filter
def years_text(overview: dict[str, Any]) -> str:
    """The counts by year as lines of tab-separated columns (year, each category, total, negative, positive),
    the header first: one block of text, its columns aligned by tab stops (report.css: .r-years), where a table
    of 9 × 9 cells cost WeasyPrint about 55 ms of a report's build."""
    header = ["年度", *(str(row.get("title", ""))[:4] for row in overview.get("summary") or ()), "合计", "失信", "守信"]
    lines = ["\t".join(header)]
    for year in overview.get("by_year") or ():
        counts = [*year.get("sections", ()), year.get("total", 0), year.get("negative", 0), year.get("positive", 0)]
        lines.append("\t".join([str(year.get("year") or "日期不详"), *(str(n) for n in counts)]))
    return "\n".join(lines)


# Entries of one list printed in the summary; the others are in the details (each is a record) and in the
# signed content's ``overview.lists``, and the summary says so.
LIST_LINES_PRINTED = 10


@register.filter
def list_lines(entries: list[dict[str, Any]]) -> str:
    """The entries of one list in force, latest first, one line each: since, until, on what basis."""
    lines = [
        f"列入日期 {e.get('start_date') or '—'}　移出日期 {e.get('end_date') or '未定'}"
        + (f"　列入依据：{e['basis']}" if e.get("basis") else "")
        for e in entries[:LIST_LINES_PRINTED]
    ]
    if len(entries) > LIST_LINES_PRINTED:
        lines.append(f"……另有 {len(entries) - LIST_LINES_PRINTED} 项在列，均列于下文明细，并载于随附的签名报告文件。")
    return "\n".join(lines)


@register.filter
def field_rows(record: dict[str, Any], subject_fields: Any) -> list[list[Cell]]:
    """Rows of at most two cells; a wide cell is alone on its row."""
    rows: list[list[Cell]] = []
    pending: list[Cell] = []
    for cell in _cells(record, subject_fields):
        if cell.wide:
            rows.append([cell])
            continue
        pending.append(cell)
        if len(pending) == 2:
            rows.append(pending)
            pending = []
    if pending:
        rows.append(pending)
    return rows
