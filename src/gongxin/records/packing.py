"""How a record version's content is stored compactly (decision 047): texts that repeat, stored once.

A payload is stored as a JSON array ``[layout, v1, v2, ...]``: ``layout`` names the payload's sorted keys (a
``VersionText`` row holding them as a JSON list) and the values follow in that order. The keys — half of an
object's bytes in PostgreSQL's jsonb — are then stored once per distinct key set, not once per version. A
legal basis (the same few texts on every version of an item) is stored the same way, by reference.

A text's id is derived from the text itself (the first 40 bits of its SHA-256), so every process computes it
without asking the database — the ingest reader packs payloads before they meet the writer — and an id can
never mean two texts within one database: the writer inserts the texts of a chunk before its versions (the
same transaction), and checks that an existing row with that id holds the same text. On the (never yet seen)
collision the version keeps that payload as a plain object (still decoded) and the basis as text.

Fields whose values come from a small closed set (``REPEATING_FIELDS``: the issuing authority and its code, the
data source unit, document and certificate names, categories and statuses) are kept in the layout too: a layout
is then ``[[keys...], {field: value, ...}]`` and the array holds only the other fields' values, in key order. The
same authority, unit, document and category recur on thousands of versions, so a city has a few thousand such
layouts and every version leaves those values out (≈ 200 B of its ≈ 450). A value longer than
``REPEATING_VALUE_MAX`` characters, or not a string, number or boolean, stays in the array.

``RecordVersion.payload`` and ``RecordVersion.legal_basis`` stay the dict and the string they always were; only
code that reads the columns themselves (raw SQL, ``values()``) meets the stored form, and filters on a payload
key go through ``payload_key_q``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import BigIntegerField, Q
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast
from django.db.models.lookups import In, IsNull

_BITS = 40  # 13 digits in a packed payload; a collision is expected after ~10^6 distinct texts, and is harmless
_texts: dict[int, str] = {}  # id -> text as read or written here: decoding (an id means one text per database)
_stored: dict[int, str] = {}  # the same, only once the transaction that wrote or read the row has committed
_lock = threading.Lock()

# Fields whose values repeat across versions (closed sets: who issued it, whose data, which document, which kind).
# Named here, once; a field that may carry free text (remarks, facts, contents) must not be added.
REPEATING_FIELDS = frozenset({
    "authority_name", "authority_uscc", "awarding_authority", "basis_unit", "certificate_name", "commitment_matter",
    "commitment_type", "court", "current_status", "data_source_unit", "data_source_uscc", "dishonesty_circumstances",
    "honour_level", "honour_name", "licence_category", "licence_document_name", "list_name", "listing_basis",
    "listing_reason", "penalty_basis", "penalty_types", "performance_status", "procedure", "receiving_unit",
    "subject_category", "tax_authority", "violation_type",
})
REPEATING_VALUE_MAX = 120
_layouts: dict[int, tuple[list[str], dict[str, Any]]] = {}  # layout id -> (keys, values kept in the layout)


def text_id(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big") >> (64 - _BITS)


def layout_text(keys: Iterable[str]) -> str:
    return json.dumps(sorted(keys), ensure_ascii=False, separators=(",", ":"))


# The bulk paths pack every row of a file: the layout text of a key set, and of a key set with its repeating values,
# is computed once per process (a few thousand in a city) and looked up after that. Bounded: cleared when full.
_LAYOUT_MEMO_MAX = 50_000
_layout_keys: dict[tuple[str, ...], tuple[tuple[str, ...], str]] = {}  # sorted keys -> (repeating keys, text)
# (sorted keys, ((key, type, value) kept...)) -> (layout text, kept keys). The type is part of the key: True == 1.
_layout_texts: dict[tuple[Any, ...], tuple[str, frozenset[str]]] = {}
_layout_ids: dict[str, int] = {}  # layout text -> its id (text_id)


def _memo_put(memo: dict[Any, Any], key: Any, value: Any) -> Any:
    """``value``, kept in ``memo`` under ``key`` (the memo emptied first when it holds ``_LAYOUT_MEMO_MAX``)."""
    if len(memo) >= _LAYOUT_MEMO_MAX:
        memo.clear()
    memo[key] = value
    return value


def payload_layout(payload: dict[str, Any]) -> tuple[str, list[Any]]:
    """(layout text, the values stored in the array): the sorted keys, with the repeating fields' values."""
    keys = tuple(sorted(payload))
    plan = _layout_keys.get(keys)
    if plan is None:
        plan = _memo_put(_layout_keys, keys, (tuple(k for k in keys if k in REPEATING_FIELDS), layout_text(keys)))
    candidates, plain_text = plan
    kept_values = []
    for k in candidates:  # a repeating field's value is kept in the layout when short (a string) or a number
        v = payload[k]
        if (isinstance(v, str) and len(v) <= REPEATING_VALUE_MAX) or isinstance(v, (int, float, bool)):
            kept_values.append((k, type(v), v))
    kept = tuple(kept_values)
    if not kept:
        return plain_text, [payload[k] for k in keys]
    memo_key = (keys, kept)
    # A float is not its own key (0.0 == -0.0, nan != nan): such a layout is encoded every time.
    memo = None if any(t is float for _k, t, _v in kept) else _layout_texts.get(memo_key)
    if memo is None:
        text = json.dumps([list(keys), {k: v for k, _t, v in kept}], ensure_ascii=False, separators=(",", ":"),
                          sort_keys=True)
        memo = _memo_put(_layout_texts, memo_key, (text, frozenset(k for k, _t, _v in kept)))
    text, kept_keys = memo
    return text, [payload[k] for k in keys if k not in kept_keys]


