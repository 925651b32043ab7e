"""In-process CPU per request of the check API (issue #23): the platform's WSGI handler called directly.

    .venv/bin/python bench/checks_cpu.py                         # SQLite, 2,000 organizations
    .venv/bin/python bench/checks_cpu.py --postgres postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/checks_cpu.py --profile 30            # and a cProfile of one run: top 30 functions
    .venv/bin/python bench/checks_cpu.py --keep                  # SQLite: keep the seeded platform, then
    .venv/bin/python bench/checks_cpu.py --reuse /tmp/gongxin-bench-XXXX  # measure it again without seeding

A throw-away platform (bench/_scratch.py) is seeded like bench/checks.py does it, at a small size (the demo city
with ``--organizations`` organizations, measures topped up to ``--measures``, one business system with one
procurement matter and its API key, subject facts built). The benchmark's server settings are used
(bench/checks_site.py: the platform's settings and URLs plus the bare endpoint), with the production
connection lifetime (``CONN_MAX_AGE`` 600 s, also for SQLite, whose default of 0 would reconnect per request).

Then ``--runs`` times (5) ``--requests`` requests (2,000) of each endpoint go through ``WSGIHandler`` — no
server, no network, no load generator: ``POST /api/v1/checks`` (random organizations, ``X-API-Key``) and
``GET /bench/bare`` (one indexed lookup, same middleware). Printed: the median CPU milliseconds per request
(``time.process_time``, this process only — with PostgreSQL its backend's CPU is not in it) and the median
wall milliseconds, and, from one extra run under ``CaptureQueriesContext``, the queries per request.
``--profile N`` adds a cProfile of one run of checks, sorted by own time and by cumulative time.
``--middleware MODULE`` also measures the check, alternately in the same runs, with the ``MIDDLEWARE`` of another
settings module (e.g. one holding the list before decision 083) — the same process, data and machine phase.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import json
import os
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _scratch import scratch_platform

BENCH = Path(__file__).resolve().parent


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server (temporary database); default SQLite")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--organizations", type=int, default=2_000)
    parser.add_argument("--list-entries", type=int, default=200, help="about this many (records are sized)")
    parser.add_argument("--measures", type=int, default=200)
    parser.add_argument("--requests", type=int, default=2_000, help="requests per run")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print the top N functions of a run")
    parser.add_argument("--settings", default="checks_site", help="the settings module (default bench/checks_site.py)")
    parser.add_argument("--middleware", metavar="MODULE",
                        help="also measure the check with the MIDDLEWARE of this settings module (alternately)")
    parser.add_argument("--keep", action="store_true", help="keep the seeded platform (its data directory is printed)")
    parser.add_argument("--reuse", metavar="DIR", help="SQLite: measure a platform an earlier --keep run seeded")
    return parser.parse_args()


def _environ(method: str, path: str, query: str = "", body: bytes = b"",
             headers: dict[str, str] | None = None) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "18090", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1:18090", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        environ[key if key in {"CONTENT_TYPE", "CONTENT_LENGTH"} else f"HTTP_{key}"] = value
    return environ


def _run(handler: Callable[..., Any], make: Callable[[int], dict[str, Any]], n: int) -> tuple[float, float]:
    """CPU and wall milliseconds per request of ``n`` requests (each answer read and closed, as a server does)."""
    statuses: dict[str, int] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        statuses[status] = statuses.get(status, 0) + 1

    environs = [make(i) for i in range(n)]
    cpu, wall = time.process_time(), time.perf_counter()
    for environ in environs:
        response = handler(environ, start_response)
        b"".join(response)
        response.close()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    bad = {s: c for s, c in statuses.items() if not s.startswith("200")}
    if bad:
        raise SystemExit(f"unexpected answers: {bad}")
    return cpu * 1000 / n, wall * 1000 / n


def _bench(args: argparse.Namespace) -> None:
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = args.settings
    sys.path.insert(0, str(BENCH))
    django.setup()
    from checks import MATTER, _measures_top_up, _system_register
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from gongxin.demo.services import demo_seed
    from gongxin.rewards.facts import facts_rebuild
    from gongxin.subjects.models import Organization

    saved = Path(os.environ["GONGXIN_DATA_DIR"]) / "bench-key"
    if args.reuse:
        key = saved.read_text()
    else:
        call_command("migrate", interactive=False, verbosity=0)
        demo_seed(seed=args.seed, organizations=args.organizations, persons=200,
                  records=int(args.list_entries / 0.078), progress=False)
        _measures_top_up(args.measures)
        key = _system_register("bench.system")
        for _ in facts_rebuild():
            pass
        saved.write_text(key)
    usccs = list(Organization.objects.values_list("uscc", flat=True))
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 600  # production's lifetime (settings.py), SQLite included

    rng = random.Random(args.seed)
    picks = [rng.choice(usccs) for _ in range(1 << 12)]
    headers = {"X-API-Key": key, "Content-Type": "application/json"}

    def check(i: int) -> dict[str, Any]:
        body = json.dumps({"matter": MATTER, "uscc": picks[i & 0xFFF]}).encode()
        return _environ("POST", "/api/v1/checks", body=body, headers=headers)

    def bare(i: int) -> dict[str, Any]:
        return _environ("GET", "/bench/bare", query=f"uscc={picks[i & 0xFFF]}")

    handler = WSGIHandler()
    endpoints: dict[str, tuple[Callable[..., Any], Callable[[int], dict[str, Any]]]] = {
        "check": (handler, check), "bare": (handler, bare)}
    if args.middleware:
        with override_settings(MIDDLEWARE=importlib.import_module(args.middleware).MIDDLEWARE):
            other = WSGIHandler()
        endpoints[f"check, MIDDLEWARE of {args.middleware}"] = (other, check)
    for handler_, make in endpoints.values():  # warm: rules compiled, statements prepared, caches filled
        _run(handler_, make, 200)
    figures: dict[str, list[tuple[float, float]]] = {label: [] for label in endpoints}
    for _ in range(args.runs):
        for label, (handler_, make) in endpoints.items():
            figures[label].append(_run(handler_, make, args.requests))
    queries: dict[str, float] = {}
    for label, (handler_, make) in endpoints.items():
        with CaptureQueriesContext(connection) as captured:
            _run(handler_, make, 200)
        queries[label] = len(captured) / 200

    engine = connection.vendor
    print(f"\n{engine}, {len(usccs):,} organizations; {args.runs} runs of {args.requests:,} requests, in-process")
    print(f"{'endpoint':<8} {'CPU ms/req':>11} {'wall ms/req':>12} {'queries/req':>12}   runs (CPU ms)")
    for label, runs in figures.items():
        cpu = statistics.median(r[0] for r in runs)
        wall = statistics.median(r[1] for r in runs)
        each = ", ".join(f"{r[0]:.3f}" for r in runs)
        if len(label) > 8:
            print(label)
        print(f"{label if len(label) <= 8 else '':<8} {cpu:>11.3f} {wall:>12.3f} {queries[label]:>12.2f}   {each}")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        _run(handler, check, args.requests)
        profiler.disable()
        for order in ("tottime", "cumulative"):
            print(f"\ncProfile of {args.requests:,} checks, by {order}:")
            pstats.Stats(profiler, stream=sys.stdout).sort_stats(order).print_stats(args.profile)


def main() -> None:
    args = _arguments()
    if args.reuse:
        os.environ["GONGXIN_DATA_DIR"] = args.reuse
        os.environ.setdefault("GONGXIN_LOG_LEVEL", "ERROR")
        _bench(args)
        return
    with scratch_platform(args.postgres, keep=args.keep):
        _bench(args)


if __name__ == "__main__":
    main()
