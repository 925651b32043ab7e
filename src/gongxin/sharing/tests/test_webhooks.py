"""The webhook worker against a real receiver: down, broken, then up — nothing lost, duplicated or
reordered per subject; signatures verify; failing endpoints are marked and recover; replay from a cursor."""

from __future__ import annotations

import json
import time

import pytest

from gongxin.catalog.models import SourceUnit
from gongxin.core.outbox import outbox_dispatch
from gongxin.sharing.choices import DeliveryState, SubscriptionStatus
from gongxin.sharing.delivery import FAILING_AFTER, deliveries_send_all, signature_verify
from gongxin.sharing.models import Delivery, DeliveryAttempt, Subscription
from gongxin.sharing.services import Created, subscription_create, subscription_replay, subscription_subjects_change
from gongxin.sharing.tests.conftest import Receiver, send_until_idle
from gongxin.subjects.models import Subject
from gongxin.testing import factories
from gongxin.testing.factories import ApiCaller

pytestmark = pytest.mark.django_db


def _subscribe(caller: ApiCaller, receiver: Receiver, *subjects: Subject) -> Created:
    created = subscription_create(name="采购主体变化", actor=caller.viewer, webhook_url=receiver.url)
    subscription_subjects_change(subscription_id=created.subscription.pk, actor=caller.viewer,
                                 add=[s.organization.uscc for s in subjects])
    return created


def _history(acme: Subject, unit: SourceUnit, n: int) -> list[int]:
    """``n`` changes of acme: a penalty, then corrections and marks (each a new version and event)."""
    record = factories.penalty_create(subject=acme, source_unit=unit)
    ids = [record.pk]
    for _ in range(n - 1):
        record = factories.objection_mark(record) if len(ids) % 2 else factories.record_mark(
            record=record, change="objection_cleared", under_objection=False)
        ids.append(record.pk)
    return ids


def test_receiver_down_then_broken_then_up_gets_everything_once_in_order(gov, acme, other_org, unit, receiver):
    created = _subscribe(gov, receiver, acme, other_org)
    secret = created.secret
    assert secret and secret.startswith("whsec_")
    _history(acme, unit, 4)
    factories.licence_create(subject=other_org, source_unit=unit)
    factories.penalty_create(subject=other_org, source_unit=unit)
    outbox_dispatch()
    deliveries = list(Delivery.objects.filter(subscription=created.subscription).order_by("id"))
    assert len(deliveries) == 6
    assert {d.state for d in deliveries} == {DeliveryState.PENDING}

    # Down: connection refused. Only the head of each subject's queue is tried.
    result = deliveries_send_all()
    assert (result.sent, result.failed) == (0, 2)
    assert DeliveryAttempt.objects.count() == 2
    assert Delivery.objects.filter(attempts=0).count() == 4

    # Broken: 500 for a while (the clock moves past every backoff) — still nothing sent, nothing skipped.
    receiver.mode = "broken"
    receiver.start()
    result = send_until_idle(rounds=FAILING_AFTER)
    assert result.sent == 0
    subscription = Subscription.objects.get(pk=created.subscription.pk)
    assert subscription.status == SubscriptionStatus.FAILING
    assert subscription.failing_since is not None
    assert "500" in subscription.last_error

    # Up: everything arrives, exactly once, in event order per subject.
    receiver.mode = "up"
    result = send_until_idle()
    assert result.sent == 6
    assert not Delivery.objects.exclude(state=DeliveryState.DELIVERED).exists()
    sequences = [int(r.headers["X-Gongxin-Delivery"]) for r in receiver.received]
    assert sorted(sequences) == [d.pk for d in deliveries]  # all, no duplicate
    for subject in (acme, other_org):
        events = [r.json["event_id"] for r in receiver.received if r.json["subject"]["id"] == subject.pk]
        assert events == sorted(events) and len(events) == len(set(events))
    for r in receiver.received:
        assert signature_verify(secret=secret, header=r.headers["X-Gongxin-Signature"], body=r.body, now=r.at)
        assert not signature_verify(secret="whsec_wrong", header=r.headers["X-Gongxin-Signature"], body=r.body,
                                    now=r.at)
        assert r.json["sequence"] == int(r.headers["X-Gongxin-Delivery"])
        assert r.headers["X-Gongxin-Topic"] == r.json["topic"]
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.consecutive_failures == 0
    assert subscription.last_error == ""


