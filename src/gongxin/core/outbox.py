"""Writing and consuming the event outbox.

``event_emit`` is called by services inside the transaction that writes a version, so an event exists
if and only if its change committed. After commit one ``outbox_dispatch`` task is enqueued; it runs
every configured consumer from its cursor. A consumer's effects and its cursor move in one
transaction, so re-running dispatch (after a crash, or twice at once) never applies an event twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, transaction
from django.utils.module_loading import import_string

from gongxin.core import clock
from gongxin.core.models import ConsumerCursor, OutboxEvent

BATCH_SIZE = 1000


@dataclass(frozen=True)
class EventDraft:
    topic: str
    aggregate_type: str
    aggregate_id: int
    subject_id: int | None
    payload: dict[str, Any]


class Consumer(Protocol):
    name: str

    def handle(self, events: Sequence[OutboxEvent]) -> None: ...


def event_emit(
    *, topic: str, aggregate_type: str, aggregate_id: int, subject_id: int | None, payload: dict[str, Any]
) -> OutboxEvent:
    if not connection.in_atomic_block:
        raise RuntimeError("event_emit must run inside the transaction of the change it announces")
    event = OutboxEvent.objects.create(
        topic=topic,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        subject_id=subject_id,
        payload=payload,
        created_at=clock.now(),
    )
    _schedule_dispatch()
    return event


def events_emit_bulk(drafts: Iterable[EventDraft], *, batch_size: int = BATCH_SIZE) -> int:
    """Set-based emit for bulk paths (COPY on PostgreSQL, executemany elsewhere; no model objects); same
    atomicity rule."""
    if not connection.in_atomic_block:
        raise RuntimeError("events_emit_bulk must run inside the transaction of the changes it announces")
    ops = connection.ops
    if connection.vendor == "postgresql":
        return _events_copy(drafts)
    at = ops.adapt_datetimefield_value(clock.now())
    rows = [
        (d.topic, d.aggregate_type, d.aggregate_id, d.subject_id, ops.adapt_json_value(d.payload, None), at)
        for d in drafts
    ]
    if not rows:
        return 0
    table = ops.quote_name(OutboxEvent._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in ("topic", "aggregate_type", "aggregate_id", "subject_id",
                                                     "payload", "created_at"))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)",  # noqa: S608 - model names
                rows[start:start + batch_size],
            )
    _schedule_dispatch()
    return len(rows)


def _events_copy(drafts: Iterable[EventDraft]) -> int:
    ops = connection.ops
    at = clock.now()
    count = 0
    columns = ", ".join(ops.quote_name(c) for c in ("topic", "aggregate_type", "aggregate_id", "subject_id",
                                                     "payload", "created_at"))
    with connection.cursor() as cursor, cursor.copy(
        f"COPY {ops.quote_name(OutboxEvent._meta.db_table)} ({columns}) FROM STDIN"
    ) as copy:
        for d in drafts:
            copy.write_row((d.topic, d.aggregate_type, d.aggregate_id, d.subject_id,
                            json.dumps(d.payload, ensure_ascii=False, separators=(",", ":")), at))
            count += 1
    if count:
        _schedule_dispatch()
    return count


def _dispatch_already_waiting(task: Any) -> bool:
    """True when the database task backend already holds a dispatch that has not started yet: it will
    read this transaction's events too, so a bulk load of many chunks queues one dispatch, not one per chunk."""
    from django_tasks import task_backends

    if not type(task_backends[task.backend]).__module__.startswith("django_tasks_db"):
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=task.module_path, status="READY").exists()


def _enqueue_dispatch() -> None:
    from gongxin.core.tasks import outbox_dispatch

    if _dispatch_already_waiting(outbox_dispatch):
        return
    outbox_dispatch.enqueue()


def _schedule_dispatch() -> None:
    # One dispatch per transaction is enough: it reads every event committed so far. Django drops
    # callbacks of rolled-back (savepoint) blocks, so this check never suppresses a needed dispatch.
    if any(entry[1] is _enqueue_dispatch for entry in connection.run_on_commit):
        return
    transaction.on_commit(_enqueue_dispatch)


def consumers() -> list[Consumer]:
    return [import_string(path)() for path in settings.GONGXIN_OUTBOX_CONSUMERS]


def outbox_dispatch(*, limit_batches: int | None = None) -> dict[str, int]:
    """Run every consumer up to the newest event. Returns events handled per consumer."""
    handled: dict[str, int] = {}
    for consumer in consumers():
        handled[consumer.name] = consumer_run(consumer, limit_batches=limit_batches)
    return handled


def consumer_run(consumer: Consumer, *, limit_batches: int | None = None) -> int:
    total = 0
    batches = 0
    while limit_batches is None or batches < limit_batches:
        with transaction.atomic():
            ConsumerCursor.objects.get_or_create(consumer=consumer.name)
            cursor = ConsumerCursor.objects.select_for_update().get(consumer=consumer.name)
            events = list(OutboxEvent.objects.filter(id__gt=cursor.position).order_by("id")[:BATCH_SIZE])
            if not events:
                return total
            consumer.handle(events)
            cursor.position = events[-1].id
            cursor.updated_at = clock.now()
            cursor.save(update_fields=["position", "updated_at"])
        total += len(events)
        batches += 1
    return total
