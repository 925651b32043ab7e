"""``gongxin scoring run [--date YYYY-MM-DD] [--subject ID ...]`` — score every subject under the active
models (or only the given ones), set-based in the database; safe to re-run (unchanged scores write
nothing). Run it daily after ``gongxin clocks run`` (ages and retention move with the date).
``gongxin scoring simulate MODEL_ID`` prints what activating a draft would change."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongxin.accounts.viewer import SYSTEM
from gongxin.scoring.selectors import model_get, model_simulation
from gongxin.scoring.services import scores_run


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {text!r}") from exc


class Command(BaseCommand):
    help = "Credit evaluation: score subjects, or simulate a model version."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Score every subject (or the given ones) under the active models")
        run.add_argument("--date", dest="day", type=_date, default=None, help="As of this day (default today)")
        run.add_argument("--subject", dest="subjects", type=int, action="append", help="Only this subject id")
        simulate = sub.add_parser("simulate", help="Distributions before/after activating a model version")
        simulate.add_argument("model_id", type=int)
        simulate.add_argument("--date", dest="day", type=_date, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "simulate":
            result = model_simulation(model=model_get(model_id=options["model_id"]), as_of=options["day"])
            self.stdout.write(json.dumps({"before": result.before, "after": result.after,
                                          "transitions": result.transitions, "changed": result.changed_count},
                                         ensure_ascii=False, indent=2))
            return
        run = scores_run(actor=SYSTEM, as_of=options["day"], subject_ids=options["subjects"])
        self.stdout.write(f"{run.kind} {run.as_of}: {run.subjects_scored} scored, {run.subjects_changed} changed, "
                          f"{run.grades_changed} grades changed")
        if run.distribution:
            self.stdout.write(json.dumps(run.distribution, ensure_ascii=False))
