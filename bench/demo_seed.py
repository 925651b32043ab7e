"""Benchmark: seed the default demo city into a fresh database and report each phase's time and rate.

    .venv/bin/python bench/demo_seed.py                     # SQLite in a fresh temporary data dir
    .venv/bin/python bench/demo_seed.py --records 1000000   # any size (see --help)
    .venv/bin/python bench/demo_seed.py --postgres postgresql://user:pass@localhost:5432/postgres

With ``--postgres`` a temporary database is created on that server (the URL's user needs CREATEDB)
and dropped afterwards. Phases: migrate, the demo seed's own phases (departments, organizations,
persons, relations, records), then the outbox consumers catching up (what ``gongxin db_worker`` does
in the background after a seed; skip with ``--no-dispatch``). ``make bench`` runs the default.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from _scratch import scratch_platform


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--organizations", type=int, default=30_000)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--postgres", metavar="URL", help="benchmark on PostgreSQL (a temporary database there)")
    parser.add_argument("--no-dispatch", action="store_true", help="do not time the outbox consumers")
    parser.add_argument("--progress", action="store_true", help="show the seed's progress bars")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    return parser.parse_args()


def _timed(label: str, timings: list[tuple[str, float, int | None]], rows: int | None = None) -> Callable:
    def run(function: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = function()
        timings.append((label, time.perf_counter() - started, rows))
        return result

    return run


def _bench(args: argparse.Namespace) -> list[tuple[str, float, int | None]]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongxin.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from gongxin.core.outbox import outbox_dispatch
    from gongxin.demo.services import SeedReport, demo_seed

    timings: list[tuple[str, float, int | None]] = []
    _timed("migrate", timings)(lambda: call_command("migrate", interactive=False, verbosity=0))
    report = SeedReport()
    demo_seed(seed=args.seed, organizations=args.organizations, persons=args.persons, records=args.records,
              progress=args.progress, report=report)
    rows = {"organizations": report.counts.get("organizations"), "persons": report.counts.get("persons"),
            "relations": report.counts.get("relations"), "records": report.counts.get("records"),
            "departments": report.counts.get("source_units")}
    timings += [(f"seed: {name}", seconds, rows.get(name)) for name, seconds in report.seconds.items()]
    if report.counts.get("records_rejected"):
        print(f"warning: {report.counts['records_rejected']} records rejected, e.g. {report.rejections[:1]}",
              file=sys.stderr)
    if not args.no_dispatch:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM core_outboxevent")
            events = cursor.fetchone()[0]
        _timed("outbox consumers", timings, events)(outbox_dispatch)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    _print_shape(args.seed)
    return timings


def _print_shape(seed: int) -> None:
    """The seeded city's shape: records per organization, black-list share, the showcase subjects."""
    from django.db.models import Count

    from gongxin.demo.services import demo_showcase
    from gongxin.records.models import ListEntry, Record
    from gongxin.subjects.models import Subject

    organizations = Subject.objects.filter(kind="organization").count() or 1
    per = sorted(Record.objects.filter(subject__kind="organization").values("subject").annotate(n=Count("id"))
                 .values_list("n", flat=True))
    per = [0] * (organizations - len(per)) + list(per)
    black = (ListEntry.objects.filter(list_type__kind="black", is_active=True, subject__kind="organization")
             .values("subject").distinct().count())
    print(f"records per organization: {sum(n <= 3 for n in per) / organizations:.0%} have 0-3, "
          f"median {per[len(per) // 2]}, p99 {per[int(len(per) * 0.99)]}, max {per[-1]}; "
          f"{black / organizations:.1%} of organizations on a black list now")
    for shown in demo_showcase(seed=seed):
        print(f"{shown.label}: {shown.name}, {shown.records} records, {shown.list_entries} list entries")


def _print(timings: list[tuple[str, float, int | None]], args: argparse.Namespace) -> None:
    print(f"demo city seed {args.seed}: {args.organizations:,} organizations, {args.persons:,} persons, "
          f"{args.records:,} records")
    print(f"{'phase':<24} {'seconds':>9} {'rows':>10} {'rows/s':>10}")
    for label, seconds, rows in timings:
        rate = f"{rows / seconds:,.0f}" if rows and seconds > 0 else ""
        print(f"{label:<24} {seconds:>9.1f} {rows if rows is not None else '':>10} {rate:>10}")
    seed_total = sum(s for label, s, _ in timings if label.startswith("seed:"))
    print(f"{'seed total':<24} {seed_total:>9.1f}")
    print(f"{'all phases':<24} {sum(s for _, s, _ in timings):>9.1f}")


def main() -> None:
    args = _arguments()
    with scratch_platform(args.postgres, keep=args.keep):
        timings = _bench(args)
    _print(timings, args)


if __name__ == "__main__":
    main()
