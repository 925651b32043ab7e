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
from django.db.models import Q

_BITS = 40  # 13 digits in a packed payload; a collision is expected after ~10^6 distinct texts, and is harmless
_texts: dict[int, str] = {}  # id -> text as read or written here: decoding (an id means one text per database)
_stored: dict[int, str] = {}  # the same, only once the transaction that wrote or read the row has committed
_lock = threading.Lock()


def text_id(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big") >> (64 - _BITS)


def layout_text(keys: Iterable[str]) -> str:
    return json.dumps(sorted(keys), ensure_ascii=False, separators=(",", ":"))


def payload_pack(payload: dict[str, Any]) -> list[Any]:
    """The stored form of ``payload`` (its layout's row must exist: ``texts_ensure``)."""
    keys = sorted(payload)
    return [text_id(layout_text(keys)), *(payload[k] for k in keys)]


def payload_pack_json(payload: dict[str, Any]) -> tuple[str, str]:
    """(layout text, stored form as JSON text) — for the bulk paths, which write JSON text."""
    keys = sorted(payload)
    layout = layout_text(keys)
    packed = [text_id(layout), *(payload[k] for k in keys)]
    return layout, json.dumps(packed, ensure_ascii=False, separators=(",", ":"), default=str)


def payload_unpack(stored: Any) -> dict[str, Any]:
    """The payload from its stored form (an object stored plain is returned as is)."""
    if isinstance(stored, dict) or stored is None:
        return stored or {}
    keys = json.loads(text_of(stored[0]))
    return dict(zip(keys, stored[1:], strict=True))


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


def payload_key_q(*, prefix: str, key: str, lookup: str = "exact", value: Any) -> Q:
    """A filter on one payload key of the version at ``prefix`` (e.g. ``current_version__``): for each stored
    layout that has the key, the layout id first and the key's place in the array."""
    from gongxin.records.models import VersionText

    layouts: dict[int, str] = {ref: text for ref, text in _texts.items() if text.startswith("[")}
    layouts.update(VersionText.objects.filter(value__startswith="[").values_list("pk", "value"))
    field = f"{prefix}packed_payload"
    q = Q(**{f"{field}__{key}__{lookup}": value})  # a payload stored plainly (a collision)
    for ref, text in layouts.items():
        try:
            keys = json.loads(text)
        except ValueError:
            continue
        if isinstance(keys, list) and key in keys:
            q |= Q(**{f"{field}__0": ref, f"{field}__{keys.index(key) + 1}__{lookup}": value})
    return q
