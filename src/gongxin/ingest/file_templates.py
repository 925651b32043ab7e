"""Templates of the files a source unit sends: for each catalog item, its columns and one example row.

A template is a CSV (UTF-8 with a BOM, which Excel opens as UTF-8) or an Excel workbook (``core.xlsx``): the
header row holds the item's Chinese column labels — the headers the parsers match first (ingest.parsing also
accepts the field codes, the English labels and the aliases listed beside each column) — and one example row
written as a department writes it (amounts in 万元, a date as ``YYYY-MM-DD``, an enumeration by its Chinese
label) that passes the item's validation as it stands today: loaded unchanged it is accepted. The operator
replaces it with the real rows. ``template_columns`` is the column list the batches pages show beside each
download.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongxin.accounts.capabilities import is_office
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.choices import FieldType, Severity, SubjectKind
from gongxin.catalog.errors import CatalogItemNotFound
from gongxin.catalog.models import CatalogItem
from gongxin.catalog.selectors import items_current
from gongxin.core import clock
from gongxin.core.xlsx import xlsx_stream
from gongxin.ingest import parsing
from gongxin.subjects.identifiers import rin_generate, uscc_check_char

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Example identifiers with valid check characters (GB 32100, GB 11643); the registration bodies spell "EXAMPLE"
# where the alphabet allows, so nobody takes them for a real firm's.
EXAMPLE_USCC = "91330200MA2H0EXAM" + uscc_check_char("91330200MA2H0EXAM")
EXAMPLE_AUTHORITY_USCC = "11330200MB0EXAMPL" + uscc_check_char("11330200MB0EXAMPL")
EXAMPLE_RIN = rin_generate(area="330203", birth_date=date(1990, 1, 1), sequence=1)

# Example text of the fields every item of the national standard shares (by field code).
_EXAMPLE_TEXT = {
    "subject_name": "宁波示例科技有限公司",
    "legal_representative": "张三",
    "id_type": "身份证",
    "authority_name": "宁波市示例局",
    "data_source_unit": "宁波市示例局",
}
_PERSON_NAME = "张三"

# The columns every item's file may carry besides its fields (ingest.parsing), with what they mean.
_SPECIAL_COLUMNS = (
    (parsing.SOURCE_RECORD_ID, "数据标识", "source_record_id"),
    (parsing.REVOKED, "撤销标记", "revoked"),
    (parsing.SEVERITY, "失信严重程度", "severity"),
)


@dataclass(frozen=True)
class TemplateColumn:
    label: str  # the Chinese header of the data standard (the template's header)
    code: str  # the field code (accepted as a header too)
    label_en: str
    type_label: str
    required: bool
    hint: str  # how a value is written, translated
    example: str  # the example row's value ("" when the example leaves it empty)
    aliases: list[str] = field(default_factory=list)


def _person_only(item: CatalogItem) -> bool:
    return list(item.subject_kinds or []) == [SubjectKind.PERSON]


def _date_value(definition: dict[str, Any], item: CatalogItem, today: date) -> str:
    # The decision a day ago (never in the future, within the double-publicity days); a date that must not be
    # before another, or that ends something, a year later.
    code = definition["code"]
    later = definition.get("not_before") or any(word in code for word in ("until", "valid_to", "deadline", "expir"))
    if code != item.decision_date_field and later:
        return (today + timedelta(days=365)).isoformat()
    return (today - timedelta(days=1)).isoformat()


def _example_value(definition: dict[str, Any], item: CatalogItem, today: date) -> str:
    code, kind = definition["code"], definition["type"]
    person = _person_only(item)
    if code == "subject_category":
        wanted = SubjectKind.PERSON if person else SubjectKind.ORGANIZATION
        labels = {e["code"]: e["label"] for e in definition.get("enum", [])}
        return labels.get(wanted, next(iter(labels.values()), ""))
    if kind == FieldType.ID_NUMBER:
        return EXAMPLE_RIN if person and code == "id_number" else ""
    if kind == FieldType.USCC:
        if code == "uscc":
            return "" if person else EXAMPLE_USCC
        return EXAMPLE_AUTHORITY_USCC if definition.get("required") else ""
    if not definition.get("required") and code not in {"legal_representative", "fine_amount"}:
        return ""
    if kind == FieldType.DATE:
        return _date_value(definition, item, today)
    if kind == FieldType.MONEY_WAN:
        return "1.5"
    if kind == FieldType.DECIMAL:
        return "1"
    if kind == FieldType.ENUM:
        return str(definition["enum"][0]["label"]) if definition.get("enum") else ""
    if kind == FieldType.BOOLEAN:
        return "否"
    if code == "subject_name" and person:
        text = _PERSON_NAME
    elif code in _EXAMPLE_TEXT:
        text = _EXAMPLE_TEXT[code]
    elif code.endswith("year"):
        text = str(today.year - 1)
    elif "number" in code:
        text = f"示例〔{today.year}〕1号"
    else:
        text = f"示例{definition['label']}"
    max_length = definition.get("max_length")
    return text[:max_length] if max_length else text


def _hint(definition: dict[str, Any]) -> str:
    kind = definition["type"]
    if kind == FieldType.DATE:
        return _("A date: 2026-05-10, 2026/5/10, 2026年5月10日, 20260510 or an Excel date.")
    if kind == FieldType.MONEY_WAN:
        return _("An amount in 万元 (10,000 yuan), at most 6 decimal places: 1.5 is 15,000 yuan.")
    if kind == FieldType.DECIMAL:
        return _("A number.")
    if kind == FieldType.ENUM:
        labels = "、".join(str(e["label"]) for e in definition.get("enum", []))
        return _("One of: %(values)s.") % {"values": labels}
    if kind == FieldType.USCC:
        return _("The 18-character unified social credit code; its check character is verified.")
    if kind == FieldType.ID_NUMBER:
        return _("The 18-character resident identity number of a natural person (kept encrypted, never public).")
    if kind == FieldType.BOOLEAN:
        return _("是 or 否 (yes or no).")
    if definition.get("max_length"):
        return _("Text, at most %(max)d characters.") % {"max": definition["max_length"]}
    return _("Text.")


def template_example(item: CatalogItem, *, today: date | None = None) -> dict[str, str]:
    """The example row as a file writes it: field code -> value ("" where the example leaves a cell empty)."""
    day = today or clock.today()
    return {f["code"]: _example_value(f, item, day) for f in item.fields}


def template_columns(item: CatalogItem, *, today: date | None = None) -> list[TemplateColumn]:
    """The item's columns in file order, each with its header, field code, how to write it and the example."""
    example = template_example(item, today=today)
    type_labels = dict(FieldType.choices)
    return [
        TemplateColumn(label=f["label"], code=f["code"], label_en=f.get("label_en", ""),
                       type_label=str(type_labels.get(f["type"], f["type"])), required=bool(f.get("required")),
                       hint=_hint(f), example=example[f["code"]], aliases=list(f.get("aliases", [])))
        for f in item.fields
    ]


