"""Benchmark of issue #4: organization search latency and credit report build time, against targets.

    .venv/bin/python bench/reports_search.py --postgres postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/reports_search.py --postgres URL --organizations 100000 --records 1000000
    .venv/bin/python bench/reports_search.py --sqlite          # quick run on SQLite in a temp dir

With ``--postgres`` a temporary database (``gongxin_bench_<random>``) is created on that server (the URL's
user needs CREATEDB; pg_trgm must be installable) and dropped at the end, whatever happens. The
demo city is generated with ``demo.services.demo_seed`` (set-based), the outbox consumers catch up,
statistics are refreshed (``ANALYZE``, as autovacuum would), then:

- search: ``subjects.selectors.organizations_search_page`` (one page of 20, total counted up to
  1000), ``--queries`` random queries of each kind — Chinese substrings of 2–4 characters of
  existing names, USCC prefixes of 6–18 characters, pinyin initials (prefixes and parts of 2–5
  letters) — after a warm-up; p50 and p95 per kind and overall (target: p95 < 100 ms);
- reports, when ``gongxin.reports.services.report_issue`` and ``gongxin.reports.render`` exist: the
  median time to build one organization's report as JSON (target < 50 ms) and as PDF (< 500 ms),
  ``--report-runs`` runs each, random organizations that have records.

Prints a table with PASS/FAIL per target; ``--explain`` also prints the PostgreSQL plan of one query
of each kind. Defaults: 100,000 organizations, 200,000 persons, 1,000,000 records on PostgreSQL;
5,000 / 10,000 / 50,000 on SQLite.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from _scratch import scratch_platform

TARGETS_MS = {"search": 100.0, "report_json": 50.0, "report_pdf": 500.0}


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--postgres", metavar="URL", help="a PostgreSQL server (a temporary database there)")
    where.add_argument("--sqlite", action="store_true", help="SQLite in a temporary directory (the default)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--organizations", type=int)
    parser.add_argument("--persons", type=int)
    parser.add_argument("--records", type=int)
    parser.add_argument("--queries", type=int, default=200, help="search queries of each kind")
    parser.add_argument("--report-runs", type=int, default=50, help="report builds of each format")
    parser.add_argument("--no-dispatch", action="store_true", help="do not run the outbox consumers first")
    parser.add_argument("--explain", action="store_true", help="print the plan of one query of each kind")
    parser.add_argument("--progress", action="store_true", help="show the seed's progress bars")
    args = parser.parse_args()
    large = bool(args.postgres)
    args.organizations = args.organizations if args.organizations is not None else (100_000 if large else 5_000)
    args.persons = args.persons if args.persons is not None else 2 * args.organizations
    args.records = args.records if args.records is not None else (1_000_000 if large else 50_000)
    return args


@dataclass
class Measure:
    label: str
    target: str  # key of TARGETS_MS
    statistic: str  # "p95" or "median"
    samples_ms: list[float] = field(default_factory=list)
    note: str = ""

    def value(self) -> float | None:
        if not self.samples_ms:
            return None
        if self.statistic == "median":
            return statistics.median(self.samples_ms)
        return _percentile(self.samples_ms, 95)


def _percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))  # nearest rank
    return ordered[rank]


def _phase(label: str) -> Callable[[Callable[[], Any]], Any]:
    def run(function: Callable[[], Any]) -> Any:
        print(f"{label} ...", flush=True)
        started = time.perf_counter()
        result = function()
        print(f"{label}: {time.perf_counter() - started:.1f} s", flush=True)
        return result

    return run


# ---------------------------------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------------------------------


def _is_cjk(text: str) -> bool:
    return all("\u3400" <= c <= "\u9fff" for c in text)


def _search_queries(rng: random.Random, count: int) -> dict[str, list[str]]:
    """Random queries drawn from the organizations in the database."""
    from gongxin.subjects.models import Subject

    rows = list(Subject.objects.filter(kind="organization")
                .values_list("name", "name_initials", "organization__uscc"))
    if not rows:
        raise SystemExit("no organizations: nothing to search")
    queries: dict[str, list[str]] = {"name": [], "uscc": [], "initials": []}
    while len(queries["name"]) < count:
        name = rng.choice(rows)[0]
        size = rng.choice((2, 3, 4))
        if len(name) < size:
            continue
        start = rng.randrange(len(name) - size + 1)
        part = name[start:start + size]
        if _is_cjk(part):
            queries["name"].append(part)
    while len(queries["uscc"]) < count:
        uscc = rng.choice(rows)[2]
        queries["uscc"].append(uscc[:rng.randint(6, 18)])
    while len(queries["initials"]) < count:
        initials = rng.choice(rows)[1]
        size = rng.randint(2, 5)
        if len(initials) < size:
            continue
        start = 0 if size <= 2 or rng.random() < 0.5 else rng.randrange(len(initials) - size + 1)
        queries["initials"].append(initials[start:start + size])
    return queries


def _search_measures(queries: dict[str, list[str]], rng: random.Random) -> list[Measure]:
    from gongxin.subjects.selectors import organizations_search_page

    warm = [q for qs in queries.values() for q in rng.sample(qs, min(10, len(qs)))]
    for q in warm:
        organizations_search_page(q=q, limit=20)
    measures = []
    by_length: dict[int, list[float]] = {}
    everything = Measure("search p95, all kinds", "search", "p95")
    for kind, items in queries.items():
        measure = Measure(f"search p95, {kind}", "search", "p95")
        found = 0
        for q in items:
            started = time.perf_counter()
            page = organizations_search_page(q=q, limit=20)
            elapsed = (time.perf_counter() - started) * 1000
            measure.samples_ms.append(elapsed)
            if kind == "name":
                by_length.setdefault(len(q), []).append(elapsed)
            found += bool(page.items)
            if page.kind != kind:
                measure.note = f"{q!r} read as {page.kind}"
        slowest = sorted(zip(measure.samples_ms, items, strict=True), reverse=True)[:5]
        print(f"  slowest {kind} queries: " + ", ".join(f"{q!r} {ms:.0f} ms" for ms, q in slowest))
        median = statistics.median(measure.samples_ms)
        measure.note = measure.note or f"p50 {median:.1f} ms, {found}/{len(items)} found"
        everything.samples_ms += measure.samples_ms
        measures.append(measure)
    everything.note = f"p50 {statistics.median(everything.samples_ms):.1f} ms, {len(everything.samples_ms)} queries"
    measures.append(everything)
    for size, samples in sorted(by_length.items()):
        print(f"  name queries of {size} characters: p50 {statistics.median(samples):.1f} ms, "
              f"p95 {_percentile(samples, 95):.1f} ms, max {max(samples):.1f} ms ({len(samples)})")
    return measures


def _explain(queries: dict[str, list[str]]) -> None:
    from django.db import connection

    from gongxin.subjects.selectors import organizations_search_explain

    if connection.vendor != "postgresql":
        print("(--explain: PostgreSQL only)")
        return
    samples = {
        "name, 2 characters": next((q for q in queries["name"] if len(q) == 2), None),
        "name, 4 characters": next((q for q in queries["name"] if len(q) == 4), None),
        "name, frequent": "有限公司",
        "initials prefix": next((q for q in queries["initials"] if len(q) == 2), None),
        "initials part": next((q for q in queries["initials"] if len(q) >= 4), None),
        "uscc prefix": queries["uscc"][0],
    }
    for label, q in samples.items():
        if q is not None:
            print(f"\n--- {label}: {q!r}\n{organizations_search_explain(q=q)}")
    print()


# ---------------------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------------------


def _report_api() -> tuple[Callable[..., Any], Any] | None:
    try:
        from gongxin.reports import render
        from gongxin.reports.services import report_issue
    except ImportError as exc:
        print(f"reports: not measured ({exc})")
        return None
    return report_issue, render


def _report_measures(runs: int, rng: random.Random) -> list[Measure]:
    """Build time of one organization's report: issue (freeze, hash, sign, store) + render, per format."""
    api = _report_api()
    if api is None:
        return []
    report_issue, render = api
    from gongxin.accounts.choices import Role
    from gongxin.accounts.viewer import Viewer
    from gongxin.records.models import Record
    from gongxin.reports.services import purpose_default
    from gongxin.subjects.models import Subject

    subject_ids = list(Record.objects.filter(subject__kind="organization").order_by()
                       .values_list("subject_id", flat=True).distinct()[:20_000])
    if not subject_ids:
        print("reports: no organization has records")
        return []
    chosen = [rng.choice(subject_ids) for _ in range(runs + 1)]  # the first run warms up (templates, fonts)
    subjects = Subject.objects.select_related("organization").in_bulk(set(chosen))
    viewer = Viewer(label="bench", role=Role.STAFF, user_id=None)
    formats = (("report JSON median", "report_json", render.envelope_bytes),
               ("report PDF median", "report_pdf", render.report_pdf))
    measures = []
    for label, target, renderer in formats:
        measure = Measure(label, target, "median")
        issue_ms: list[float] = []
        render_ms: list[float] = []
        sizes: list[int] = []
        records: list[int] = []
        first_ms = 0.0
        try:
            for index, subject_id in enumerate(chosen):
                subject = subjects[subject_id]
                started = time.perf_counter()
                report = report_issue(subject=subject, kind="organization", viewer=viewer,
                                      purpose=purpose_default(kind="organization", subject=subject, viewer=viewer))
                issued = time.perf_counter()
                output = renderer(report)
                done = time.perf_counter()
                if index == 0:  # the process's first build: templates, fonts (reports.apps warms a server up)
                    first_ms = (done - started) * 1000
                    continue
                measure.samples_ms.append((done - started) * 1000)
                issue_ms.append((issued - started) * 1000)
                render_ms.append((done - issued) * 1000)
                sizes.append(len(output))
                records.append(_records_in(report.content))
        except Exception as exc:  # a benchmark reports what broke and goes on
            measure.samples_ms.clear()
            measure.note = f"error: {type(exc).__name__}: {exc}"[:160]
        else:
            measure.note = (f"issue {statistics.median(issue_ms):.1f} + render {statistics.median(render_ms):.1f}"
                            f" ms; p95 {_percentile(measure.samples_ms, 95):.1f} ms; "
                            f"{statistics.median(records):.0f} records, {statistics.median(sizes) / 1024:.0f} KiB; "
                            f"first build {first_ms:.0f} ms, not counted")
        measures.append(measure)
    return measures


