"""``gongxin calendar status`` says which source answers for each year (a stored arrangement, the
chinese-calendar package, or the statutory holidays only: provisional deadlines);
``gongxin calendar load`` stores the years the installed package knows (safe to re-run: a stored year is
kept; ``--replace`` renews years loaded from the package, never one entered by staff). Decision 038."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongxin.core import clock
from gongxin.core.arrangements import arrangement_load, calendar_coverage
from gongxin.core.workdays import LIBRARY_YEARS, CalendarSource


class Command(BaseCommand):
    help = "Inspect the working-day calendar's sources per year, or load years from the chinese-calendar package."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["status", "load"])
        parser.add_argument("--year", type=int, action="append", dest="years",
                            help="a year (repeatable); status: last year to two years ahead; load: this year on")
        parser.add_argument("--replace", action="store_true",
                            help="load: renew years stored from an older package release")

    def handle(self, *args: Any, **options: Any) -> None:
        this_year = clock.today().year
        if options["action"] == "load":
            years = options["years"] or [y for y in LIBRARY_YEARS if y >= this_year - 1]
            for outcome in arrangement_load(years=years, actor_label="command:calendar", replace=options["replace"]):
                self.stdout.write(f"{outcome.year}: {outcome.outcome}")
            return
        years = options["years"] or list(range(this_year - 1, this_year + 3))
        provisional = []
        for row in calendar_coverage(years=years):
            self.stdout.write(f"{row.year}: {row.source} — {row.detail}")
            if row.source is CalendarSource.STATUTORY:
                provisional.append(row.year)
        # Exit non-zero (for monitoring) when this year has no arrangement, or next year has none in December:
        # the State Council publishes it in November, and deadlines filed now start running into it.
        due = {this_year, this_year + 1} if clock.today().month == 12 else {this_year}
        if due & set(provisional):
            raise CommandError(f"no arrangement for {', '.join(map(str, provisional))}: deadlines are provisional")
