"""The outbox event is committed with its version, never without it; consumers are idempotent."""

from __future__ import annotations

import pytest
from django.db import transaction

from gongxin.core.models import ConsumerCursor, OutboxEvent
from gongxin.core.outbox import event_emit, outbox_dispatch
from gongxin.records.models import ProfileSummary, Record, RecordVersion
from gongxin.records.services import record_revoke, record_submit
from gongxin.testing.payloads import item, payload_for


class Boom(Exception):
    pass


def _submit(unit, operator, subject, source_record_id="CF-1"):
    return record_submit(source_unit=unit, item=item("penalty"), source_record_id=source_record_id,
                         subject=subject, payload=payload_for(item("penalty")), actor=operator)


@pytest.mark.django_db(transaction=True)
def test_event_and_version_commit_together(market_unit, market_operator, organization):
    result = _submit(market_unit, market_operator, organization)
    # Committed (transactional test): both are visible, one event per version.
    assert RecordVersion.objects.filter(record=result.record).count() == 1
    assert OutboxEvent.objects.filter(aggregate_id=result.record.pk, topic="records.record.created").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_failure_after_the_version_leaves_neither(market_unit, market_operator, organization):
    with pytest.raises(Boom), transaction.atomic():
        _submit(market_unit, market_operator, organization)
        raise Boom
    assert Record.objects.count() == 0
    assert RecordVersion.objects.count() == 0
    assert OutboxEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_emit_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        event_emit(topic="x", aggregate_type="t", aggregate_id=1, subject_id=None, payload={})
    assert OutboxEvent.objects.count() == 0


def _dispatch_until_quiet() -> None:
    """Consumers may announce changes of their own (a rescored grade): dispatch until none is left."""
    for _ in range(5):
        if not any(outbox_dispatch().values()):
            return
    raise AssertionError("the consumers keep announcing events")


@pytest.mark.django_db
def test_dispatch_maintains_the_profile_summary_idempotently(market_unit, market_operator, organization):
    first = _submit(market_unit, market_operator, organization, "CF-1")
    _submit(market_unit, market_operator, organization, "CF-2")

    handled = outbox_dispatch()
    assert handled["records.profile_summary"] == 2
    summary = ProfileSummary.objects.get(subject=organization)
    assert summary.counts["penalty"] == 2
    assert summary.counts["polarity:negative"] == 2

    _dispatch_until_quiet()  # what consumers announced in the first round (scores) reaches the others
    assert outbox_dispatch()["records.profile_summary"] == 0  # nothing new: nothing handled
    record_revoke(record=first.record, actor=market_operator, reason="withdrawn")
    _dispatch_until_quiet()
    summary.refresh_from_db()
    assert summary.counts["penalty"] == 1
    cursor = ConsumerCursor.objects.get(consumer="records.profile_summary")
    assert cursor.position == OutboxEvent.objects.latest("id").id

    # Replaying from the start (a crash before the cursor moved) gives the same summary.
    ConsumerCursor.objects.filter(consumer="records.profile_summary").update(position=0)
    outbox_dispatch()
    summary.refresh_from_db()
    assert summary.counts["penalty"] == 1
