"""City-scale benchmark: build a believable city by COPY, then measure every page, API and nightly job.

    .venv/bin/python bench/city.py --postgres postgresql://postgres@127.0.0.1:5432/postgres --records 1000000 --keep
    .venv/bin/python bench/city.py --postgres URL --records 1000000 --database city_1m      # measure it again
    .venv/bin/python bench/city.py --postgres URL --records 1000000,5000000,20000000 --keep
    .venv/bin/python bench/city.py --compare bench/results/city-1000000.json bench/results/city-20000000.json
    .venv/bin/python bench/city.py --postgres URL --records 5000000 --database city_5m --only measure \
        --figures "publicity, first,department,district"                      # some page figures alone

Build (bench/city_build.py): a fresh database, the platform's migrations, the demo's reference data and
source units, then organizations (0.06 per record), persons (0.1 per record), relations, records with
their versions and list entries, profile summaries, consents, inquiries and checks by COPY; subject facts,
scores and the early-warning scorecard by the platform's own set-based services; ANALYZE, VACUUM,
CHECKPOINT. Measure (bench/city_measure.py): gunicorn (``gongxin.gunicorn_conf``, ``--workers``) and the
open-loop load generator (bench/_load.py) at ``--rate`` requests/s for ``--seconds`` per figure: p50/p95
of each page; exports' time to first byte and total; report builds; the check API's p99 at 500/s; the
nightly jobs with rows/s (rolled back afterwards); bytes per record of the record tables.

A database is named ``--database`` or, with ``--keep``, ``city_<size>`` (``city_1m``); an existing one is
measured without building. Without either, a temporary database is built and dropped. Keys (RIN sealing,
signing) live in ``var/bench-city/<database>/`` beside the build's facts (``city.json``), so a kept city
keeps working. Each size's figures go to ``bench/results/city-<records>.json``; with several sizes (or
``--compare``) the growth of each figure's p95 from the smallest to the largest size is printed with
PASS/FAIL against the targets (p95 < 300 ms, p50 < 100 ms, PDF < 500 ms, check p99 < 20 ms at 500/s,
growth ≤ 1.3, nightly < 60 min at 20M).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
P95_MS, P50_MS, PDF_MS, CHECK_P99_MS, GROWTH, NIGHTLY_S = 300.0, 100.0, 500.0, 20.0, 1.3, 3600.0
TARGET_RECORDS = 20_000_000


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server (its user needs CREATEDB)")
    parser.add_argument("--records", default="1000000", help="records, or several sizes separated by commas")
    parser.add_argument("--keep", action="store_true", help="keep the database (city_<size>) and its keys")
    parser.add_argument("--database", metavar="NAME", help="the database to build into or (when built) measure")
    parser.add_argument("--only", choices=["build", "measure"], help="only build, or only measure a built city")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="the city's day (default today)")
    parser.add_argument("--rate", type=float, default=20.0, help="requests/s of each page figure")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each page figure's load")
    parser.add_argument("--check-rate", type=float, default=500.0)
    parser.add_argument("--check-seconds", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--figures", metavar="WORDS",
                        help="only the page figures whose name contains one of these comma-separated words "
                             "(\"department,district\"): no storage, reports, check API, exports or nightly jobs; "
                             "written to city-<records>-figures.json")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--compare", nargs="+", metavar="JSON", help="print the results files and their growth")
    args = parser.parse_args()
    if not args.compare and not args.postgres:
        parser.error("--postgres is required (or --compare)")
    args.sizes = [int(s.replace("_", "")) for s in str(args.records).split(",") if s.strip()]
    args.figures = [w.strip() for w in args.figures.split(",") if w.strip()] if args.figures else []
    if args.database and len(args.sizes) > 1:
        parser.error("--database names one city: give one size")
    return args


def size_label(records: int) -> str:
    if records % 1_000_000 == 0:
        return f"{records // 1_000_000}m"
    if records % 1_000 == 0:
        return f"{records // 1_000}k"
    return str(records)


# ---------------------------------------------------------------------------------------------------
# The database and the platform's settings
# ---------------------------------------------------------------------------------------------------


def _exists(url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _platform(url: str, name: str) -> Path:
    """Point the settings at database ``name`` and its data directory (keys and build facts)."""
    data = ROOT / "var" / "bench-city" / name
    data.mkdir(parents=True, exist_ok=True)
    os.environ["GONGXIN_DATA_DIR"] = str(data)
    os.environ.setdefault("GONGXIN_LOG_LEVEL", "ERROR")
    os.environ["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongxin.settings"
    os.environ.setdefault("GONGXIN_PUBLIC_URL", "http://127.0.0.1:8000")  # reports sign their verify address
    return data


def _django() -> None:
    import django

    django.setup()


# ---------------------------------------------------------------------------------------------------
# One size
# ---------------------------------------------------------------------------------------------------


def build(args: argparse.Namespace, records: int, data: Path) -> dict[str, Any]:
    from city_build import Builder
    from django.core.management import call_command

    from gongxin.core import clock
    from gongxin.subjects.models import Organization

    as_of = args.as_of or clock.today()
    started = time.perf_counter()
    print(f"building a city of {records:,} records as of {as_of} (seed {args.seed})", flush=True)
    migrate_started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_seconds = time.perf_counter() - migrate_started
    builder = Builder(records=records, seed=args.seed, as_of=as_of, progress=not args.no_progress)
    stats = builder.run()
    big_uscc = Organization.objects.get(subject_id=builder.org_id(builder.plan.big_index)).uscc
    facts = {
        "records": stats.rows["records"], "records_asked": records, "seed": args.seed, "as_of": as_of.isoformat(),
        "organizations": builder.plan.organizations, "persons": builder.plan.persons, "big_uscc": big_uscc,
        "build_seconds": time.perf_counter() - started, "migrate_seconds": migrate_seconds,
        "phases": {name: {"rows": stats.rows.get(name, 0), "seconds": seconds, "rows_per_s": stats.rate(name)}
                   for name, seconds in stats.seconds.items()},
        "rows": stats.rows,
    }
    (data / "city.json").write_text(json.dumps(facts, indent=2, ensure_ascii=False))
    print(f"built in {facts['build_seconds']:,.0f} s; the 500-record firm is {big_uscc}", flush=True)
    return facts


def measure(args: argparse.Namespace, facts: dict[str, Any]) -> dict[str, Any]:
    import city_measure as m
    from django.db import connection

    as_of = date.fromisoformat(facts["as_of"])
    records = int(facts["records"])
    print("preparing sessions, reports and queries ...", flush=True)
    targets = m.targets_prepare(big_uscc=facts["big_uscc"], seed=args.seed)
    selected = bool(args.figures)  # --figures: those page figures alone
    figures = [] if selected else m.storage_measure(records) + m.report_builds(targets)
    connection.close()
    server = m.server_start(args.workers)
    try:
        print(f"pages at {args.rate:g} req/s for {args.seconds:g} s each:", flush=True)
        figures += m.pages_measure(targets, rate=args.rate, seconds=args.seconds, only=args.figures)
        if not selected:
            figures.append(m.check_measure(targets, rate=args.check_rate, seconds=args.check_seconds))
            print("exports (sequential downloads):", flush=True)
            figures += m.exports_measure(targets)
    finally:
        m.server_stop(server)
    if not selected:
        print("nightly jobs (rolled back afterwards):", flush=True)
        figures += m.nightly_measure(as_of=as_of, records=records, seed=args.seed,
                                     organizations=int(facts["organizations"]))
    return {"records": records, "facts": facts, "measured_at": time.strftime("%Y-%m-%d %H:%M"),
            "rate": args.rate, "seconds": args.seconds, "workers": args.workers,
            "figures": [asdict(f) for f in figures]}


def run_size(args: argparse.Namespace, records: int) -> dict[str, Any] | None:
    name = args.database or (f"city_{size_label(records)}" if args.keep else f"city_tmp_{int(time.time())}")
    keep = args.keep or bool(args.database)
    existed = _exists(args.postgres, name)
    if not existed:
        if args.only == "measure":
            raise SystemExit(f"database {name} does not exist: build it first")
        import psycopg

        with psycopg.connect(args.postgres, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        print(f"database {name} created", flush=True)
    data = _platform(args.postgres, name)
    try:
        _django()
        facts_file = data / "city.json"
        if existed and facts_file.exists():
            facts = json.loads(facts_file.read_text())
            print(f"database {name}: a built city of {facts['records']:,} records (as of {facts['as_of']}); "
                  "not building", flush=True)
        elif existed:
            raise SystemExit(f"database {name} exists but has no build facts in {facts_file}: not a built city")
        else:
            facts = build(args, records, data)
        if args.only == "build":
            return None
        result = measure(args, facts)
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"city-{facts['records_asked']}{'-figures' if args.figures else ''}.json"
        path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
        print(f"figures written to {path.relative_to(ROOT)}", flush=True)
        return result
    finally:
        from django.db import connections

        connections.close_all()
        if keep:
            print(f"database {name} kept (keys and build facts in {data.relative_to(ROOT)})", flush=True)
        else:
            import shutil

            import psycopg

            with psycopg.connect(args.postgres, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            shutil.rmtree(data, ignore_errors=True)
            print(f"database {name} dropped", flush=True)


# ---------------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------------


def _verdict(f: dict[str, Any]) -> str:
    kind, p50, p95, p99 = f["kind"], f.get("p50"), f.get("p95"), f.get("p99")
    if f.get("errors"):
        return "FAIL (errors)"
    if kind == "page" and p50 is not None and p95 is not None:
        return "PASS" if p95 < P95_MS and p50 < P50_MS else "FAIL"
    if kind == "pdf" and p95 is not None:
        return "PASS" if p95 < PDF_MS else "FAIL"
    if kind == "check" and p99 is not None:
        return "PASS" if p99 < CHECK_P99_MS else "FAIL"
    return ""


def _ms(value: Any) -> str:
    return "" if value is None else f"{value:,.1f}"


def table_print(result: dict[str, Any]) -> None:
    facts = result["facts"]
    print(f"\nCity of {result['records']:,} records ({facts['organizations']:,} organizations, "
          f"{facts['persons']:,} persons), PostgreSQL; gunicorn {result['workers']} workers; "
          f"{result['rate']:g} req/s × {result['seconds']:g} s per page figure; measured {result['measured_at']}")
    print(f"{'figure':<48} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}  verdict  note")
    for f in result["figures"]:
        print(f"{f['name']:<48} {_ms(f.get('p50')):>9} {_ms(f.get('p95')):>9} "
              f"{_ms(f.get('p99')) if f['kind'] == 'check' else '':>9}  {_verdict(f):<7}  {f.get('note', '')}")
    nightly = next((f for f in result["figures"] if f["name"] == "nightly jobs, total"), None)
    if nightly:
        scaled = nightly["extra"]["seconds"] * TARGET_RECORDS / result["records"]
        print(f"nightly jobs: {nightly['extra']['seconds']:,.0f} s; linear to 20M: {scaled / 60:,.0f} min "
              f"(target < 60 min): {'PASS' if scaled < NIGHTLY_S else 'FAIL'}")


# Figures whose name ends with what depends on the size ("(page 25,000)"): compared without it.
_NAMED_WITH_SIZE = ("publicity, ", "profile of the 500-record firm, deep page")


def growth_print(results: list[dict[str, Any]]) -> None:
    results = sorted(results, key=lambda r: r["records"])
    small, large = results[0], results[-1]
    ratio_label = f"{size_label(large['records'])}/{size_label(small['records'])}"
    # Below 20M: the straight line through the two sizes, carried to 20M — an extrapolation, never a measurement.
    line = large["records"] < TARGET_RECORDS and len(results) > 1
    print(f"\nGrowth of p95 from {small['records']:,} to {large['records']:,} records (target ≤ {GROWTH})"
          + ("; the last column is the straight line to 20M, extrapolated, not measured" if line else ""))
    print(f"{'figure':<48} " + " ".join(f"{size_label(r['records']):>9}" for r in results) + f" {ratio_label:>9}"
          + ("  verdict  20M (line)" if line else ""))
    by_name = [{f["name"].split(" (")[0] if f["name"].startswith(_NAMED_WITH_SIZE) else f["name"]: f
                for f in r["figures"]} for r in results]
    for name, first in by_name[0].items():
        values = [b.get(name) for b in by_name]
        if any(v is None for v in values):
            continue

        def figure_value(f: dict[str, Any]) -> float | None:
            return f.get("p95") if f["kind"] != "nightly" else f.get("extra", {}).get("seconds")

        numbers = [figure_value(v) for v in values if v is not None]
        if any(n is None for n in numbers) or (first["kind"] == "info" and "per_record" not in first.get("extra", {})):
            continue
        if first["kind"] == "info":
            numbers = [v["extra"]["per_record"] for v in values if v is not None]
        ratio = numbers[-1] / numbers[0] if numbers[0] else float("nan")
        verdict = ""
        if first["kind"] in {"page", "pdf", "check"}:
            verdict = "PASS" if ratio <= GROWTH else "FAIL"
        extrapolated = ""
        if line:
            slope = (numbers[-1] - numbers[0]) / (large["records"] - small["records"])
            extrapolated = f"  {numbers[-1] + slope * (TARGET_RECORDS - large['records']):>10,.1f}"
        print(f"{name:<48} " + " ".join(f"{n:>9,.1f}" for n in numbers) + f" {ratio:>9.2f}  {verdict:<7}"
              + extrapolated)


def _without_records(argv: list[str]) -> list[str]:
    kept, skip = [], False
    for item in argv:
        if skip:
            skip = False
        elif item == "--records":
            skip = True
        elif not item.startswith("--records="):
            kept.append(item)
    return kept


def main() -> None:
    args = _arguments()
    sys.path.insert(0, str(BENCH))
    if args.compare:
        results = [json.loads(Path(p).read_text()) for p in args.compare]
    elif len(args.sizes) > 1:  # one process per size: the settings bind a process to one database
        for n in args.sizes:
            command = [sys.executable, __file__, *_without_records(sys.argv[1:]), "--records", str(n)]
            subprocess.run(command, check=True)  # noqa: S603 - this script again
        if args.only == "build":
            return
        results = [json.loads((RESULTS / f"city-{n}.json").read_text()) for n in args.sizes]
    else:
        results = [r for r in (run_size(args, n) for n in args.sizes) if r is not None]
    for result in results:
        table_print(result)
    if len(results) > 1:
        growth_print(results)


if __name__ == "__main__":
    main()
