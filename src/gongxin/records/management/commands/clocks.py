"""``gongxin clocks run [--date YYYY-MM-DD]`` — the daily clock job (records.expiry): end publicity at
its maximum end, end retention (archive) or extend it while the subject is on a serious dishonesty
list, for everything due on or before the date (default today). Safe to re-run; run it once a day
from cron (docs/repairs.md), or enqueue ``records.expiry.clocks_run_task``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongxin.core.errors import GongxinError
from gongxin.records.expiry import clocks_run


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {text!r}") from exc


class Command(BaseCommand):
    help = "Run the daily clock job: publicity end, retention end and extension of negative records."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Handle everything due on or before the date")
        run.add_argument("--date", dest="day", type=_date, default=None,
                         help="The day to run for (default today; never in the future)")
        run.add_argument("--chunk-size", type=int, default=500, help="Records per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = int(options.get("verbosity", 1))

        def progress(stage: str, done: int, total: int) -> None:
            if verbosity >= 1:
                self.stdout.write(f"{stage}: {done}/{total}")

        try:
            result = clocks_run(day=options["day"], chunk_size=options["chunk_size"], progress=progress)
        except GongxinError as exc:
            raise CommandError(str(exc.message), returncode=1) from exc
        self.stdout.write(
            f"clocks {result.day.isoformat()}: publicity ended {result.publicity_ended}, "
            f"retention ended {result.retention_ended}, retention extended {result.retention_extended}"
        )