def _records_in(content: Any) -> int:
    """How many records a report's frozen content lists (``details[*].records``)."""
    details = content.get("details", []) if isinstance(content, dict) else []
    return sum(len(section.get("records", [])) for section in details if isinstance(section, dict))


# ---------------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------------


def _bench(args: argparse.Namespace) -> list[Measure]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongxin.settings")
    os.environ.setdefault("GONGXIN_PUBLIC_URL", "http://127.0.0.1:8000")  # reports sign their verify address
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from gongxin.core.outbox import outbox_dispatch
    from gongxin.demo.services import SeedReport, demo_seed

    _phase("migrate")(lambda: call_command("migrate", interactive=False, verbosity=0))
    report = SeedReport()
    _phase(f"seed {args.organizations:,} organizations, {args.persons:,} persons, {args.records:,} records")(
        lambda: demo_seed(seed=args.seed, organizations=args.organizations, persons=args.persons,
                          records=args.records, progress=args.progress, report=report))
    print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items()))
    if not args.no_dispatch:
        _phase("outbox consumers")(outbox_dispatch)
    if connection.vendor == "postgresql":
        _phase("analyze")(lambda: connection.cursor().execute("VACUUM ANALYZE"))
    rng = random.Random(args.seed)
    queries = _search_queries(rng, args.queries)
    if args.explain:
        _explain(queries)
    measures = _phase("search")(lambda: _search_measures(queries, rng))
    measures += _phase("reports")(lambda: _report_measures(args.report_runs, rng))
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    return measures


def _print(measures: list[Measure], args: argparse.Namespace) -> bool:
    where = "PostgreSQL" if args.postgres else "SQLite"
    print(f"\n{where}, demo city {args.seed}: {args.organizations:,} organizations, {args.persons:,} persons, "
          f"{args.records:,} records")
    print(f"{'measure':<26} {'ms':>9} {'target':>9}  {'result':<6} note")
    passed = True
    for m in measures:
        value = m.value()
        target = TARGETS_MS[m.target]
        result = "—" if value is None else ("PASS" if value < target else "FAIL")
        passed &= result != "FAIL"
        shown = "—" if value is None else f"{value:.1f}"
        print(f"{m.label:<26} {shown:>9} {'< ' + format(target, 'g'):>9}  {result:<6} {m.note}")
    return passed


def main() -> None:
    args = _arguments()
    with scratch_platform(args.postgres):
        measures = _bench(args)
        passed = _print(measures, args)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
