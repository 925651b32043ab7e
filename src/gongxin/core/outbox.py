"""Writing and consuming the event outbox.

``event_emit`` is called by services inside the transaction that writes a version, so an event exists
if and only if its change committed. After commit one ``outbox_dispatch`` task is enqueued; it runs
every configured consumer from its cursor. A consumer's effects and its cursor move in one
transaction, so re-running dispatch (after a crash, or twice at once) never applies an event twice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, models, transaction
from django.utils.module_loading import import_string

from gongxin.core import clock
from gongxin.core.events import CATALOG
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
    _listed(topic, aggregate_type)
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


def _listed(topic: str, aggregate_type: str) -> str:
    """Topics are a public contract: only those of the event catalog (core.events) may be emitted, each
    about the aggregate type the catalog names."""
    entry = CATALOG.get(topic)
    if entry is None:
        raise ValueError(f"topic {topic!r} is not in the event catalog (gongxin.core.events)")
    if entry.aggregate_type != aggregate_type:
        raise ValueError(f"topic {topic!r} is about {entry.aggregate_type!r}, not {aggregate_type!r}")
    return topic


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
        (_listed(d.topic, d.aggregate_type), d.aggregate_type, d.aggregate_id, d.subject_id,
         ops.adapt_json_value(d.payload, None), at)
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
    from gongxin.core.outbox_partitions import outbox_partitions_ensure

    ops = connection.ops
    at = clock.now()
    count = 0
    outbox_partitions_ensure()  # a partition's end is near only once per millions of events
    columns = ", ".join(ops.quote_name(c) for c in ("topic", "aggregate_type", "aggregate_id", "subject_id",
                                                     "payload", "created_at"))
    with connection.cursor() as cursor, cursor.copy(
        f"COPY {ops.quote_name(OutboxEvent._meta.db_table)} ({columns}) FROM STDIN"
    ) as copy:
        for d in drafts:
            copy.write_row((_listed(d.topic, d.aggregate_type), d.aggregate_type, d.aggregate_id, d.subject_id,
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
    from gongxin.core.outbox_partitions import outbox_partitions_ensure

    outbox_partitions_ensure()  # events written one at a time meet no bulk path: keep partitions ahead here
    handled: dict[str, int] = {}
    for consumer in consumers():
        handled[consumer.name] = consumer_run(consumer, limit_batches=limit_batches)
    return handled


# SQLite has one writer at a time: a consumer's batch holds the write lock of the whole database, so a sign-in
# (its session and last_login writes) waits behind it. There a batch is sized to take about
# GONGXIN_OUTBOX_SQLITE_BATCH_SECONDS (between SQLITE_BATCH_MIN and BATCH_SIZE events), and the dispatcher
# pauses GONGXIN_OUTBOX_SQLITE_YIELD_SECONDS between batches — longer than SQLite's longest busy-wait sleep
# (100 ms) — so that a waiting writer gets the lock instead of timing out behind a backlog. PostgreSQL locks
# rows, not the database: batches stay at BATCH_SIZE with no pause.
SQLITE_BATCH_MIN = 20
SQLITE_BATCH_START = 200


def _sqlite_pacing() -> tuple[float, float]:
    return (float(getattr(settings, "GONGXIN_OUTBOX_SQLITE_BATCH_SECONDS", 0.5)),
            float(getattr(settings, "GONGXIN_OUTBOX_SQLITE_YIELD_SECONDS", 0.15)))


def consumer_run(consumer: Consumer, *, limit_batches: int | None = None) -> int:
    total = 0
    batches = 0
    sqlite = connection.vendor == "sqlite"
    target_seconds, yield_seconds = _sqlite_pacing()
    size = SQLITE_BATCH_START if sqlite else BATCH_SIZE
    while limit_batches is None or batches < limit_batches:
        if sqlite and batches:
            time.sleep(yield_seconds)
        started = time.monotonic()
        with transaction.atomic():
            ConsumerCursor.objects.get_or_create(consumer=consumer.name)
            cursor = ConsumerCursor.objects.select_for_update().get(consumer=consumer.name)
            read = events_settled_after(cursor.position, hole_seen_at=cursor.hole_seen_at, limit=size)
            if read.events:
                consumer.handle(read.events)
            if read.position != cursor.position or read.hole_seen_at != cursor.hole_seen_at:
                cursor.position = read.position
                cursor.hole_seen_at = read.hole_seen_at
                cursor.updated_at = clock.now()
                cursor.save(update_fields=["position", "hole_seen_at", "updated_at"])
        total += len(read.events)
        batches += 1
        if sqlite and read.events:
            elapsed = time.monotonic() - started
            if elapsed > target_seconds and size > SQLITE_BATCH_MIN:
                size = max(SQLITE_BATCH_MIN, size // 2)
            elif elapsed < target_seconds / 2 and size < BATCH_SIZE:
                size = min(BATCH_SIZE, size * 2)
        if read.hole_seen_at is not None:
            _dispatch_later()
            return total
        if not read.events:
            return total
    return total


def outbox_settled_position() -> int | None:
    """The newest event id such that every event up to it is committed and visible, or None when that cannot
    be told now (PostgreSQL: another transaction that has written is still running, and may hold a lower id)."""
    newest = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    if connection.vendor != "postgresql":
        return newest  # one writer at a time: ids are committed in order
    _now, running = _writers_started_before(None)
    return None if running else newest


def consumers_advance(*, names: Iterable[str], position: int | None) -> list[str]:
    """Move the cursors of the consumers ``names`` forward to ``position`` (never back); returns those moved.

    For a bulk path that has itself done, set-based and from the state after every event up to ``position``,
    exactly what those consumers would do for those events (the demo's seed rescoring every subject, say): they
    need not work through them again. The caller takes ``position`` from ``outbox_settled_position`` *before*
    its set-based step, so nothing that step did not see is skipped; None moves nothing."""
    if position is None:
        return []
    moved: list[str] = []
    with transaction.atomic():
        for name in names:
            ConsumerCursor.objects.get_or_create(consumer=name)
            cursor = ConsumerCursor.objects.select_for_update().get(consumer=name)
            if cursor.position >= position:
                continue
            cursor.position = position
            cursor.hole_seen_at = None
            cursor.updated_at = clock.now()
            cursor.save(update_fields=["position", "hole_seen_at", "updated_at"])
            moved.append(name)
    return moved


@dataclass(frozen=True)
class SettledRead:
    events: list[OutboxEvent]
    hole_seen_at: datetime | None  # set when the reader stopped at a hole that may still fill
    position: int  # the cursor's next position: every event id up to it is handed out or will never exist


def events_settled_after(position: int, *, hole_seen_at: datetime | None = None,
                         limit: int = BATCH_SIZE) -> SettledRead:
    """The next events after ``position`` that can be handed out without ever skipping one (``ids_settled_upto``:
    a hole in the ids stops the reader until it is known to be filled or permanent). SQLite serializes writers,
    so ids there are committed in order."""
    events = list(OutboxEvent.objects.filter(id__gt=position).order_by("id")[:limit])
    if connection.vendor != "postgresql" or not events or _contiguous(events, position):
        return SettledRead(events, None, events[-1].id if events else position)
    settled = ids_settled_upto(OutboxEvent, position=position, end=events[-1].id, hole_seen_at=hole_seen_at)
    # Read again after looking at the writers: one that committed in between is visible now.
    events = list(OutboxEvent.objects.filter(id__gt=position, id__lte=settled.upto).order_by("id"))
    return SettledRead(events, settled.hole_seen_at, settled.upto)


def _contiguous(events: Sequence[OutboxEvent], position: int) -> bool:
    return events[0].id == position + 1 and events[-1].id - events[0].id == len(events) - 1


@dataclass(frozen=True)
class Settled:
    upto: int  # every id up to this one is committed and visible, or will never exist
    hole_seen_at: datetime | None  # set when the reader stops short: the hole just after ``upto`` may still fill


def ids_settled_upto(model: type[models.Model], *, position: int, end: int,
                     hole_seen_at: datetime | None = None) -> Settled:
    """How far past ``position`` towards ``end`` (an id the caller has read, committed) a reader of ``model``'s rows
    in id order may move without ever skipping a row. The caller reads its rows up to ``upto`` *after* this call.

    On PostgreSQL ids come from a sequence when a row is inserted, but transactions commit in any order: while
    transaction A (holding id 10) is still open, B's id 11 may already be visible. A reader that moved past 11
    would never see 10. A *hole* is a run of ids below ``end`` that no committed row has: its holder (if it is not
    a rollback) took the ids before ``end`` was taken, so it was running before the caller's read and is found
    among the transactions that have written and began before now. None running: every hole is settled (filled,
    and visible to the caller's next read, or permanent). Otherwise the reader stops before the first hole; the
    caller stores ``hole_seen_at`` with its position ``upto``, and the hole just after the position is settled
    once no transaction that began before that moment is still running. A hole further on is judged when it is
    met, by the transactions running then — never by an older moment, which would pass a hole whose holder began
    after it. Ids are judged on the whole table: rows the caller filters out are no holes.

    SQLite serializes writers, so ids there are committed in order.
    """
    if connection.vendor != "postgresql" or end <= position:
        return Settled(max(position, end), None)
    seen_at, running = _writers_started_before(None)
    if not running:
        return Settled(end, None)
    holes = _holes(model, after=position, end=end)
    if holes and holes[0] == position + 1 and hole_seen_at is not None:
        if _writers_started_before(hole_seen_at)[1]:
            return Settled(position, hole_seen_at)
        holes = holes[1:]  # the hole seen then is filled or permanent; the next one is judged now
    if not holes:
        return Settled(end, None)
    return Settled(holes[0] - 1, seen_at)


def _holes(model: type[models.Model], *, after: int, end: int) -> list[int]:
    """The first id of the first two runs of ids in ``(after, end]`` that no visible row has (``end`` has one):
    one scan of the primary key's index in id order, stopped at the second run."""
    quote = connection.ops.quote_name
    column = model._meta.pk.column if model._meta.pk is not None else None
    table, pk = quote(model._meta.db_table), quote(column or "id")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT previous + 1 FROM (SELECT {pk} AS id, lag({pk}, 1, %s::bigint) OVER (ORDER BY {pk})"  # noqa: S608
            f" AS previous FROM {table} WHERE {pk} > %s AND {pk} <= %s) AS ids WHERE id > previous + 1"
            " ORDER BY id LIMIT 2",
            [after, after, end],
        )
        return [int(row[0]) for row in cursor.fetchall()]


def writers_end_wait(*, timeout: float) -> bool:
    """Wait until every other transaction of this database that has written and is running now has ended: then any
    id taken before this call is committed and visible, or will never be (PostgreSQL; SQLite serializes writers).
    False when some still run after ``timeout`` seconds."""
    if connection.vendor != "postgresql":
        return True
    seen_at, running = _writers_started_before(None)
    deadline = time.monotonic() + timeout
    while running:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
        running = _writers_started_before(seen_at)[1]
    return True


def _writers_started_before(moment: datetime | None) -> tuple[datetime, bool]:
    """(the database's clock now, whether another transaction of this database that holds a transaction
    id — it has written — and began before ``moment`` (default: now) is still running). Only client sessions
    count: an autovacuum worker's ANALYZE holds a transaction id too (it writes the statistics) but never takes
    a row id, and after a bulk load it runs for as long as the load was big."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement_timestamp(), EXISTS (SELECT 1 FROM pg_stat_activity"
            " WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend' AND xact_start < COALESCE(%s, statement_timestamp()))",
            [moment],
        )
        now, running = cursor.fetchone()
    return now, bool(running)


def _dispatch_later() -> None:
    """A reader stopped at a hole: the writer holding it schedules a dispatch when it commits, but not
    when it rolls back — so ask for another look shortly, where the task backend can defer."""
    from django_tasks import task_backends

    from gongxin.core.tasks import outbox_dispatch

    backend = task_backends[outbox_dispatch.backend]
    if not getattr(backend, "supports_defer", False) or _dispatch_already_waiting(outbox_dispatch):
        return
    outbox_dispatch.using(run_after=clock.now() + timedelta(seconds=2)).enqueue()
