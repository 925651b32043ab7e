"""The fan-out consumer: which events become deliveries for which subscription (scoping), set-based and
idempotent; items a purpose can never see are not announced; the level table agrees with disclosure."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from gongxin.access.disclosure import records_visible
from gongxin.catalog.choices import DisclosureLevel
from gongxin.catalog.models import CatalogItem
from gongxin.core.models import OutboxEvent
from gongxin.core.outbox import outbox_dispatch
from gongxin.sharing.choices import DeliveryState
from gongxin.sharing.consumers import SubscriptionFanout
from gongxin.sharing.content import PURPOSE_LEVELS
from gongxin.sharing.models import Delivery, Subscription
from gongxin.sharing.services import Filters, subscription_create, subscription_subjects_change
from gongxin.subjects.models import Subject
from gongxin.testing import factories
from gongxin.testing.factories import ApiCaller

pytestmark = pytest.mark.django_db


def _follow(caller: ApiCaller, *subjects: Subject, **kwargs: Any) -> Subscription:
    created = subscription_create(name="订阅", actor=caller.viewer, **kwargs)
    codes = [s.organization.uscc if s.kind == "organization" else None for s in subjects]
    subscription_subjects_change(subscription_id=created.subscription.pk, actor=caller.viewer,
                                 add=[c for c in codes if c])
    return created.subscription


def _topics(subscription: Subscription) -> list[tuple[int, str]]:
    return list(Delivery.objects.filter(subscription=subscription).order_by("id")
                .values_list("subject_id", "topic"))


def test_a_subscription_gets_only_its_subjects(gov, acme, other_org, unit):
    mine = _follow(gov, acme)
    factories.penalty_create(subject=acme, source_unit=unit)
    factories.penalty_create(subject=other_org, source_unit=unit)
    outbox_dispatch()
    assert _topics(mine) == [(acme.pk, "records.record.created")]
    assert Delivery.objects.get(subscription=mine).state == DeliveryState.FEED  # no webhook: feed only


def test_filters_by_item_record_kind_and_list(gov, acme, unit):
    by_item = _follow(gov, acme, filters=Filters(items=["licence"]))
    by_kind = _follow(gov, acme, filters=Filters(record_kinds=["penalty"]))
    by_list = _follow(gov, acme, filters=Filters(list_types=["red_list"]))
    everything = _follow(gov, acme)
    licence = factories.licence_create(subject=acme, source_unit=unit)
    penalty = factories.penalty_create(subject=acme, source_unit=unit)
    honour = factories.honour_create(subject=acme, source_unit=unit)
    outbox_dispatch()

    def aggregates(subscription: Subscription) -> list[int]:
        return list(Delivery.objects.filter(subscription=subscription).order_by("id")
                    .values_list("aggregate_id", flat=True))

    assert aggregates(by_item) == [licence.pk]
    assert aggregates(by_kind) == [penalty.pk]
    assert aggregates(by_list) == [honour.pk]
    assert aggregates(everything) == [licence.pk, penalty.pk, honour.pk]


def test_all_subjects_with_a_list_filter(gov, market, acme, other_org, person, unit):
    city_red_list = _follow(gov, all_subjects=True, filters=Filters(list_types=["red_list"]))
    factories.honour_create(subject=acme, source_unit=unit)
    factories.honour_create(subject=other_org, source_unit=unit)
    factories.penalty_create(subject=other_org, source_unit=unit)
    outbox_dispatch()
    assert sorted(s for s, _ in _topics(city_red_list)) == sorted([acme.pk, other_org.pk])


def test_persons_never_reach_a_client_without_the_sharing_scope(gov, market, person, unit):
    public_all = _follow(market, all_subjects=True)
    shared_all = _follow(gov, all_subjects=True)
    factories.penalty_create(subject=person, source_unit=unit)
    outbox_dispatch()
    assert _topics(public_all) == []
    assert _topics(shared_all) == [(person.pk, "records.record.created")]


def test_internal_items_are_never_announced(gov, acme, unit):
    everything = _follow(gov, acme)
    internal = factories.internal_item_create()
    factories.penalty_create(subject=acme, source_unit=unit, item=internal)
    outbox_dispatch()
    assert _topics(everything) == []


def test_handling_events_twice_adds_nothing_and_is_one_statement(gov, acme, other_org, unit):
    _follow(gov, acme, other_org)
    _follow(gov, acme, webhook_url="https://hooks.example.test/gongxin")
    factories.penalty_create(subject=acme, source_unit=unit)
    factories.penalty_create(subject=other_org, source_unit=unit)
    factories.licence_create(subject=acme, source_unit=unit)
    outbox_dispatch()
    assert Delivery.objects.count() == 5
    events = list(OutboxEvent.objects.order_by("id"))
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        SubscriptionFanout().handle(events)
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1  # set-based: one INSERT … SELECT for the batch, whatever it fans out to
    assert Delivery.objects.count() == 5


@pytest.mark.parametrize("level", [DisclosureLevel.PUBLIC, DisclosureLevel.SHARED, DisclosureLevel.AUTHORIZED,
                                   DisclosureLevel.INTERNAL])
def test_purpose_levels_agree_with_the_disclosure_policy(gov, market, acme, unit, level):
    penalty = CatalogItem.objects.get(code="penalty", edition__is_current=True)
    penalty.disclosure_level = level
    penalty.save(update_fields=["disclosure_level"])
    record = factories.penalty_create(subject=acme, source_unit=unit, decided=None)
    for caller, purpose in ((gov, "sharing"), (market, "public")):
        visible = records_visible(viewer=caller.viewer, purpose=purpose).filter(pk=record.pk).exists()
        assert visible == (level in PURPOSE_LEVELS[purpose]), (purpose, level)
