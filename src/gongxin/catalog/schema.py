"""The field schema of a catalog item, and validation of a record's payload against it.

``CatalogItem.fields`` is a list of field definitions, in display order::

    {
        "code": "fine_amount",            # English snake_case; the key in every payload
        "label": "罚款金额（万元）",        # the Chinese label of the data standard (exact)
        "label_en": "Fine (10,000 yuan)",
        "type": "money_wan",              # a catalog.choices.FieldType value
        "required": False,
        "personal": False,                # personal data of a natural person: never public, masked for others
        # optional keys:
        "enum": [{"code": "...", "label": "..."}],   # type "enum" only: the allowed values
        "max_length": 200,                # text types: longest value accepted
        "not_before": "valid_from",       # date types: must not be earlier than this other date field
        "aliases": ["罚款金额(万元)"],      # other column headers meaning this field (ingest parsers)
    }

``payload_validate`` turns what a source unit sent into the **canonical payload** stored on record
versions (and hashed): keys are field codes; dates are ISO ``YYYY-MM-DD`` strings; ``decimal`` values are
plain decimal strings; ``money_wan`` values are already in **yuan** (the ingest parser converts 万元) as a
decimal string with exactly 2 places (sub-fen precision is refused, never rounded); enums are the enum
code (the code or the Chinese/English label is accepted); USCCs are upper-cased and checked by their
GB 32100 check character; identity document numbers are only trimmed (the subjects app checks them);
booleans are JSON booleans. Empty optional fields are dropped, unknown keys are refused.

All problems of a payload are collected and raised together as ``CatalogValidationFailed`` whose
``details`` is a list of ``{"field", "label", "value", "code", "reason"}`` (``code`` is a stable
problem code such as ``required`` or ``invalid_date``; ``reason`` is the human message).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.catalog.choices import FieldType
from gongxin.catalog.errors import CatalogValidationFailed
from gongxin.catalog.models import CatalogItem
from gongxin.core import clock

__all__ = [
    "CatalogValidationFailed",
    "fields_label_map",
    "fields_schema_problems",
    "payload_validate",
]

# GB 32100-2015: the 31 characters of a USCC and the weights 3^(i-1) mod 31 of positions 1-17.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_DATE_PATTERNS = (
    # 2026-05-10, 2026/5/10, 2026.05.10, optionally followed by a time of day (dropped)
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)
_TRUE_WORDS = {"true", "yes", "y", "1", "是", "有"}
_FALSE_WORDS = {"false", "no", "n", "0", "否", "无"}
_FEN = Decimal("0.01")

_SCHEMA_KEYS = {
    "code", "label", "label_en", "type", "required", "personal", "enum", "max_length", "not_before", "aliases",
}


class _Problem(Exception):
    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        self.reason = reason
        super().__init__(reason)


def _uscc_checksum_ok(code: str) -> bool:
    """True when ``code`` is 18 characters of the USCC alphabet with a correct check character.

    Check = 31 - (sum of value x weight over positions 1-17) mod 31, where 31 becomes 0 (GB 32100-2015).
    """
    if len(code) != 18 or any(ch not in _USCC_ALPHABET for ch in code):
        return False
    total = sum(_USCC_ALPHABET.index(ch) * weight for ch, weight in zip(code[:17], _USCC_WEIGHTS, strict=True))
    check = 31 - total % 31
    if check == 31:
        check = 0
    return _USCC_ALPHABET[check] == code[17]


@lru_cache(maxsize=262144)
def _uscc_checksum_known_ok(code: str) -> bool:
    """``_uscc_checksum_ok``, remembered: a file names the same organizations and authorities again and again."""
    return _uscc_checksum_ok(code)


def fields_label_map(item: CatalogItem) -> dict[str, str]:
    """Field code -> Chinese label, in schema order."""
    return {f["code"]: f["label"] for f in item.fields}


def fields_schema_problems(fields: Any) -> list[str]:
    """What is wrong with a list of field definitions (empty list: nothing). Used by the admin and tests."""
    if not isinstance(fields, list):
        return ["the field schema must be a list"]
    problems: list[str] = []
    codes: set[str] = set()
    for index, field in enumerate(fields):
        where = f"field {index}"
        if not isinstance(field, dict):
            problems.append(f"{where}: must be an object")
            continue
        code = field.get("code")
        if not isinstance(code, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", code):
            problems.append(f"{where}: code must be snake_case")
        else:
            where = f"field {code}"
            if code in codes:
                problems.append(f"{where}: duplicate code")
            codes.add(code)
        if not isinstance(field.get("label"), str) or not field.get("label"):
            problems.append(f"{where}: label is required")
        if field.get("type") not in FieldType.values:
            problems.append(f"{where}: unknown type {field.get('type')!r}")
        for flag in ("required", "personal"):
            if not isinstance(field.get(flag), bool):
                problems.append(f"{where}: {flag} must be true or false")
        unknown = set(field) - _SCHEMA_KEYS
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        if field.get("type") == FieldType.ENUM:
            options = field.get("enum")
            if not isinstance(options, list) or not options or not all(
                isinstance(o, dict) and isinstance(o.get("code"), str) and isinstance(o.get("label"), str)
                for o in options
            ):
                problems.append(f"{where}: an enum needs a non-empty list of {{code, label}}")
        elif "enum" in field:
            problems.append(f"{where}: only enum fields have enum values")
        if "max_length" in field and not (isinstance(field["max_length"], int) and field["max_length"] > 0):
            problems.append(f"{where}: max_length must be a positive integer")
    for field in fields:
        if isinstance(field, dict) and "not_before" in field:
            other = next((f for f in fields if isinstance(f, dict) and f.get("code") == field["not_before"]), None)
            if field.get("type") != FieldType.DATE or other is None or other.get("type") != FieldType.DATE:
                problems.append(f"field {field.get('code')}: not_before must name another date field")
    return problems


def payload_validate(*, item: CatalogItem, payload: Mapping[str, Any], today: date | None = None) -> dict[str, Any]:
    """The canonical payload of ``payload`` for ``item``; raises ``CatalogValidationFailed`` listing every
    problem (unknown keys, missing required fields, malformed values, rule violations).

    ``today`` (default: the clock's) bounds decision dates; bulk paths pass it once for all their rows."""
    errors: list[dict[str, Any]] = []
    fields = _fields_by_code(item)

    def add(field: Mapping[str, Any] | None, key: str, value: Any, code: str, reason: str) -> None:
        errors.append({
            "field": key,
            "label": field["label"] if field else key,
            "value": _json_safe(value),
            "code": code,
            "reason": reason,
        })

    for key in payload:
        if key not in fields:
            add(None, str(key), payload[key], "unknown_field", _("This field is not part of the catalog item."))

    canonical: dict[str, Any] = {}
    for code, field in fields.items():
        raw = payload.get(code)
        if _is_empty(raw):
            if field.get("required"):
                add(field, code, raw, "required", _("This field is required."))
            continue
        try:
            canonical[code] = _canonical_value(field, raw)
        except _Problem as problem:
            add(field, code, raw, problem.code, problem.reason)

    # Rules across fields, on values that parsed.
    decision_field = fields.get(item.decision_date_field) if item.decision_date_field else None
    if decision_field and item.decision_date_field in canonical:
        decided = date.fromisoformat(canonical[item.decision_date_field])
        if decided > (today or clock.today()):
            add(decision_field, item.decision_date_field, canonical[item.decision_date_field], "future_date",
                _("The decision date must not be in the future."))
    for code, field in fields.items():
        other_code = field.get("not_before")
        if other_code and code in canonical and other_code in canonical and canonical[code] < canonical[other_code]:
            other_label = fields[other_code]["label"] if other_code in fields else other_code
            add(field, code, canonical[code], "before_start",
                _("This date must not be before “%(other)s”.") % {"other": other_label})

    if errors:
        raise CatalogValidationFailed(details=errors)
    return canonical


def _fields_by_code(item: CatalogItem) -> dict[str, dict[str, Any]]:
    return item.fields_derived("by_code", lambda fields: {f["code"]: f for f in fields})


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _canonical_value(field: Mapping[str, Any], raw: Any) -> Any:
    kind = field["type"]
    if kind == FieldType.TEXT:
        return _text(field, raw)
    if kind == FieldType.DATE:
        return _date(raw).isoformat()
    if kind == FieldType.DECIMAL:
        amount = _decimal(raw)
        return format(amount.normalize(), "f")
    if kind == FieldType.MONEY_WAN:
        amount = _decimal(raw)
        if amount != amount.quantize(_FEN):
            raise _Problem("too_precise", _("An amount in yuan has at most 2 decimal places."))
        return format(amount.quantize(_FEN), "f")
    if kind == FieldType.ENUM:
        return _enum(field, raw)
    if kind == FieldType.USCC:
        return _uscc(raw)
    if kind == FieldType.ID_NUMBER:
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            raise _Problem("invalid_text", _("Expected text."))
        return str(raw).strip()
    if kind == FieldType.BOOLEAN:
        return _boolean(raw)
    raise _Problem("unknown_type", _("The catalog item defines an unknown field type."))


def _text(field: Mapping[str, Any], raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
        raise _Problem("invalid_text", _("Expected text."))
    value = str(raw).strip()
    max_length = field.get("max_length")
    if max_length and len(value) > max_length:
        raise _Problem("too_long", _("At most %(max)d characters.") % {"max": max_length})
    return value


def _date(raw: Any) -> date:
    if isinstance(raw, datetime):
        return timezone.localdate(raw) if timezone.is_aware(raw) else raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        found = _date_text(raw.strip())
        if found is not None:
            return found
    raise _Problem("invalid_date", _("Expected a date such as 2026-05-10."))


@lru_cache(maxsize=65536)
def _date_text(text: str) -> date | None:
    """The date a text spells (None: not a real date); remembered, as files repeat their dates."""
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return None
    return None


def _decimal(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise _Problem("invalid_number", _("Expected a number."))
    if isinstance(raw, float):
        raw = repr(raw)
    if isinstance(raw, int | Decimal):
        raw = str(raw)
    if not isinstance(raw, str):
        raise _Problem("invalid_number", _("Expected a number."))
    try:
        amount = Decimal(raw.strip().replace(",", ""))
    except InvalidOperation:
        raise _Problem("invalid_number", _("Expected a number.")) from None
    if not amount.is_finite():
        raise _Problem("invalid_number", _("Expected a number."))
    if amount < 0:
        raise _Problem("negative", _("An amount must not be negative."))
    return amount if amount else Decimal(0)  # "-0" and "0.000" are plain zero


def _enum(field: Mapping[str, Any], raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise _Problem("invalid_choice", _("Not one of the allowed values."))
    value = str(raw).strip()
    options = field.get("enum") or []
    for option in options:
        if value == option["code"] or value == option["label"]:
            return option["code"]
    for option in options:
        if value.lower() == option["code"].lower():
            return option["code"]
    allowed = "、".join(option["label"] for option in options)
    raise _Problem("invalid_choice", _("Not one of the allowed values: %(allowed)s.") % {"allowed": allowed})


def _uscc(raw: Any) -> str:
    if not isinstance(raw, str):
        raise _Problem("invalid_uscc", _("Expected an 18-character unified social credit code."))
    value = raw.strip().upper()
    if len(value) != 18 or any(ch not in _USCC_ALPHABET for ch in value):
        raise _Problem("invalid_uscc", _("Expected an 18-character unified social credit code."))
    if not _uscc_checksum_known_ok(value):
        raise _Problem("invalid_uscc_checksum", _("The check character of this unified social credit code is wrong."))
    return value


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE_WORDS:
        return True
    if text in _FALSE_WORDS:
        return False
    raise _Problem("invalid_boolean", _("Expected yes or no."))
