"""The outbox consumers' backlog as the workbench shows it (core.catchup), and moving cursors past what a bulk
path did itself (core.outbox.consumers_advance)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from gongxin.core.catchup import catchup_forget, catchup_progress
from gongxin.core.models import ConsumerCursor, OutboxEvent
from gongxin.core.outbox import consumers, consumers_advance, outbox_settled_position

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_samples():
    catchup_forget()
    yield
    catchup_forget()


def _events(n: int) -> list[int]:
    # Written straight into the outbox (no dispatch runs): a backlog the consumers have not read.
    return [OutboxEvent.objects.create(topic="subjects.subject.registered", aggregate_type="subject",
                                       aggregate_id=i, subject_id=None, payload={}, created_at=timezone.now()).id
            for i in range(n)]


def _at(position: int) -> None:
    for consumer in consumers():
        ConsumerCursor.objects.update_or_create(consumer=consumer.name, defaults={"position": position})


def test_nothing_pending_shows_nothing() -> None:
    ids = _events(3)
    _at(ids[-1])
    progress = catchup_progress(now=0.0)
    assert progress.pending == 0 and progress.seconds_left == 0
    assert Template('{% include "core/_catchup.html" %}').render(Context({})).strip() == ""


def test_a_backlog_is_counted_per_consumer_and_its_end_estimated_from_the_rate_seen() -> None:
    ids = _events(100)
    _at(ids[0] - 1)  # nobody has read any of them
    names = [c.name for c in consumers()]
    first = catchup_progress(now=1000.0)
    assert first.pending == 100 * len(names) and first.seconds_left is None  # no rate seen yet
    assert first.behind_since is not None

    # 10 s later the first consumer has read 50 events (5 per second); the others wait for their turn.
    ConsumerCursor.objects.filter(consumer=names[0]).update(position=ids[49])
    second = catchup_progress(now=1010.0)
    rows = {row.name: row for row in second.consumers}
    assert rows[names[0]].pending == 50 and rows[names[0]].rate == pytest.approx(5.0)
    assert rows[names[1]].rate is None
    # Each waiting consumer is counted at the rate seen: (50 + 100 x the others) / 5 per second.
    assert second.seconds_left == pytest.approx((50 + 100 * (len(names) - 1)) / 5.0)
    assert second.minutes_left == round(second.seconds_left / 60)

    with translation.override("zh-hans"):
        html = Template('{% include "core/_catchup.html" %}').render(Context({}))
    assert f'data-catchup-pending="{second.pending}"' in html
    assert "data-catchup-minutes" in html
    assert not any(name in html for name in names)  # consumers are named in words, not by their codes


def test_cursors_move_forward_past_what_was_done_never_back() -> None:
    ids = _events(5)
    _at(ids[1])
    assert outbox_settled_position() == ids[-1]
    names = [c.name for c in consumers()]
    assert consumers_advance(names=names[:2], position=ids[3]) == names[:2]
    assert consumers_advance(names=names[:2], position=ids[2]) == []  # never back
    assert consumers_advance(names=names, position=None) == []  # not settled: nothing moves
    positions = dict(ConsumerCursor.objects.values_list("consumer", "position"))
    assert positions[names[0]] == positions[names[1]] == ids[3]
    assert positions[names[2]] == ids[1]


def test_the_workbench_shows_the_backlog_while_there_is_one(client, staff) -> None:
    client.force_login(staff)
    ids = _events(10)
    _at(ids[0] - 1)
    page = client.get("/workbench/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'data-catchup-pending="{10 * len(consumers())}"' in page and "后台处理进度" in page
    _at(ids[-1])
    assert "data-catchup" not in client.get("/workbench/").content.decode()
