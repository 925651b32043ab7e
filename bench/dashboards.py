"""Benchmark: the credit brain's dashboards (decision 073) at city-scale figures — the staff page
/monitoring/dashboards/, the home page with its public section, a series' CSV and the read itself — p50 and p95.

    flock /tmp/bench.lock .venv/bin/python bench/dashboards.py --runs 50
    flock /tmp/bench.lock .venv/bin/python bench/dashboards.py --refresh-city city_1m --runs 3   # the recount

On PostgreSQL, in its own database (``--database``, default ``gongxin_bench_dashboards``; created and migrated when
missing). The maintained statistics are built at the size a city of 1.2M organizations and 20M records gives them
— records by month for every source unit (``--units`` 400 x 12 months, summing to ``--records``), quality and
timeliness of every unit, checks, measures, objections, repairs, benefits and loans by month, alerts by month and kind,
open alerts in every district and domain — written by COPY, as ``dashboards_refresh`` would leave them. The pages are
loaded in-process through Django's test client (no server, no network): what the view, its queries and the templates
cost. Reads only (the sign-in writes a session).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import date
from typing import Any


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50, help="loads per page after two warm-ups")
    parser.add_argument("--database", default="gongxin_bench_dashboards")
    parser.add_argument("--units", type=int, default=400, help="source units")
    parser.add_argument("--districts", type=int, default=150, help="districts with open alerts")
    parser.add_argument("--records", type=int, default=20_000_000, help="records the year's series sum to")
    parser.add_argument("--organizations", type=int, default=1_200_000)
    parser.add_argument("--refresh-city", metavar="DATABASE",
                        help="instead: time dashboards_refresh on a city built by bench/city.py (--keep)")
    return parser.parse_args()


def _database_ensure(name: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def _months(today: date) -> list[str]:
    from gongxin.core.clock import add_months

    first = today.replace(day=1)
    return [f"{add_months(first, -i):%Y-%m}" for i in range(11, -1, -1)]


def _rows(args: argparse.Namespace, units: list[str]) -> list[tuple[str, str, str, float, bool]]:
    """(series, month, dimension, value, public) at city scale; deterministic (seed 73)."""
    from gongxin.core import clock

    rng = random.Random(73)
    months = _months(clock.today())
    weights = [rng.paretovariate(1.2) for _ in units]
    total = sum(weights)
    rows: list[tuple[str, str, str, float, bool]] = []
    for code, weight in zip(units, weights, strict=True):
        yearly = args.records * weight / total / 10  # a tenth of the store was decided in the last twelve months
        for month in months:
            rows.append(("records", month, code, float(round(yearly / 12 * rng.uniform(0.7, 1.3))), True))
        received = yearly * rng.uniform(1.0, 1.1)
        rejected = received * rng.uniform(0.0, 0.05)
        rows += [("quality", "", f"{code}|received", round(received), False),
                 ("quality", "", f"{code}|rejected", round(rejected), False),
                 ("quality", "", f"{code}|rejection_rate", round(100 * rejected / received, 2), False),
                 ("quality", "", f"{code}|mean_lag", round(rng.uniform(0.5, 9), 2), False),
                 ("quality", "", f"{code}|late_share", round(rng.uniform(0, 30), 2), False)]
    organizations = args.organizations
    for month in months:
        for decision in ("pass", "warn", "intercept", "reward"):
            rows.append(("checks", month, decision, float(rng.randint(5_000, 400_000)), True))
        for kind in ("punishment", "reward"):
            rows.append(("measures", month, kind, float(rng.randint(1_000, 60_000)), True))
        for key in ("objections", "repairs"):
            decided = rng.randint(300, 4_000)
            rows += [(key, month, "decided", float(decided), True),
                     (key, month, "on_time", float(round(decided * rng.uniform(0.85, 1))), True)]
        for key in ("benefits", "loans"):
            count = rng.randint(500, 20_000)
            rows += [(key, month, "count", float(count), True),
                     (key, month, "amount", float(count * rng.randint(50_000, 900_000)), True)]
        for kind in ("threshold", "deterioration", "watch", "related_listed", "controller_changed"):
            rows.append(("alerts", month, kind, float(rng.randint(10, organizations // 50)), False))
    districts = [f"{330000 + i:06d}" for i in range(1, args.districts + 1)]
    rows += [("alerts_open", "", f"district:{d}", float(rng.randint(10, 800)), False) for d in districts]
    for domain in ("market_regulation", "tax", "ecology_environment", "work_safety", "housing", "human_resources",
                   "transport", "health", "court", "fire", "credit", "-"):
        rows.append(("alerts_open", "", f"domain:{domain}", float(rng.randint(10, 9_000)), False))
    return rows


def _build(args: argparse.Namespace) -> int:
    from django.db import connection, transaction

    from gongxin.accounts.models import Department
    from gongxin.catalog.models import SourceUnit
    from gongxin.core import clock
    from gongxin.monitoring.models import DashboardFigure

    codes = [f"bench-unit-{i:04d}" for i in range(args.units)]
    with transaction.atomic():
        have = set(Department.objects.filter(code__in=codes).values_list("code", flat=True))
        Department.objects.bulk_create([Department(code=code, name=f"基准测试第{i + 1}信源单位", region_code="330200")
                                        for i, code in enumerate(codes) if code not in have])
        departments = dict(Department.objects.filter(code__in=codes).values_list("code", "pk"))
        SourceUnit.objects.bulk_create([SourceUnit(department_id=departments[c], domain="market_regulation")
                                        for c in codes], ignore_conflicts=True)
        DashboardFigure.objects.all().delete()
        rows = _rows(args, codes)
        at = clock.now()
        with connection.cursor() as cursor, cursor.copy(
            "COPY monitoring_dashboardfigure (series, month, dimension, value, public, as_of) FROM STDIN"
        ) as copy:
            for series, month, dimension, value, public in rows:
                copy.write_row((series, month, dimension, value, public, at))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE monitoring_dashboardfigure")
    return len(rows)


def _second_factor_verified(client: Any, user: Any) -> None:
    """Mark the staff session as past its second factor (decision 060), as the second sign-in step would."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from gongxin.accounts.second_factor import REAUTHENTICATED_KEY, SEEN_KEY
    from gongxin.core import clock

    device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
              or TOTPDevice.objects.create(user=user, name="bench", confirmed=True))
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[REAUTHENTICATED_KEY] = session[SEEN_KEY] = clock.now().timestamp()
    session.save()