def special_columns() -> list[tuple[str, str, str, str]]:
    """The columns any item's file may add: (header, field code, what it does (translated), the values it takes)."""
    meaning = {
        parsing.SOURCE_RECORD_ID: (_("The record's id in the source unit's system; without it a record is known by "
                                     "the item's key fields."), ""),
        parsing.REVOKED: (_("Withdraws the record the row names (a revocation)."), "是 · 1 · true"),
        parsing.SEVERITY: (_("The severity class of a negative record, when the unit sets it; else the catalog's "
                             "policy classifies it."), " · ".join(Severity.values)),
    }
    return [(header, code, *meaning[key]) for key, header, code in _SPECIAL_COLUMNS]


def template_rows(item: CatalogItem, *, today: date | None = None) -> list[list[str]]:
    """The template as rows: the Chinese headers, then the example row."""
    example = template_example(item, today=today)
    return [[f["label"] for f in item.fields], [example[f["code"]] for f in item.fields]]


def template_csv(item: CatalogItem, *, today: date | None = None) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(template_rows(item, today=today))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(item: CatalogItem, *, today: date | None = None) -> Iterator[bytes]:
    return xlsx_stream(sheet_title=item.name, rows=template_rows(item, today=today))


def template_items(*, viewer: Viewer) -> QuerySet[CatalogItem]:
    """The current items whose template ``viewer`` may download: the office every one, a department the items
    it may send (those of every unit and its own), as on the upload form."""
    items = items_current()
    if is_office(viewer):
        return items
    return items.filter(Q(source_unit__isnull=True) | Q(source_unit_id=viewer.department_id))


def template_item(*, viewer: Viewer, code: str) -> CatalogItem:
    item = template_items(viewer=viewer).filter(code=code).first()
    if item is None:
        raise CatalogItemNotFound(details={"code": code})
    return item
