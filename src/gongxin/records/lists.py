"""List entries (red and black lists) as a projection of the list records' current versions.

A record of a catalog item with ``list_type_code`` *is* a list entry; its versions are the entry's
history. ``ListEntry`` is the fast answer to "is this subject on a list now", rewritten whenever the
record gets a version, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Protocol

from django.db.models import Q

from gongxin.core import clock
from gongxin.records.counting import counts
from gongxin.records.models import ListEntry, ListType, Record, RecordVersion

# Payload fields that may carry a list entry's dates, in order of preference.
START_FIELDS = ("listing_date", "decision_date", "start_date")
END_FIELDS = ("removal_date", "planned_exit_date", "list_end_date", "end_date")


def _parse(value: object) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


class VersionLike(Protocol):
    """What a list entry is computed from: a RecordVersion, or the bulk path's plain version data (frozen)."""

    @property
    def payload(self) -> Any: ...
    @property
    def decision_date(self) -> Any: ...
    @property
    def status(self) -> str: ...
    @property
    def repaired(self) -> bool: ...
    @property
    def retention_end(self) -> Any: ...
    @property
    def legal_basis(self) -> str: ...


def _entry_values(version: VersionLike, today: date) -> dict[str, object]:
    payload = version.payload or {}
    start = next((d for d in (_parse(payload.get(f)) for f in START_FIELDS) if d), None) or version.decision_date
    end = next((d for d in (_parse(payload.get(f)) for f in END_FIELDS) if d), None)
    # An entry is active while its record is a basis for measures (records.counting: a repaired one is not)
    # and its own end date (the last day on the list) has not passed.
    active = counts(version, day=today, repaired_counts=False) and (end is None or end >= today)
    basis = str(payload.get("basis") or payload.get("listing_basis") or version.legal_basis or "")
    return {"start_date": start or today, "end_date": end, "is_active": active, "basis": basis}


def entries_in_force_q(day: date) -> Q:
    """A list entry in force on ``day``: active, started on or before it, and not ended before it (an entry
    still holds on its end date). The one definition the profile banner, the credit card and reports use."""
    return Q(is_active=True, start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def list_types_by_code() -> dict[str, ListType]:
    return {lt.code: lt for lt in ListType.objects.all()}


def list_entry_sync(*, record: Record, version: RecordVersion) -> ListEntry | None:
    code = record.catalog_item.list_type_code
    if not code:
        return None
    list_type = ListType.objects.get(code=code)
    values = _entry_values(version, clock.today())
    entry, _ = ListEntry.objects.update_or_create(
        record=record, defaults={"list_type": list_type, "subject_id": record.subject_id, **values}
    )
    return entry


def list_entries_sync_bulk(
    entries: Iterable[tuple[int, int, str, VersionLike]], *, list_types: dict[str, ListType]
) -> int:
    """Set-based variant for bulk loads, from (record id, subject id, list type code, version) tuples:
    inserts new entries, updates existing ones."""
    today = clock.today()
    wanted: dict[int, ListEntry] = {}
    for record_id, subject_id, code, version in entries:
        if not code:
            continue
        wanted[record_id] = ListEntry(
            record_id=record_id, subject_id=subject_id, list_type=list_types[code], **_entry_values(version, today),
        )
    if not wanted:
        return 0
    existing = dict(ListEntry.objects.filter(record_id__in=wanted).values_list("record_id", "id"))
    fresh = [entry for record_id, entry in wanted.items() if record_id not in existing]
    changed = []
    for record_id, entry_id in existing.items():
        entry = wanted[record_id]
        entry.pk = entry_id
        changed.append(entry)
    ListEntry.objects.bulk_create(fresh, batch_size=2000)
    if changed:
        ListEntry.objects.bulk_update(changed, ["list_type", "start_date", "end_date", "is_active", "basis"],
                                      batch_size=1000)
    return len(wanted)