def _time(label: str, call: Callable[[], Any], runs: int) -> None:
    for _ in range(2):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)]
    print(f"{label:<44} p50 {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms   ({runs} loads)")


def _refresh_city(database: str, runs: int) -> None:
    """Time the recount itself (every series, set-based) on a city built by bench/city.py."""
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongxin.settings")
    os.environ.setdefault("GONGXIN_SECRET_KEY", "bench-dashboards")
    import django

    django.setup()
    from django.core.management import call_command

    from gongxin.monitoring.dashboards import SERIES, dashboards_count, dashboards_refresh
    from gongxin.records.models import Record

    call_command("migrate", verbosity=0)
    print(f"city {database}: {Record.objects.count():,} records")
    for series in SERIES:
        started = time.perf_counter()
        rows = dashboards_count(keys=[series.key])[series.key]
        print(f"  {series.key:<12} {len(rows):6,} rows  {(time.perf_counter() - started) * 1000:9.1f} ms")
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        dashboards_refresh()
        samples.append(time.perf_counter() - started)
    print(f"dashboards_refresh (all series, one transaction): median {statistics.median(samples):.2f} s "
          f"over {runs} runs")


def main() -> None:
    args = _arguments()
    if args.refresh_city:
        _refresh_city(args.refresh_city, min(args.runs, 5))
        return
    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{args.database}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongxin.settings")
    os.environ.setdefault("GONGXIN_SECRET_KEY", "bench-dashboards")
    _database_ensure(args.database)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from gongxin.accounts.choices import Role
    from gongxin.accounts.models import User
    from gongxin.monitoring.dashboards import dashboard_read

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    stored = _build(args)
    print(f"statistics built by COPY: {stored:,} rows in {time.perf_counter() - started:.2f} s "
          f"({args.units} source units, {args.districts} districts, {args.records:,} records, "
          f"{args.organizations:,} organizations)")
    staff, _created = User.objects.get_or_create(username="bench-dashboards", defaults={"role": Role.STAFF})
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_HOST="localhost")
    client.force_login(staff)
    _second_factor_verified(client, staff)
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_HOST="localhost")

    def page(c: Client, path: str) -> Callable[[], Any]:
        def load() -> Any:
            response = c.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response
        return load

    size = len(page(client, "/monitoring/dashboards/")().content)
    print(f"staff dashboards page: {size / 1024:.1f} KiB")
    _time("dashboard_read (staff, the selector)", lambda: dashboard_read(public=False), args.runs)
    _time("GET /monitoring/dashboards/ (staff)", page(client, "/monitoring/dashboards/"), args.runs)
    _time("GET / (home with the public section)", page(anonymous, "/"), args.runs)
    _time("GET /monitoring/dashboards/records.csv", page(client, "/monitoring/dashboards/records.csv"), args.runs)
    _time("GET /monitoring/public/checks.csv", page(anonymous, "/monitoring/public/checks.csv"), args.runs)


if __name__ == "__main__":
    main()
