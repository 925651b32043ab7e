"""``gongxin commitments daily [--date YYYY-MM-DD]`` — remind subjects before their commitments' deadlines and
note the commitments past them (each once: safe to re-run, or to run twice at once). Run it once a day from
cron, or enqueue ``gongxin.commitments.tasks.commitments_daily_task``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongxin.commitments.services import commitments_daily
from gongxin.core import clock


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {text!r}") from exc


class Command(BaseCommand):
    help = "Daily job of credit commitments: reminders before the deadline, overdue notes after it."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        daily = sub.add_parser("daily", help="Send the reminders due and note the overdue commitments")
        daily.add_argument("--date", dest="day", type=_date, default=None,
                           help="The day to run for (default today; never in the future)")

    def handle(self, *args: Any, **options: Any) -> None:
        day = options["day"] or clock.today()
        if day > clock.today():
            raise CommandError("The date must not be in the future.")
        result = commitments_daily(day=day)
        self.stdout.write(f"commitments {result.day.isoformat()}: reminded {result.reminded}, "
                          f"overdue noted {result.overdue}")
