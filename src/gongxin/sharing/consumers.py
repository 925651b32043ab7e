"""The outbox consumer that turns events into per-subscription deliveries, set-based.

For each batch of events the outbox hands over, ONE ``INSERT … SELECT`` (per 500 events) joins the events
with the subscriptions that follow their subject (or all subjects) and whose filters match the record's
catalog item, record kind or list — never a row at a time. It runs under the consumer's cursor lock
(core.outbox), so fan-outs never interleave and delivery ids (the sequence clients see) grow in event
order. ``ON CONFLICT DO NOTHING`` on (subscription, event) makes handling an event twice harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from gongxin.catalog.choices import SubjectKind
from gongxin.catalog.models import CatalogItem
from gongxin.core import clock
from gongxin.core.models import OutboxEvent
from gongxin.records.choices import Purpose
from gongxin.records.models import Record
from gongxin.sharing.choices import DeliveryState
from gongxin.sharing.content import PURPOSE_LEVELS, shared_aggregate_types
from gongxin.sharing.models import Delivery, Subscription, SubscriptionFilter, SubscriptionSubject
from gongxin.sharing.services import deliveries_send_enqueue
from gongxin.subjects.models import Subject

CHUNK = 500


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _fanout_sql(n_ids: int) -> tuple[str, list[object]]:
    """The statement for ``n_ids`` event ids (placeholders), with its parameters other than the ids."""
    levels_sql = []
    level_params: list[object] = []
    for purpose, levels in PURPOSE_LEVELS.items():
        levels_sql.append(f"(s.purpose = %s AND ci.disclosure_level IN ({', '.join(['%s'] * len(levels))}))")
        level_params += [purpose, *levels]
    delivery = _table(Delivery)
    columns = ", ".join(connection.ops.quote_name(c) for c in (
        "subscription_id", "event_id", "subject_id", "topic", "aggregate_type", "aggregate_id", "occurred_at",
        "state", "attempts", "next_attempt_at", "last_error"))
    # Only model table names and placeholders are formatted in; every value is a parameter.
    sql = f"""
        INSERT INTO {delivery} ({columns})
        SELECT s.id, e.id, e.subject_id, e.topic, e.aggregate_type, e.aggregate_id, e.created_at,
               CASE WHEN s.webhook_url <> '' THEN %s ELSE %s END, 0,
               CASE WHEN s.webhook_url <> '' THEN %s ELSE NULL END, ''
        FROM {_table(OutboxEvent)} e
        JOIN {_table(Subject)} subj ON subj.id = e.subject_id
        LEFT JOIN {_table(Record)} r ON e.aggregate_type = %s AND r.id = e.aggregate_id
        LEFT JOIN {_table(CatalogItem)} ci ON ci.id = r.catalog_item_id
        JOIN {_table(Subscription)} s ON (subj.kind <> %s OR s.purpose <> %s)
        WHERE e.id IN ({', '.join(['%s'] * n_ids)})
          AND e.aggregate_type IN ({', '.join(['%s'] * len(shared_aggregate_types()))})
          AND (e.aggregate_type <> %s OR {' OR '.join(levels_sql)})
          AND (s.all_subjects = %s OR EXISTS (
                SELECT 1 FROM {_table(SubscriptionSubject)} ss
                WHERE ss.subject_id = e.subject_id AND ss.subscription_id = s.id))
          AND (NOT EXISTS (SELECT 1 FROM {_table(SubscriptionFilter)} f WHERE f.subscription_id = s.id)
               OR EXISTS (SELECT 1 FROM {_table(SubscriptionFilter)} f WHERE f.subscription_id = s.id AND (
                    (f.kind = 'item' AND f.code = ci.code)
                 OR (f.kind = 'record_kind' AND f.code = ci.record_kind)
                 OR (f.kind = 'list' AND f.code = ci.list_type_code))))
        ORDER BY e.id, s.id
        ON CONFLICT (subscription_id, event_id) DO NOTHING
    """  # noqa: S608
    return sql, level_params


class SubscriptionFanout:
    """Outbox consumer ``sharing.fanout``: events with a subject → ``Delivery`` rows."""

    name = "sharing.fanout"

    def handle(self, events: Sequence[OutboxEvent]) -> None:
        types = set(shared_aggregate_types())
        ids = [e.id for e in events if e.subject_id is not None and e.aggregate_type in types]
        if not ids or not Subscription.objects.exists():
            return
        now = connection.ops.adapt_datetimefield_value(clock.now())
        inserted = 0
        with connection.cursor() as cursor:
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start:start + CHUNK]
                sql, level_params = _fanout_sql(len(chunk))
                params: list[Any] = [
                    DeliveryState.PENDING, DeliveryState.FEED, now, "record", SubjectKind.PERSON, Purpose.PUBLIC,
                    *chunk, *sorted(types), "record", *level_params, True,
                ]
                cursor.execute(sql, params)
                inserted += max(cursor.rowcount, 0)
        if inserted:
            transaction.on_commit(deliveries_send_enqueue)
