"""Several delivery workers at once (PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED): every delivery is sent
exactly once and each subject's deliveries still arrive in order."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from gongxin.core.outbox import outbox_dispatch
from gongxin.sharing.choices import DeliveryState, SubscriptionStatus
from gongxin.sharing.delivery import deliveries_send_all
from gongxin.sharing.models import Delivery, Subscription
from gongxin.sharing.services import subscription_create, subscription_subjects_change, subscription_update
from gongxin.sharing.tests.conftest import Receiver
from gongxin.testing import factories
from gongxin.testing.factories import ApiCaller

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer: one worker")


@pytest.mark.django_db(transaction=True)
def test_three_workers_send_each_delivery_once_in_order(gov: ApiCaller, unit, receiver: Receiver):
    receiver.delay = 0.05
    receiver.start()
    subjects = [factories.organization_create(name=f"宁波并发推送测试{i}有限公司") for i in range(6)]
    created = subscription_create(name="并发", actor=gov.viewer, webhook_url=receiver.url)
    subscription_subjects_change(subscription_id=created.subscription.pk, actor=gov.viewer,
                                 add=[s.organization.uscc for s in subjects])
    # The test settings run tasks in-process at commit: pause while the history is written, so the workers
    # below find the whole backlog.
    subscription_update(subscription_id=created.subscription.pk, actor=gov.viewer, paused=True)
    for subject in subjects:
        record = factories.penalty_create(subject=subject, source_unit=unit)
        factories.objection_mark(record)
        factories.repair_mark(record)
    outbox_dispatch()
    # Resume without the service: it would enqueue the (in-process) delivery task and send it all at once.
    Subscription.objects.filter(pk=created.subscription.pk).update(status=SubscriptionStatus.ACTIVE)
    expected = set(Delivery.objects.filter(subscription=created.subscription, state=DeliveryState.PENDING)
                   .values_list("id", flat=True))
    assert len(expected) == 18

    errors: list[BaseException] = []
    sent: list[int] = []

    def work() -> None:
        try:
            sent.append(deliveries_send_all(limit=2).sent)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    deliveries_send_all()  # whatever a worker left when it saw nothing due for a moment
    assert not errors
    assert sum(1 for n in sent if n) >= 2, sent  # the work was shared, not done by one worker
    sequences = [int(r.headers["X-Gongxin-Delivery"]) for r in receiver.received]
    assert sorted(sequences) == sorted(expected)  # each exactly once
    for subject in subjects:
        events = [r.json["event_id"] for r in receiver.received if r.json["subject"]["id"] == subject.pk]
        assert len(events) == 3 and events == sorted(events)
