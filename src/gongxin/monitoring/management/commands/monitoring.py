"""``gongxin monitoring train|activate|run|validate`` — the early-warning scorecard's operator jobs.

- ``train [--as-of DATE] [--seed N] [--activate]``: a draft scorecard from the platform's outcomes;
- ``activate --scorecard ID``: make a draft the active scorecard;
- ``run [--as-of DATE]``: score every organization with the active scorecard and raise alerts;
- ``validate [--seed N]``: the same pipeline on the public German credit data (AUC and KS printed);
- ``dashboards``: recount the dashboards' maintained statistics (the nightly job; decision 073).
Each is safe to re-run: training adds a version, a run adds a run (alerts are raised once).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongxin.accounts.viewer import SYSTEM
from gongxin.core.errors import GongxinError
from gongxin.monitoring.models import Scorecard


class Command(BaseCommand):
    help = "Train, activate and run the early-warning scorecard; validate it on German credit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["train", "activate", "run", "validate", "dashboards"])
        parser.add_argument("--as-of", type=date.fromisoformat, default=None)
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--scorecard", type=int, default=None)
        parser.add_argument("--activate", action="store_true", help="activate the trained scorecard")

    def handle(self, *args: Any, **options: Any) -> None:
        from gongxin.monitoring import services

        try:
            getattr(self, f"_{options['action']}")(services, options)
        except GongxinError as error:
            raise CommandError(f"{error.code}: {error.message} {error.details or ''}") from error

    def _train(self, services: Any, options: dict[str, Any]) -> None:
        scorecard = services.scorecard_train(actor=SYSTEM, as_of=options["as_of"], seed=options["seed"])
        self.stdout.write(f"scorecard {scorecard.pk} ({scorecard.code} v{scorecard.version}) trained on "
                          f"{scorecard.training['rows_train']} + {scorecard.training['rows_test']} subjects: "
                          f"AUC {scorecard.auc_train} / {scorecard.auc_test}, KS {scorecard.ks_train} / "
                          f"{scorecard.ks_test} (train / hold-out); features "
                          f"{', '.join(f['code'] for f in scorecard.features)}")
        if options["activate"]:
            services.scorecard_activate(scorecard=scorecard, actor=SYSTEM)
            self.stdout.write(f"scorecard {scorecard.pk} is active")

    def _dashboards(self, services: Any, options: dict[str, Any]) -> None:
        import time

        from gongxin.monitoring.dashboards import dashboards_refresh

        started = time.monotonic()
        stored = dashboards_refresh()
        self.stdout.write(f"dashboards counted in {time.monotonic() - started:.2f} s: "
                          + ", ".join(f"{key} {rows}" for key, rows in stored.items()))

    def _activate(self, services: Any, options: dict[str, Any]) -> None:
        scorecard = Scorecard.objects.filter(pk=options["scorecard"]).first()
        if scorecard is None:
            raise CommandError("--scorecard ID of a draft scorecard is required")
        services.scorecard_activate(scorecard=scorecard, actor=SYSTEM)
        self.stdout.write(f"scorecard {scorecard.pk} is active")

    def _run(self, services: Any, options: dict[str, Any]) -> None:
        run = services.risk_run(actor=SYSTEM, as_of=options["as_of"])
        self.stdout.write(f"run {run.pk}: {run.subjects} organizations scored as of {run.as_of}, "
                          f"{run.alerts_raised} alerts raised, {run.alerts_renewed} open ones renewed, "
                          f"{run.alerts_held} held back by the monthly target")

    def _validate(self, services: Any, options: dict[str, Any]) -> None:
        from gongxin.monitoring.datasets import german_credit
        from gongxin.monitoring.modelling import scorecard_fit

        frame, target, categorical = german_credit()
        fitted = scorecard_fit(frame=frame, target=target, categorical=categorical,
                               seed=42 if options["seed"] is None else options["seed"])
        m = fitted.metrics
        self.stdout.write(f"German credit: {m['rows_train']} training / {m['rows_test']} hold-out rows, "
                          f"{len(fitted.features)} features kept")
        self.stdout.write(f"AUC train {m['auc_train']:.4f}  hold-out {m['auc_test']:.4f}")
        self.stdout.write(f"KS  train {m['ks_train']:.4f}  hold-out {m['ks_test']:.4f}")