def test_signature_is_over_timestamp_and_body(gov, acme, unit, receiver):
    receiver.start()
    created = _subscribe(gov, receiver, acme)
    factories.penalty_create(subject=acme, source_unit=unit)
    outbox_dispatch()
    deliveries_send_all()
    (hook,) = receiver.received
    header = hook.headers["X-Gongxin-Signature"]
    assert signature_verify(secret=created.secret, header=header, body=hook.body)
    assert not signature_verify(secret=created.secret, header=header, body=hook.body + b" ")
    # An old timestamp is refused (replayed capture), a tampered one breaks the MAC.
    assert not signature_verify(secret=created.secret, header=header, body=hook.body, now=time.time() + 3600)
    t = int(header.split(",")[0][2:])
    assert not signature_verify(secret=created.secret, header=header.replace(f"t={t}", f"t={t + 1}"),
                                body=hook.body)


def test_replay_from_a_cursor_sends_again_in_order(gov, acme, unit, receiver):
    receiver.start()
    created = _subscribe(gov, receiver, acme)
    _history(acme, unit, 5)
    outbox_dispatch()
    send_until_idle()
    assert len(receiver.received) == 5
    sequences = [int(r.headers["X-Gongxin-Delivery"]) for r in receiver.received]
    assert sequences == sorted(sequences)
    receiver.received.clear()

    count = subscription_replay(subscription_id=created.subscription.pk, actor=gov.viewer,
                                from_sequence=sequences[2])
    assert count == 3
    send_until_idle()
    assert [int(r.headers["X-Gongxin-Delivery"]) for r in receiver.received] == sequences[2:]


def test_a_failing_head_holds_back_only_its_own_subject(gov, acme, other_org, unit, receiver):
    receiver.start()
    created = _subscribe(gov, receiver, acme, other_org)
    _history(acme, unit, 2)
    outbox_dispatch()
    first = Delivery.objects.filter(subscription=created.subscription).order_by("id").first()
    # Make acme's first delivery wait (as after a failure), then add another subject's event.
    Delivery.objects.filter(pk=first.pk).update(next_attempt_at=first.occurred_at.replace(year=2099))
    factories.penalty_create(subject=other_org, source_unit=unit)
    outbox_dispatch()
    deliveries_send_all()
    subjects = [r.json["subject"]["id"] for r in receiver.received]
    assert subjects == [other_org.pk]  # acme's second change waits behind its first


def test_paused_subscription_sends_nothing_and_resumes(gov, acme, unit, receiver):
    from gongxin.sharing.services import subscription_update

    receiver.start()
    created = _subscribe(gov, receiver, acme)
    subscription_update(subscription_id=created.subscription.pk, actor=gov.viewer, paused=True)
    factories.penalty_create(subject=acme, source_unit=unit)
    outbox_dispatch()
    assert deliveries_send_all().sent == 0
    subscription_update(subscription_id=created.subscription.pk, actor=gov.viewer, paused=False)
    assert deliveries_send_all().sent == 1


@pytest.mark.django_db(transaction=True)
def test_the_task_chain_runs_after_commit(gov, acme, unit, receiver):
    """Record committed → outbox dispatch task → fan-out → delivery task → webhook, with no worker command
    (real commits: the test settings run tasks in-process)."""
    receiver.start()
    _subscribe(gov, receiver, acme)
    factories.penalty_create(subject=acme, source_unit=unit)
    assert len(receiver.received) == 1
    body = json.loads(receiver.received[0].body)
    assert body["topic"] == "records.record.created"
    assert body["content"]["item"] == "penalty"


def test_backoff_grows_is_capped_and_jittered():
    from gongxin.sharing.delivery import backoff_delay

    for attempts, base in ((1, 10), (2, 20), (3, 40), (9, 2560), (12, 3600), (40, 3600)):
        delays = [backoff_delay(attempts).total_seconds() for _ in range(50)]
        assert all(base <= d <= base * 1.2 for d in delays), (attempts, min(delays), max(delays))
        assert len(set(delays)) > 1  # jitter: retries do not all come back at once


def test_a_timeout_is_a_failure_and_is_retried(gov, acme, unit, receiver, settings):
    settings.GONGXIN_SHARING_TIMEOUT_SECONDS = 0.3
    receiver.delay = 1.0
    receiver.start()
    created = _subscribe(gov, receiver, acme)
    factories.penalty_create(subject=acme, source_unit=unit)
    outbox_dispatch()
    assert deliveries_send_all().failed == 1
    delivery = Delivery.objects.get(subscription=created.subscription)
    assert delivery.state == DeliveryState.PENDING and "timed out" in delivery.last_error
    receiver.delay = 0.0
    send_until_idle()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 2
    # The slow receiver had acted on the first POST too: delivery is at least once; the header dedupes.
    time.sleep(1.0)
    assert {r.headers["X-Gongxin-Delivery"] for r in receiver.received} == {str(delivery.pk)}
