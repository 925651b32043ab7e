"""``gongxin figures refresh`` recounts the home page's headline figures (safe to re-run; run it from cron, e.g.
every ten minutes, or after a bulk load); ``gongxin figures show`` prints the stored ones and when they were
counted."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gongxin.core import clock
from gongxin.portal.models import PlatformFigure
from gongxin.portal.statistics import figures_refresh


class Command(BaseCommand):
    help = "Recount or show the home page's figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["refresh", "show"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "refresh":
            started = time.perf_counter()
            figures = figures_refresh()
            self.stdout.write(f"{len(figures)} figures counted in {time.perf_counter() - started:.2f} s")
        for key, value, as_of in PlatformFigure.objects.order_by("key").values_list("key", "value", "as_of"):
            self.stdout.write(f"{key:<36} {value:>14,}  as of {clock.local(as_of).isoformat(timespec='seconds')}")