def payload_pack(payload: dict[str, Any]) -> list[Any]:
    """The stored form of ``payload`` (its layout's row must exist: ``texts_ensure``)."""
    layout, values = payload_layout(payload)
    return [text_id(layout), *values]


def payload_pack_json(payload: dict[str, Any]) -> tuple[str, str]:
    """(layout text, stored form as JSON text) — for the bulk paths, which write JSON text."""
    layout, values = payload_layout(payload)
    ref = _layout_ids.get(layout)
    if ref is None:
        ref = _memo_put(_layout_ids, layout, text_id(layout))
    return layout, json.dumps([ref, *values], ensure_ascii=False, separators=(",", ":"), default=str)


def layout_parse(text: str) -> tuple[list[str], dict[str, Any]]:
    """(keys, values kept in the layout) of a layout text: ``[keys...]`` or ``[[keys...], {key: value}]``."""
    parsed = json.loads(text)
    if parsed and isinstance(parsed[0], list):
        return parsed[0], parsed[1]
    return parsed, {}


def _layout(ref: int) -> tuple[list[str], dict[str, Any]]:
    layout = _layouts.get(ref)
    if layout is None:
        layout = _layouts[ref] = layout_parse(text_of(ref))
    return layout


def payload_unpack(stored: Any) -> dict[str, Any]:
    """The payload from its stored form (an object stored plain is returned as is)."""
    if isinstance(stored, dict) or stored is None:
        return stored or {}
    keys, kept = _layout(stored[0])
    values = iter(stored[1:])
    payload = {k: kept[k] if k in kept else next(values) for k in keys}
    if next(values, _END) is not _END:
        raise ValueError(f"more values than layout {stored[0]} has keys")
    return payload


_END = object()


def text_of(ref: int) -> str:
    text = _texts.get(ref)
    if text is None:
        from gongxin.records.models import VersionText

        text = VersionText.objects.filter(pk=ref).values_list("value", flat=True).first()
        if text is None:
            raise LookupError(f"no stored text {ref}")
        _texts[ref] = text
        _remember({ref: text})
    return text


def _remember(texts: dict[int, str]) -> None:
    """Into the cache of stored rows — after the transaction that wrote (or read) them commits: a rolled back
    insert must not be taken for a stored row (the writer would then skip storing it)."""
    def add() -> None:
        with _lock:
            _stored.update(texts)

    if connection.in_atomic_block:
        transaction.on_commit(add)
    else:
        add()


