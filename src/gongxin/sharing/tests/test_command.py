"""``gongxin sharing deliver --once`` and ``gongxin sharing status``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from gongxin.core.outbox import outbox_dispatch
from gongxin.sharing.services import subscription_create, subscription_subjects_change, subscription_update
from gongxin.sharing.tests.conftest import Receiver
from gongxin.testing import factories
from gongxin.testing.factories import ApiCaller

pytestmark = pytest.mark.django_db


def test_deliver_once_then_status(gov: ApiCaller, acme, unit, receiver: Receiver):
    receiver.start()
    created = subscription_create(name="命令行", actor=gov.viewer, webhook_url=receiver.url)
    subscription_subjects_change(subscription_id=created.subscription.pk, actor=gov.viewer,
                                 add=[acme.organization.uscc])
    subscription_update(subscription_id=created.subscription.pk, actor=gov.viewer, paused=True)
    factories.penalty_create(subject=acme, source_unit=unit)
    factories.licence_create(subject=acme, source_unit=unit)
    outbox_dispatch()
    status = StringIO()
    call_command("sharing", "status", stdout=status)
    assert "paused, 2 pending, 0 delivered" in status.getvalue()

    subscription_update(subscription_id=created.subscription.pk, actor=gov.viewer, paused=False)
    out = StringIO()
    call_command("sharing", "deliver", "--once", stdout=out)
    assert "sent 2, failed 0" in out.getvalue()
    assert len(receiver.received) == 2
    call_command("sharing", "status", stdout=(status := StringIO()))
    assert "active, 0 pending, 2 delivered" in status.getvalue()
