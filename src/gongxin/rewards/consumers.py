"""Outbox consumer of the rewards app: keeps every subject's facts row current."""

from __future__ import annotations

from collections.abc import Sequence

from gongxin.catalog.models import CatalogItem
from gongxin.core.events import topics_of
from gongxin.core.models import OutboxEvent
from gongxin.rewards.facts import facts_refresh
from gongxin.rewards.related import related_sources

# Events of this app never change a subject's facts (feedback, certificates).
OWN_TOPICS = topics_of("rewards")


class SubjectFactsConsumer:
    """Recomputes the facts of every subject an event names (records, lists, repairs, objections,
    scoring, commitments...). Idempotent: the row is computed from the current state, so handling an
    event twice gives the same row."""

    name = "rewards.subject_facts"

    def handle(self, events: Sequence[OutboxEvent]) -> None:
        subject_ids = {e.subject_id for e in events if e.subject_id and e.topic not in OWN_TOPICS}
        if subject_ids:
            # A firm's listing follows its legal representatives, controllers and shareholders (rewards.related): the
            # subjects whose list records changed bring the people related to them (other records never do).
            listing = list_items()
            listed = {e.subject_id for e in events if e.subject_id and e.aggregate_type == "record"
                      and (e.payload or {}).get("item") in listing}
            facts_refresh(subject_ids | related_sources(listed))


def list_items() -> frozenset[str]:
    """Codes of the catalog items whose records are list entries (one small query per batch of events)."""
    return frozenset(CatalogItem.objects.exclude(list_type_code="").values_list("code", flat=True))
