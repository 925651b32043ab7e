"""The relation projection: ``subjects.Relation`` kept from the records of the catalog item ``registration_relation``.

Relations arrive as data like any other record (files, push, the exchange): one record per relation of a registered
organization, versioned; the party's identity number is sealed in the stored payload like every personal field.
``RelationProjection`` (an outbox consumer, before the facts) reads the current versions of the records its events
name — set-based: one read of the records, one look-up of the parties per identifier kind — and hands the wanted
state to ``subjects.services.relations_apply``, which writes only what changed and announces it
(``subjects.relation.added`` / ``.corrected`` / ``.ended``). A correction changes the row; a revoked record ends it
on the day of revocation; an end date ends it on that day. Idempotent: the state is recomputed from the records.

``relations_project`` is the same step for a known set of records (the demo's seed, a rebuild).
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterator, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from gongxin.core import clock
from gongxin.core.errors import GongxinError
from gongxin.core.models import OutboxEvent
from gongxin.records.choices import RecordStatus
from gongxin.records.models import Record
from gongxin.records.personal import value_unseal
from gongxin.subjects.identifiers import rin_lookup_hash, uscc_validate
from gongxin.subjects.selectors import CODE_RIN_HASH, CODE_USCC, subjects_by_codes
from gongxin.subjects.services import RelationState, relations_apply, subject_resolve_or_create

RELATION_ITEM = "registration_relation"
ACTOR_LABEL = "relation projection"
CHUNK = 2000


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _ratio(value: Any) -> Decimal | None:
    """The share as a fraction (the record says per cent: "25.5" -> 0.2550); out of range or unreadable: none."""
    if value in (None, ""):
        return None
    try:
        ratio = (Decimal(str(value)) / 100).quantize(Decimal("0.0001"))
    except (InvalidOperation, ValueError):
        return None
    return ratio if Decimal(0) <= ratio <= Decimal(1) else None


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def relations_project(record_ids: Collection[int], *, day: date | None = None) -> dict[str, int]:
    """Project these registration-relation records onto ``subjects.Relation`` (ids of other items are ignored)."""
    totals = {"added": 0, "corrected": 0, "ended": 0, "unchanged": 0, "skipped": 0}
    today = day or clock.today()
    for part in _chunks(sorted(set(record_ids))):
        rows = list(Record.objects.filter(pk__in=part, catalog_item__code=RELATION_ITEM,
                                          current_version__isnull=False)
                    .select_related("current_version")
                    .values_list("pk", "subject_id", "current_version__status", "current_version__packed_payload",
                                 "current_version__created_at"))
        states, skipped = _states(rows, today)
        totals["skipped"] += skipped
        for key, n in relations_apply(states, actor_label=ACTOR_LABEL).items():
            totals[key] += n
    return totals


def _states(rows: list[tuple[Any, ...]], today: date) -> tuple[list[RelationState], int]:
    from gongxin.records.packing import payload_unpack

    parsed = []
    usccs: dict[str, str] = {}
    rins: dict[str, tuple[str, str]] = {}  # lookup hash -> (rin, name)
    for pk, subject_id, status, packed, changed_at in rows:
        payload = payload_unpack(packed)
        party_uscc = (payload.get("party_uscc") or "").strip().upper()
        party_rin = str(value_unseal(payload.get("party_id_number")) or "").strip().upper()
        key: tuple[str, str] | None = None
        if payload.get("party_category") != "person" and party_uscc:
            try:
                key = (CODE_USCC, uscc_validate(party_uscc))
            except GongxinError:  # an invalid party code is a record the source must correct: no relation
                key = None
            else:
                usccs[key[1]] = payload.get("party_name") or ""
        elif party_rin:
            digest = rin_lookup_hash(party_rin)
            key = (CODE_RIN_HASH, digest)
            rins[digest] = (party_rin, payload.get("party_name") or "")
        parsed.append((pk, subject_id, status, payload, changed_at, key))
    found: dict[tuple[str, str], int] = {}
    for code, sid in subjects_by_codes(scheme=CODE_USCC, codes=usccs):
        found[(CODE_USCC, code)] = sid
    for code, sid in subjects_by_codes(scheme=CODE_RIN_HASH, codes=rins):
        found[(CODE_RIN_HASH, code)] = sid
    # Parties the platform does not know yet are registered as it registers a record's subject (needing enrichment).
    for code, name in usccs.items():
        if (CODE_USCC, code) not in found:
            found[(CODE_USCC, code)] = subject_resolve_or_create(uscc=code, name=name or code,
                                                                 actor_label=ACTOR_LABEL).pk
    for digest, (rin, name) in rins.items():
        if (CODE_RIN_HASH, digest) not in found:
            with contextlib.suppress(GongxinError):  # an invalid identity number: the record stays, no relation
                found[(CODE_RIN_HASH, digest)] = subject_resolve_or_create(rin=rin, name=name,
                                                                           actor_label=ACTOR_LABEL).pk
    states = []
    skipped = 0
    for pk, subject_id, status, payload, changed_at, key in parsed:
        party = found.get(key) if key else None
        if party is None or party == subject_id:
            skipped += 1
            continue
        end = _day(payload.get("end_date"))
        if status != RecordStatus.ACTIVE:  # revoked (or archived): the relation ends that day at the latest
            ended_on = clock.local(changed_at).date() if changed_at else today
            end = min(end, ended_on) if end else ended_on
        states.append(RelationState(
            record_ref=pk, from_subject_id=party, to_subject_id=subject_id, kind=payload.get("relation_kind") or "",
            share_ratio=_ratio(payload.get("share_ratio")), start_date=_day(payload.get("start_date")), end_date=end))
    return states, skipped


class RelationProjection:
    """Keeps ``subjects.Relation`` from the registration-relation records the events name (any change of such a
    record: created, corrected, revoked, archived). Idempotent: the rows are recomputed from the records."""

    name = "monitoring.relation_projection"
    label = _("Relations between subjects")

    def handle(self, events: Sequence[OutboxEvent]) -> None:
        ids = [e.aggregate_id for e in events
               if e.aggregate_type == "record" and (e.payload or {}).get("item") == RELATION_ITEM]
        if ids:
            relations_project(ids)
