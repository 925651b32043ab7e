"""Writes of the record lifecycle. Each change: one transaction, one version, one outbox event.

``record_submit`` is what a source unit says (create, or correct when the content changed, or nothing
when it did not); ``record_revoke`` withdraws a record; ``record_version_append`` is the one place a
version is written, used by these and by the services of other apps (objections, repairs, the daily
clock job) for marks and ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from gongxin.accounts.viewer import Viewer
from gongxin.catalog.models import CatalogItem, SourceUnit
from gongxin.catalog.policy import clocks_compute
from gongxin.catalog.schema import payload_validate
from gongxin.core import clock
from gongxin.core.events import record_topic
from gongxin.core.outbox import event_emit
from gongxin.records.choices import ChangeKind, RecordStatus
from gongxin.records.content import clock_fields, content_hash, record_identity
from gongxin.records.errors import RecordRevoked, WrongSubjectKind
from gongxin.records.ledger import version_log
from gongxin.records.lists import list_entry_sync
from gongxin.records.models import Record, RecordVersion
from gongxin.records.permissions import write_check
from gongxin.records.personal import payload_seal
from gongxin.subjects.models import Subject

# Fields a version may change; everything else is copied from the previous version.
VERSION_FIELDS = (
    "status", "payload", "content_hash", "polarity", "severity", "decision_date", "under_objection",
    "repaired", "published", "publicity_min_end", "publicity_max_end", "publicity_ended", "retention_end",
    "publicity_policy_id", "retention_policy_id",
)


@dataclass(frozen=True)
class SubmitResult:
    record: Record
    version: RecordVersion | None
    outcome: str  # "created", "corrected" or "unchanged"


def record_version_append(
    *,
    record: Record,
    change: str,
    actor: Viewer,
    reason: str = "",
    legal_basis: str = "",
    **changes: Any,
) -> RecordVersion:
    """Append a version to ``record``: the previous version's state with ``changes`` applied.

    Must run inside a transaction (the callers' services open it); locks the record row so two
    changes of one record never get the same number.
    """
    unknown = set(changes) - set(VERSION_FIELDS)
    if unknown:
        raise TypeError(f"not version fields: {sorted(unknown)}")
    if changes.get("payload") is not None:
        changes["payload"] = payload_seal(item=record.catalog_item, payload=changes["payload"])
    locked = Record.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=record.pk)
    previous = locked.current_version
    state: dict[str, Any] = {}
    if previous is not None:
        state = {name: getattr(previous, name) for name in VERSION_FIELDS}
    state.update(changes)
    version = RecordVersion(
        record=locked,
        number=(previous.number + 1) if previous else 1,
        change=change,
        actor_id=actor.user_id,
        actor_label=actor.label,
        reason=reason,
        created_at=clock.now(),
        **state,
    )
    version.legal_basis = legal_basis  # a property: stored by reference (records.packing)
    version.save(force_insert=True)
    version_log(record=record, version=version)  # its leaf of the tamper-evident log, in this transaction
    Record.objects.filter(pk=locked.pk).update(current_version=version)
    record.current_version = version
    list_entry_sync(record=record, version=version)
    event_emit(
        topic=record_topic(change),
        aggregate_type="record",
        aggregate_id=record.pk,
        subject_id=record.subject_id,
        payload={
            "version": version.number,
            "item": record.catalog_item.code,
            "status": version.status,
            "polarity": version.polarity,
        },
    )
    return version


def record_submit(
    *,
    source_unit: SourceUnit,
    item: CatalogItem,
    source_record_id: str | None,
    subject: Subject,
    payload: dict[str, Any],
    actor: Viewer,
    severity: str | None = None,
    reason: str = "",
) -> SubmitResult:
    """Create a record, or correct it when its content changed; unchanged content writes nothing.

    Without ``source_record_id`` the record is identified by the item's natural key."""
    write_check(viewer=actor, source_unit=source_unit, item=item)
    if item.subject_kinds and subject.kind not in item.subject_kinds:
        raise WrongSubjectKind()
    canonical = payload_validate(item=item, payload=payload)
    source_record_id = record_identity(item=item, payload=canonical, source_record_id=source_record_id)
    clocks = clocks_compute(item=item, domain=source_unit.domain, payload=canonical, severity=severity)
    digest = content_hash(payload=canonical, severity=clocks.severity)
    with transaction.atomic():
        record, created = Record.objects.select_related("current_version").get_or_create(
            source_unit=source_unit,
            catalog_item=item,
            source_record_id=source_record_id,
            defaults={"subject": subject, "created_at": clock.now()},
        )
        current = record.current_version
        if not created and current is not None:
            if current.status == RecordStatus.REVOKED:
                raise RecordRevoked()
            if current.content_hash == digest and record.subject_id == subject.pk:
                return SubmitResult(record=record, version=None, outcome="unchanged")
        if not created and record.subject_id != subject.pk:
            # The versions so far stay logged under the subject they had (records.ledger: leaf v2).
            history = record.subject_history
            if current is not None:
                history = [*(history or []), [current.number, record.subject_id]]
            Record.objects.filter(pk=record.pk).update(subject=subject, subject_history=history)
            record.subject, record.subject_history = subject, history
        change = ChangeKind.CREATED if created or current is None else ChangeKind.CORRECTED
        version = record_version_append(
            record=record,
            change=change,
            actor=actor,
            reason=reason,
            legal_basis=item.legal_basis,
            status=RecordStatus.ACTIVE,
            payload=canonical,
            content_hash=digest,
            under_objection=current.under_objection if current else False,
            repaired=current.repaired if current else False,
            publicity_ended=current.publicity_ended if current else False,
            **clock_fields(clocks),
        )
    return SubmitResult(record=record, version=version, outcome=str(change))


def record_revoke(*, record: Record, actor: Viewer, reason: str) -> RecordVersion:
    """Withdraw a record (the source unit's decision was revoked): a version, never a deletion."""
    write_check(viewer=actor, source_unit=record.source_unit, item=record.catalog_item)
    with transaction.atomic():
        current = Record.objects.select_related("current_version").get(pk=record.pk).current_version
        if current is not None and current.status == RecordStatus.REVOKED:
            raise RecordRevoked()
        return record_version_append(
            record=record, change=ChangeKind.REVOKED, actor=actor, reason=reason, status=RecordStatus.REVOKED
        )

