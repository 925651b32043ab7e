"""A reader never skips an event whose transaction commits after a later one (PostgreSQL sequences)."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest
from django.db import connection, connections, transaction

from gongxin.core.events import RECORD_CREATED
from gongxin.core.models import ConsumerCursor, OutboxEvent
from gongxin.core.outbox import consumer_run, event_emit

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="holes come from concurrent writers")


class Collector:
    name = "test.collector"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def handle(self, events: Sequence[OutboxEvent]) -> None:
        self.seen.extend(e.payload["label"] for e in events)


def _emit(label: str) -> None:
    event_emit(topic=RECORD_CREATED, aggregate_type="record", aggregate_id=1, subject_id=None,
               payload={"label": label})


class SlowWriter(threading.Thread):
    """Emits an event in its own transaction, then waits to be told to commit or roll back."""

    def __init__(self, topic: str, *, commit: bool) -> None:
        super().__init__()
        self.topic, self.commit = topic, commit
        self.emitted, self.release = threading.Event(), threading.Event()

    def run(self) -> None:
        try:
            with transaction.atomic():
                _emit(self.topic)
                self.emitted.set()
                self.release.wait(10)
                if not self.commit:
                    transaction.set_rollback(True)
        finally:
            connections.close_all()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("commit", [True, False])
def test_a_later_commit_waits_for_the_open_transaction_below_it(commit):
    collector = Collector()
    slow = SlowWriter("early", commit=commit)
    slow.start()
    assert slow.emitted.wait(10)
    with transaction.atomic():
        _emit("late")  # a higher id, committed first

    assert consumer_run(collector) == 0  # stops at the hole the open transaction holds
    assert ConsumerCursor.objects.get(consumer=collector.name).hole_seen_at is not None

    slow.release.set()
    slow.join(10)
    consumer_run(collector)
    assert collector.seen == (["early", "late"] if commit else ["late"])
    cursor = ConsumerCursor.objects.get(consumer=collector.name)
    assert cursor.hole_seen_at is None
    assert cursor.position == OutboxEvent.objects.latest("id").id


@pytest.mark.django_db(transaction=True)
def test_a_writer_that_began_after_the_hole_does_not_hold_the_reader():
    collector = Collector()
    holder = SlowWriter("rolled back", commit=False)
    holder.start()
    assert holder.emitted.wait(10)
    with transaction.atomic():
        _emit("first")
    assert consumer_run(collector) == 0
    holder.release.set()
    holder.join(10)

    newcomer = SlowWriter("newcomer", commit=True)  # began after the hole was seen
    newcomer.start()
    assert newcomer.emitted.wait(10)
    try:
        consumer_run(collector)
        assert collector.seen == ["first"]
    finally:
        newcomer.release.set()
        newcomer.join(10)
    consumer_run(collector)
    assert collector.seen == ["first", "newcomer"]


@pytest.mark.django_db(transaction=True)
def test_a_hole_met_after_an_older_one_settled_is_judged_by_the_writers_running_then():
    collector = Collector()
    holder = SlowWriter("rolled back", commit=False)
    holder.start()
    assert holder.emitted.wait(10)
    with transaction.atomic():
        _emit("first")
    assert consumer_run(collector) == 0  # the hole is seen now
    newcomer = SlowWriter("newcomer", commit=True)  # began after that, holds a higher id and stays open
    newcomer.start()
    assert newcomer.emitted.wait(10)
    with transaction.atomic():
        _emit("after the newcomer")
    holder.release.set()
    holder.join(10)
    try:
        consumer_run(collector)  # the first hole is settled; the newcomer's is judged by the writers running now
        assert collector.seen == ["first"]
    finally:
        newcomer.release.set()
        newcomer.join(10)
    consumer_run(collector)
    assert collector.seen == ["first", "newcomer", "after the newcomer"]
