"""``gongxin outbox dispatch`` runs every outbox consumer up to the newest event (safe to re-run);
``gongxin outbox status`` shows each consumer's cursor and how far behind it is; ``gongxin outbox prune`` drops
the events every consumer has read (whole partitions on PostgreSQL; safe to re-run)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Max

from gongxin.core.models import ConsumerCursor, OutboxEvent
from gongxin.core.outbox import consumers, outbox_dispatch
from gongxin.core.outbox_partitions import outbox_prune


class Command(BaseCommand):
    help = "Run or inspect the consumers of the event outbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["dispatch", "status", "prune"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "dispatch":
            for name, count in outbox_dispatch().items():
                self.stdout.write(f"{name}: {count} events handled")
            return
        if options["action"] == "prune":
            dropped, deleted = outbox_prune()
            self.stdout.write(f"partitions dropped: {', '.join(dropped) or 'none'}; rows deleted: {deleted}")
            return
        newest = OutboxEvent.objects.aggregate(newest=Max("id"))["newest"] or 0
        positions = dict(ConsumerCursor.objects.values_list("consumer", "position"))
        for consumer in consumers():
            position = positions.get(consumer.name, 0)
            self.stdout.write(f"{consumer.name}: at {position}, {newest - position} behind")
