"""Source-row fingerprints: an unchanged row of a full snapshot is known without being checked again.

When ingest writes a record from a file row it remembers a fingerprint of that row as the reader saw it — the raw
cells in the catalog item's field order, under a key derived from everything that decides what the row becomes: the
platform's lookup key, the rules (the source of the modules that normalize, validate and hash a row), the item (its
field schema, natural key, kinds), the source unit (and its domain) and the policies (the clocks' severity is part of
the content hash). Change any of them and every fingerprint changes: the rows take the full path again.

The record keeps it *bound to its current content*: ``Record.source_fingerprint`` holds the row's fingerprint XOR the
first 8 bytes of the current version's content hash (``records.content.source_fingerprint_bind``). A version appended
by any other path (a correction, an objection, a revocation) leaves the column as it is — if the content changed, the
stored value no longer matches any row's fingerprint under the new content hash, so no path has to remember to clear
it.

On a snapshot re-sync the reader computes only the fingerprint of each row; a row whose fingerprint the unit and
item's records hold (``known_load``, read when the run starts) is *presumed* unchanged and sent without being
normalized, validated or hashed. The writer then verifies each presumed row in its chunk's transaction — the record
its identity names still holds that fingerprint under its current content hash — and stages it (``ingest.snapshot``);
a row that fails (the record changed meanwhile, another row of the chunk names it) is checked by the writer after
all. Decision 084.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import json
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection

from gongxin.catalog.models import CatalogItem, Policy, SourceUnit
from gongxin.ingest import parsing
from gongxin.records.content import source_fingerprint_bind
from gongxin.records.selectors import content_hash_head, identity_probe, identity_probe_cursor

if TYPE_CHECKING:
    from gongxin.ingest.rows import PresumedRows

VERSION = b"gongxin.ingest.row-fingerprint/1"
# The modules whose code decides what a row becomes: a deploy that changes any of them changes every fingerprint.
RULE_MODULES = ("gongxin.ingest.parsing", "gongxin.ingest.rows", "gongxin.catalog.schema", "gongxin.catalog.policy",
                "gongxin.records.content", "gongxin.subjects.identifiers")
SPECIAL_COLUMNS = (parsing.SOURCE_RECORD_ID, parsing.REVOKED, parsing.SEVERITY)
_NOT_ROWS = {parsing.UNREADABLE, parsing.BAD_CELLS, parsing.STOPPED}
_INT64 = 1 << 64
_PRESENCE = {str: "1", type(None): "0"}


@cache
def rules_digest() -> bytes:
    """A digest of the source of the modules that normalize, validate and hash a row."""
    digest = hashlib.blake2b(digest_size=32)
    for name in RULE_MODULES:
        module = importlib.import_module(name)
        digest.update(name.encode() + b"\x00" + Path(module.__file__ or "").read_bytes() + b"\x00")
    return digest.digest()


def _policies_digest() -> bytes:
    rows = sorted(Policy.objects.values(), key=lambda row: row["id"])
    return hashlib.blake2b(json.dumps(rows, sort_keys=True, default=str).encode(), digest_size=32).digest()


class RowFingerprinter:
    """Fingerprints the file rows of one (source unit, catalog item): a CSV record by its text as read
    (``record_sift``), any other row by its cells (``of``). A fingerprint is a signed 64-bit integer, or None for a row
    that has none (a special row; a cell that is not text — numbers and dates of an .xlsx, JSON numbers: those rows
    always take the full path). ``known``: the fingerprints the unit and item's records hold (a snapshot's reader
    presumes those rows unchanged), empty unless loaded."""

    def __init__(self, *, item: CatalogItem, source_unit: SourceUnit, known: set[int] | None = None) -> None:
        schema = json.dumps({
            "item": item.pk, "code": item.code, "edition": item.edition_id, "fields": item.fields,
            "natural_key": item.natural_key, "subject_kinds": item.subject_kinds, "kind": item.record_kind,
            "decision": item.decision_date_field, "unit": source_unit.pk, "domain": source_unit.domain,
            "jurisdiction": settings.GONGXIN_JURISDICTION,
            "cell_chars": parsing.ReadLimits.from_settings().cell_chars,  # a longer cell is refused: another outcome
        }, sort_keys=True, ensure_ascii=False, default=str).encode()
        self._key = hmac.new(settings.GONGXIN_LOOKUP_KEY,
                             VERSION + b"\x00" + rules_digest() + _policies_digest() + schema, hashlib.sha256).digest()
        self._hasher = hashlib.blake2b(key=self._key, digest_size=8)
        self.codes = (*(f["code"] for f in item.fields), *SPECIAL_COLUMNS)
        self._separators = len(self.codes) - 1
        self._identity_codes = {parsing.SOURCE_RECORD_ID, *item.natural_key}
        self.known: set[int] = known or set()

    def record_sift(self, header: str, delimiter: str, columns: dict[int, str], *,
                    identity_of: Callable[[dict[str, Any]], str | None] | None) -> parsing.RecordSift:
        """The sift of a CSV's records (``parsing.table_open(sift_for=...)``): a record's fingerprint is the keyed hash
        of its text as read — decoded, without its line end — under a key that holds the header line as read, so the
        columns' order, spelling and delimiter are part of every fingerprint. A record whose fingerprint is known is
        presumed unchanged with the identity ``identity_of`` finds in its source-record-id and natural-key cells
        (None: it names none, the record is parsed and checked); without ``identity_of`` none is presumed."""
        key = hmac.new(self._key, b"csv-record\x00" + header.encode("utf-8", "surrogatepass"), hashlib.sha256)
        hasher = hashlib.blake2b(key=key.digest(), digest_size=8)
        known = self.known if identity_of is not None else set()
        wanted = [(position, code) for position, code in columns.items() if code in self._identity_codes]

        def sift(text: str, fields: list[str] | None) -> tuple[int | None, str | None]:
            digest = hasher.copy()
            digest.update(text.encode("utf-8", "surrogatepass"))
            fingerprint = int.from_bytes(digest.digest(), "big", signed=True)
            if fingerprint not in known:
                return fingerprint, None
            cells = text.split(delimiter) if fields is None else fields
            count = len(cells)
            named: dict[str, Any] = {}
            for position, code in wanted:  # a loop, not a comprehension: this runs for every presumed record
                if position < count:
                    named[code] = cells[position]
            assert identity_of is not None
            return fingerprint, identity_of(named)

        return sift

    def cells_sifted(self, rows: Iterable[parsing.SourceRow], *,
                     identity_of: Callable[[dict[str, Any]], str | None]) -> Iterator[parsing.SourceRow]:
        """The rows of a table read without a record sift (an .xlsx, JSON), each with its fingerprint of its cells,
        and presumed unchanged (with the identity its cells name) when the fingerprint is known."""
        of, known = self.of, self.known
        for row in rows:
            row.fingerprint = of(row.cells)
            if row.fingerprint is not None and row.fingerprint in known:
                row.presumed = identity_of(row.cells)
            yield row

    def of(self, cells: dict[str, Any]) -> int | None:
        if len(cells) == 1 and not _NOT_ROWS.isdisjoint(cells):
            return None
        values = list(map(cells.get, self.codes))
        try:  # each column: "1" text, "0" absent; any other type (a number, a date) has no fingerprint
            present = "".join(map(_PRESENCE.__getitem__, map(type, values)))
        except KeyError:
            return None
        # The presence of each column, then the cells (an absent one as "None", told apart by its presence) separated
        # by NUL, which no cell of a row holds (a cell with a NUL makes the row a special one) — checked all the same,
        # so that the encoding is one-to-one.
        joined = "\x00".join(map(str, values))
        if joined.count("\x00") != self._separators:
            return None
        hasher = self._hasher.copy()
        hasher.update((present + "\x00" + joined).encode("utf-8", "surrogatepass"))
        return int.from_bytes(hasher.digest(), "big", signed=True)


def _signed(value: int) -> int:
    return value - _INT64 if value >= 1 << 63 else value


def known_load(*, unit_id: int, item_id: int) -> set[int]:
    """The fingerprints of the rows that wrote the unit and item's records' current content (records whose content
    no file row wrote — loaded before fingerprints, changed by another path — have none that matches)."""
    from gongxin.records.models import Record, RecordVersion

    record, version = (connection.ops.quote_name(m._meta.db_table) for m in (Record, RecordVersion))
    known: set[int] = set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT r.source_fingerprint # {content_hash_head()} FROM {record} r "  # noqa: S608
                f"JOIN {version} v ON v.id = r.current_version_id "
                f"WHERE r.source_unit_id = %s AND r.catalog_item_id = %s AND r.source_fingerprint IS NOT NULL",
                [unit_id, item_id],
            )
            while rows := cursor.fetchmany(50_000):
                known.update(row[0] for row in rows)
            return known
        cursor.execute(
            f"SELECT r.source_fingerprint, v.content_hash FROM {record} r "  # noqa: S608
            f"JOIN {version} v ON v.id = r.current_version_id "
            f"WHERE r.source_unit_id = %s AND r.catalog_item_id = %s AND r.source_fingerprint IS NOT NULL",
            [unit_id, item_id],
        )
        while rows := cursor.fetchmany(50_000):
            known.update(_signed(stored ^ int.from_bytes(bytes(digest)[:8], "big", signed=True))
                         for stored, digest in rows)
    return known


def presumed_verify(*, unit_id: int, item_id: int, rows: PresumedRows, stage: str | None = None) -> set[int]:
    """Of ``rows`` — a chunk's presumed rows, an identity once — the numbers whose record (by identity) holds that
    fingerprint under its current version's content hash: unchanged since the row wrote it. With ``stage`` (a
    snapshot's stage table, ``ingest.snapshot``) the verified rows' identities are staged by the same statement. One
    statement on PostgreSQL, the columns passed as they are (no object per row)."""
    from gongxin.records.models import Record, RecordVersion

    if not rows:
        return set()
    record, version = (connection.ops.quote_name(m._meta.db_table) for m in (Record, RecordVersion))
    with identity_probe_cursor() as cursor:
        if connection.vendor == "postgresql":
            # The three columns side by side (ROWS FROM), each passed as one string: numbers joined by commas, the
            # identities as a JSON array — psycopg quotes an array element by element (decision 074), and a chunk's
            # identities quoted one by one cost the writer more than the statement.
            found = identity_probe(
                keys="ROWS FROM (unnest(string_to_array(%s, ',')::int[]), json_array_elements_text(%s::json), "
                     "unnest(string_to_array(%s, ',')::bigint[])) AS k(n, identity, fingerprint)",
                select="k.n, k.identity", where=f"WHERE r.source_fingerprint = k.fingerprint # {content_hash_head()}")
            staged = (f", staged AS (INSERT INTO {connection.ops.quote_name(stage)} (identity) "  # noqa: S608
                      f"SELECT identity FROM found)" if stage else "")
            cursor.execute(
                f"WITH found AS ({found}){staged} SELECT n FROM found",  # noqa: S608
                [",".join(map(str, rows.numbers)), json.dumps(rows.identities, ensure_ascii=False),
                 ",".join(map(str, rows.fingerprints)),
                 unit_id, item_id],
            )
            return {row[0] for row in cursor.fetchall()}
        found_numbers: set[int] = set()
        wanted = {identity: (n, held) for n, identity, held in zip(rows.numbers, rows.identities, rows.fingerprints,
                                                                   strict=True)}
        identities = list(wanted)
        verified: list[str] = []
        for start in range(0, len(identities), 900):  # SQLite's host-parameter limit
            part = identities[start:start + 900]
            cursor.execute(
                f"SELECT r.source_record_id, r.source_fingerprint, v.content_hash FROM {record} r "  # noqa: S608
                f"JOIN {version} v ON v.id = r.current_version_id WHERE r.source_unit_id = %s "
                f"AND r.catalog_item_id = %s AND r.source_fingerprint IS NOT NULL "
                f"AND r.source_record_id IN ({', '.join(['%s'] * len(part))})",
                [unit_id, item_id, *part],
            )
            for identity, stored, digest in cursor.fetchall():
                n, held = wanted[identity]
                if stored == source_fingerprint_bind(held, bytes(digest).hex()):
                    found_numbers.add(n)
                    verified.append(identity)
        if stage and verified:
            cursor.executemany(f"INSERT INTO {connection.ops.quote_name(stage)} (identity) VALUES (%s)",  # noqa: S608
                               [(identity,) for identity in verified])
        return found_numbers
