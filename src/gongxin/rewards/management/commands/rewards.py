"""``gongxin rewards facts-rebuild [--chunk N]`` recomputes every subject's facts (chunked, with progress);
``gongxin rewards facts-stale`` recomputes only the rows whose valid_until has come (a daily job);
``gongxin rewards facts-related [--chunk N]`` is the nightly association refresh: the facts of every subject a firm's
listing may follow to (rewards.related, decision 071), chunked, with progress and the time taken;
``gongxin rewards dry-run EXPR`` tells how many subjects a trigger would hit now."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongxin.accounts.choices import Role
from gongxin.accounts.viewer import Viewer
from gongxin.core.errors import GongxinError
from gongxin.rewards.facts import REBUILD_CHUNK, facts_rebuild, facts_stale_refresh
from gongxin.rewards.related import REFRESH_CHUNK, related_refresh
from gongxin.rewards.services import measure_dry_run

OPERATOR = Viewer(label="cli:operator", role=Role.STAFF)


class Command(BaseCommand):
    help = "Subject facts of joint rewards and punishments: rebuild, refresh stale rows, dry-run a trigger."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("facts-rebuild", help="Recompute every subject's facts")
        rebuild.add_argument("--chunk", type=int, default=REBUILD_CHUNK, help="Subjects per transaction")
        sub.add_parser("facts-stale", help="Recompute facts rows whose valid_until has come")
        related = sub.add_parser("facts-related", help="Recompute the facts of subjects related to listed firms "
                                                       "(the nightly association refresh)")
        related.add_argument("--chunk", type=int, default=REFRESH_CHUNK, help="Subjects per transaction")
        dry = sub.add_parser("dry-run", help="Count the subjects a trigger would hit now")
        dry.add_argument("trigger", help='A CEL expression, e.g. \'"judgment_debtor" in lists\'')

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "facts-rebuild":
            total_done = 0
            for done, total in facts_rebuild(chunk_size=max(1, options["chunk"])):
                total_done = done
                self.stdout.write(f"{done}/{total} subjects", ending="\r")
                self.stdout.flush()
            self.stdout.write(f"\nfacts rebuilt for {total_done} subjects")
        elif action == "facts-related":
            started = time.monotonic()
            total_done = 0
            for done, total in related_refresh(chunk_size=max(1, options["chunk"])):
                total_done = done
                self.stdout.write(f"{done}/{total} subjects", ending="\r")
                self.stdout.flush()
            self.stdout.write(f"\nrelated facts refreshed for {total_done} subjects in "
                              f"{time.monotonic() - started:.1f} s")
        elif action == "facts-stale":
            self.stdout.write(f"facts refreshed for {facts_stale_refresh()} subjects")
        else:
            try:
                result = measure_dry_run(trigger=options["trigger"], actor=OPERATOR)
            except GongxinError as exc:
                raise CommandError(f"{exc.code}: {exc.message}") from exc
            self.stdout.write(f"{result.subjects_hit} of {result.subjects_scanned} subjects hit")
            for row in result.sample:
                self.stdout.write(f"  {row['subject_id']}  {row['uscc']}  {row['name']}")
