"""Reading the record-version stream of one catalog item for sending: set-based, in chunks, in version order.

The stream of an item is its record versions in id order (ids only grow). A chunk is one statement — the versions
after a position, joined to their records, the subjects' codes and nothing else — read with ``values_list`` (no
model objects), and turned into package records: the identity, the change (created / corrected / revoked travel as
such), the version number, the status and the payload with personal values in clear (the package seals them for
its receiver) and local field names replaced by the subscription's national ones.

Versions whose change does not travel (objection marks, publicity and retention clocks: those are the local
platform's business) are read and skipped: the position still moves past them.

A full snapshot reads the item's records in force in record id order instead, each by its newest version up to the
cursor's position when the snapshot is built (a version written later is sent by the incremental stream after it,
never by the snapshot, so the two never disagree on order); it is streamed into one package.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Max

from gongxin.catalog.models import CatalogItem
from gongxin.records.choices import ChangeKind, RecordStatus
from gongxin.records.models import Record, RecordVersion
from gongxin.records.packing import payload_unpack
from gongxin.records.personal import payload_unseal

# The changes that travel to a peer, as the package's operation; every other change is local (decision 068).
OPERATIONS = {
    ChangeKind.CREATED: "new", ChangeKind.CORRECTED: "correction", ChangeKind.REVOKED: "revocation",
    ChangeKind.LIST_REMOVED: "revocation",
}

_COLUMNS = (
    "id", "change", "status", "packed_payload", "created_at", "record__source_record_id",
    "record__source_unit__department__code", "record__source_unit__department__name",
)


@dataclass
class Chunk:
    """Package records of one chunk and the stream position after it (the last version read, travelling or not)."""

    records: list[dict[str, Any]] = field(default_factory=list)
    position: int = 0
    read: int = 0
    newest_created_at: datetime | None = None


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


def versions_after(*, item: CatalogItem, position: int, limit: int, mapping: dict[str, str]) -> Chunk:
    """The next ``limit`` versions of ``item`` after ``position`` (one statement), as a chunk of package records."""
    versions = RecordVersion.objects.filter(id__gt=position, record__catalog_item_id=item.pk)
    chunk = Chunk(position=position)
    for row in versions.order_by("id").values_list(*_COLUMNS)[:limit]:
        chunk.read += 1
        chunk.position = row[0]
        chunk.newest_created_at = row[4]
        op = OPERATIONS.get(row[1])
        if op is not None:
            chunk.records.append(_record(item, mapping, row, op))
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