def texts_ensure(texts: Iterable[str]) -> dict[str, int | None]:
    """Store ``texts`` (those not known yet) and return each one's id, or None when its id is taken by another
    text (the caller then stores that one plainly). Set-based: one INSERT … ON CONFLICT DO NOTHING and one
    SELECT for all the unknown texts of a chunk."""
    from gongxin.records.models import VersionText

    wanted = {text: text_id(text) for text in set(texts)}
    unknown = {text: ref for text, ref in wanted.items() if _stored.get(ref) != text}
    found: dict[str, int | None] = dict(wanted)
    if unknown:
        table = connection.ops.quote_name(VersionText._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (id, value) VALUES (%s, %s) ON CONFLICT (id) DO NOTHING",  # noqa: S608
                [(ref, text) for text, ref in unknown.items()],
            )
        stored = dict(VersionText.objects.filter(pk__in=list(unknown.values())).values_list("pk", "value"))
        _texts.update(stored)
        _remember(dict(stored))
        for text, ref in unknown.items():
            if stored.get(ref) != text:
                found[text] = None  # a collision: stored plainly
    return found


def _matches(stored: Any, lookup: str, value: Any) -> bool:
    """A value kept in a layout against a lookup, as the database compares a JSON key's value."""
    if lookup == "exact":
        return bool(stored == value)
    text = stored if isinstance(stored, str) else json.dumps(stored, ensure_ascii=False)
    if lookup == "iexact":
        return text.casefold() == str(value).casefold()
    if lookup == "contains":
        return str(value) in text
    if lookup == "icontains":
        return str(value).casefold() in text.casefold()
    raise ValueError(f"lookup {lookup!r} is not supported on a payload key")


def payload_key_q(*, prefix: str, key: str, lookup: str = "exact", value: Any) -> Q:
    """A filter on one payload key of the version at ``prefix`` (e.g. ``current_version__``): the layouts that
    keep the key's value and whose value matches (one ``IN``), and, per place of the key in the array, the layouts
    with the key there and the value at that place."""
    from gongxin.records.models import VersionText

    needle = json.dumps(key, ensure_ascii=False)
    layouts: dict[int, str] = {ref: text for ref, text in _texts.items() if text.startswith("[") and needle in text}
    layouts.update(VersionText.objects.filter(value__startswith="[", value__contains=needle)
                   .values_list("pk", "value"))
    field = f"{prefix}packed_payload"
    layout = payload_layout_ref(field)
    # A payload stored plainly (a collision): an object, whose element 0 is null. Saying so first lets PostgreSQL
    # answer every arm of the filter from the layout index (portal 0004), as one bitmap of index probes.
    q = Q(IsNull(layout, True), **{f"{field}__{key}__{lookup}": value})
    kept_matching: list[int] = []
    by_place: dict[int, list[int]] = {}
    for ref, text in layouts.items():
        try:
            keys, kept = layout_parse(text)
        except (ValueError, IndexError, TypeError):
            continue  # a legal basis that starts with "["
        if not isinstance(keys, list) or key not in keys:
            continue
        if key in kept:
            if _matches(kept[key], lookup, value):
                kept_matching.append(ref)
        else:
            place = [k for k in keys if k not in kept].index(key) + 1
            by_place.setdefault(place, []).append(ref)
    if kept_matching:
        q |= Q(In(layout, sorted(kept_matching)))
    for place, refs in sorted(by_place.items()):
        q |= Q(In(layout, sorted(refs)), **{f"{field}__{place}__{lookup}": value})
    return q


def payload_layout_ref(field: str) -> Cast:
    """The layout id of the stored payload at ``field`` (a path such as ``current_version__packed_payload``) as a
    bigint: element 0 of the array, null for a payload stored plainly. PostgreSQL indexes exactly this expression,
    ``((payload -> 0))::bigint`` (portal 0004): a bigint key, unlike a jsonb one, is deduplicated in the index (a
    few thousand layouts over all versions), 7 B a version instead of 47."""
    return Cast(KeyTransform("0", field), BigIntegerField())
