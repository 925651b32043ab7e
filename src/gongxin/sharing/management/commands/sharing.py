"""``gongxin sharing deliver [--once]``: the webhook worker (safe to run in several processes on PostgreSQL);
``gongxin sharing status``: subscriptions, their backlog and failing endpoints."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gongxin.sharing.delivery import deliveries_send_all
from gongxin.sharing.selectors import subscriptions_overview


class Command(BaseCommand):
    help = "Send due webhooks of subscriptions, or show their state."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["deliver", "status"])
        parser.add_argument("--once", action="store_true", help="Send what is due now, then stop.")
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds between polls (default 2).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "status":
            for row in subscriptions_overview():
                self.stdout.write(
                    f"#{row.subscription.pk} {row.subscription.client.name} / {row.subscription.name}: "
                    f"{row.subscription.status}, {row.pending} pending, {row.delivered} delivered"
                    + (f", last error: {row.subscription.last_error}" if row.subscription.last_error else "")
                )
            return
        while True:
            result = deliveries_send_all()
            if result.sent or result.failed:
                self.stdout.write(f"sent {result.sent}, failed {result.failed}")
            if options["once"]:
                return
            time.sleep(options["interval"])
