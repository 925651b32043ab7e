"""Reading the record-version stream of one catalog item for sending: set-based, in chunks, in version order.

The stream of an item is its record versions in id order (ids only grow). A chunk is one statement — the versions
after a position, joined to their records, the subjects' codes and nothing else — read with ``values_list`` (no
model objects), and turned into package records: the identity, the change (created / corrected / revoked travel as
such), the version number, the status and the payload with personal values in clear (the package seals them for
its receiver) and local field names replaced by the subscription's national ones.

Versions whose change does not travel (objection marks, publicity and retention clocks: those are the local
platform's business) are read and skipped: the position still moves past them.

The stream is read in commit order, not merely id order (decision 076). On PostgreSQL a version's id is taken when it
is inserted, but transactions commit in any order: version 10, written by a transaction still open, is not visible
while version 11 already is. A chunk therefore ends before the first *hole* — an id between the position and the
chunk's last version that no committed version of any item has, and that a transaction still running may yet fill
(``core.outbox.ids_settled_upto``, the outbox's rule) — and the cursor keeps when it first saw the hole
(``SendingCursor.hole_seen_at``). The ids of other items' versions are no holes: holes are judged on the whole
version table, the chunk is filtered by item. SQLite serializes writers, so ids commit in order there.

A full snapshot reads the item's records in force in record id order instead, each by its newest version up to the
cursor's position when the snapshot is built (a version written later is sent by the incremental stream after it,
never by the snapshot, so the two never disagree on order); it is streamed into one package. Every id up to the
position is settled — committed, or never to be — so the snapshot and the stream after it miss nothing either.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Max

from gongxin.catalog.models import CatalogItem
from gongxin.core.outbox import ids_settled_upto, writers_end_wait
from gongxin.exchange.errors import StreamBusy
from gongxin.records.choices import ChangeKind, RecordStatus
from gongxin.records.models import Record, RecordVersion
from gongxin.records.packing import payload_unpack
from gongxin.records.personal import payload_unseal

# The changes that travel to a peer, as the package's operation; every other change is local (decision 068).
OPERATIONS = {
    ChangeKind.CREATED: "new", ChangeKind.CORRECTED: "correction", ChangeKind.REVOKED: "revocation",
    ChangeKind.LIST_REMOVED: "revocation",
}

# How long a subscription "from now on" waits for the writers that may hold versions below the newest one.
START_WAIT_SECONDS = 30.0

_COLUMNS = (
    "id", "change", "status", "packed_payload", "created_at", "record__source_record_id",
    "record__source_unit__department__code", "record__source_unit__department__name",
)


@dataclass
class Chunk:
    """Package records of one chunk and the stream position after it: the last version read, travelling or not, or
    the id just before the hole the chunk stopped at (then ``hole_seen_at`` is when that hole was first seen)."""

    records: list[dict[str, Any]] = field(default_factory=list)
    position: int = 0
    read: int = 0
    newest_created_at: datetime | None = None
    hole_seen_at: datetime | None = None


def national_payload(*, item: CatalogItem, stored: Any, mapping: dict[str, str]) -> dict[str, Any]:
    payload = payload_unseal(item=item, payload=payload_unpack(stored))
    if not mapping:
        return payload
    return {mapping.get(key, key): value for key, value in payload.items()}


def _record(item: CatalogItem, mapping: dict[str, str], row: tuple[Any, ...], op: str) -> dict[str, Any]:
    _vid, _change, _status, stored, _created, identity, issuer_code, issuer_name = row
    return {"op": op, "source_record_id": identity, "issuer": {"code": issuer_code, "name": issuer_name},
            "fields": national_payload(item=item, stored=stored, mapping=mapping)}


def stream_position_newest(*, item: CatalogItem) -> int:
    """The newest version id of the item (0: none)."""
    newest = RecordVersion.objects.filter(record__catalog_item=item).aggregate(newest=Max("id"))["newest"]
    return int(newest or 0)


def stream_start_position(*, item: CatalogItem, wait_seconds: float = START_WAIT_SECONDS) -> int:
    """The newest version id of the item as a cursor's starting position, once settled: a transaction that was
    writing when it was read may hold a lower id and commit later. The first full snapshot, taken as of the
    position, brings every version up to it — so the wait is for those writers to end (``StreamBusy`` after
    ``wait_seconds``)."""
    newest = stream_position_newest(item=item)
    if not writers_end_wait(timeout=wait_seconds):
        raise StreamBusy()
    return newest


def versions_after(*, item: CatalogItem, position: int, limit: int, mapping: dict[str, str],
                   hole_seen_at: datetime | None = None) -> Chunk:
    """The next ``limit`` versions of ``item`` after ``position`` that can be sent without ever skipping one, as a
    chunk of package records. On PostgreSQL the ids of the next ``limit`` versions are read first, the ids up to the
    last of them judged (``ids_settled_upto``, ``hole_seen_at`` the cursor's), then the versions up to the settled
    end in one statement (a version committed meanwhile is among them)."""
    versions = RecordVersion.objects.filter(id__gt=position, record__catalog_item_id=item.pk).order_by("id")
    chunk = Chunk(position=position)
    settled_upto: int | None = None
    if connection.vendor == "postgresql":
        ids = list(versions.values_list("id", flat=True)[:limit])
        if not ids:
            return chunk
        settled = ids_settled_upto(RecordVersion, position=position, end=ids[-1], hole_seen_at=hole_seen_at)
        chunk.hole_seen_at = settled.hole_seen_at
        if settled.upto == position:  # the hole just after the position may still fill
            return chunk
        # The ids again up to the settled end (a version that committed meanwhile is among them), then the rows by
        # primary key: a plan that does not depend on the statistics of a table a bulk load has just filled (with
        # both bounds on the range, stale estimates made PostgreSQL probe every record of the item: 5 s a chunk).
        settled_upto = settled.upto
        ids = list(versions.filter(id__lte=settled_upto).values_list("id", flat=True)[:limit])
        versions = RecordVersion.objects.filter(id__in=ids).order_by("id")
    for row in versions.values_list(*_COLUMNS)[:limit]:
        chunk.read += 1
        chunk.position = row[0]
        chunk.newest_created_at = row[4]
        op = OPERATIONS.get(row[1])
        if op is not None:
            chunk.records.append(_record(item, mapping, row, op))
    if settled_upto is not None:
        if chunk.read < limit or chunk.position == settled_upto:
            chunk.position = settled_upto  # up to the hole (or the last version): every id up to it is settled
        else:
            chunk.hole_seen_at = None  # more versions than were counted: the chunk ends before the hole
    return chunk


def snapshot_records(*, item: CatalogItem, upto: int, mapping: dict[str, str],
                     chunk_size: int = 5000) -> Iterator[dict[str, Any]]:
    """Every record of ``item`` in force as of version ``upto``, by its newest version up to it (record id order,
    ``chunk_size`` records a statement): the body of a full snapshot, streamed."""
    after = 0
    while True:
        rows = list(Record.objects.filter(catalog_item_id=item.pk, id__gt=after, current_version__isnull=False)
                    .order_by("id").values_list("id", "current_version_id")[:chunk_size])
        if not rows:
            return
        after = rows[-1][0]
        current = {rid: vid for rid, vid in rows if vid <= upto}
        stale = [rid for rid, vid in rows if vid > upto]
        if stale:  # changed since: the version as of the snapshot (the incremental stream sends the newer ones)
            current.update(RecordVersion.objects.filter(record_id__in=stale, id__lte=upto).values("record_id")
                           .annotate(vid=Max("id")).values_list("record_id", "vid"))
        versions = (RecordVersion.objects.filter(id__in=list(current.values()), status=RecordStatus.ACTIVE)
                    .order_by("record_id").values_list(*_COLUMNS))
        for row in versions:
            yield _record(item, mapping, row, "new")
