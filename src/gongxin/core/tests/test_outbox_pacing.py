"""On SQLite a consumer's batch holds the whole database's write lock: batches are sized to a short time and
the dispatcher pauses between them, so that a sign-in waiting for the lock gets it instead of a timeout."""

from __future__ import annotations

import time
from collections.abc import Sequence

import pytest
from django.db import connection, transaction

from gongxin.core.events import RECORD_CREATED
from gongxin.core.models import OutboxEvent
from gongxin.core.outbox import BATCH_SIZE, SQLITE_BATCH_START, EventDraft, consumer_run, events_emit_bulk

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL locks rows, not the database"),
]


class SlowConsumer:
    name = "test.slow"

    def __init__(self, seconds_per_event: float) -> None:
        self.seconds_per_event = seconds_per_event
        self.batches: list[tuple[int, float]] = []

    def handle(self, events: Sequence[OutboxEvent]) -> None:
        started = time.monotonic()
        time.sleep(self.seconds_per_event * len(events))
        self.batches.append((len(events), time.monotonic() - started))


def _events(n: int) -> None:
    with transaction.atomic():
        events_emit_bulk(EventDraft(RECORD_CREATED, "record", i, None, {}) for i in range(n))


def test_slow_batches_shrink_to_the_time_target_and_the_lock_is_released_between_them(settings) -> None:
    settings.GONGXIN_OUTBOX_SQLITE_BATCH_SECONDS = 0.1
    settings.GONGXIN_OUTBOX_SQLITE_YIELD_SECONDS = 0.05
    _events(700)
    consumer = SlowConsumer(seconds_per_event=0.002)  # 200 events: 0.4 s, four times the target

    started = time.monotonic()
    assert consumer_run(consumer) == 700
    elapsed = time.monotonic() - started

    sizes = [size for size, _ in consumer.batches]
    assert sizes[0] == SQLITE_BATCH_START < BATCH_SIZE
    assert sizes[1] < sizes[0] and min(sizes[:-1]) >= 20
    assert all(seconds < 0.25 for _, seconds in consumer.batches[3:])  # each write-lock hold stays short
    assert elapsed >= 0.05 * (len(sizes) - 1)  # a pause (lock free) between every two batches


def test_fast_batches_grow_back_to_the_full_size(settings) -> None:
    settings.GONGXIN_OUTBOX_SQLITE_YIELD_SECONDS = 0.0
    _events(3000)
    consumer = SlowConsumer(seconds_per_event=0.0)

    assert consumer_run(consumer) == 3000
    assert [size for size, _ in consumer.batches][:3] == [200, 400, 800]
    assert max(size for size, _ in consumer.batches) == BATCH_SIZE
