"""The events benefits and lending write go through the configured outbox consumers without harm."""

from __future__ import annotations

from gongxin.accounts.viewer import viewer_for_client, viewer_for_user
from gongxin.benefits.services import usage_default_record, usage_start
from gongxin.benefits.tests.conftest import consent_to, rin_of
from gongxin.core.models import ConsumerCursor, OutboxEvent
from gongxin.core.outbox import outbox_dispatch
from gongxin.lending.seed import lending_seed
from gongxin.lending.selectors import fund_current
from gongxin.lending.services import fund_contribute


def test_default_event_reaches_every_consumer(scenario, person_user, library_key, staff):
    client, _key = library_key
    consent_to(person_user, client)
    actor = viewer_for_client(client)
    usage = usage_start(scenario=scenario, subject_code=rin_of(person_user.subject), reference="E1", actor=actor)
    usage_default_record(usage=usage, amount_yuan="12.00", actor=actor)
    # A fund contribution: an event without a subject.
    lending_seed()
    fund_contribute(fund=fund_current(), amount_yuan="1.00", actor=viewer_for_user(staff))
    event = OutboxEvent.objects.get(topic="benefits.default.recorded")
    assert event.subject_id == person_user.subject_id and event.payload["default_amount_yuan"] == "12.00"
    handled = outbox_dispatch()
    assert handled and all(n >= 1 for n in handled.values())
    newest = OutboxEvent.objects.order_by("-pk").first()
    assert {c.consumer: c.position for c in ConsumerCursor.objects.all()} == dict.fromkeys(handled, newest.pk)
