"""Benchmark of issue #6: the check API under load, served by the production server, against targets.

    .venv/bin/python bench/checks.py --postgres postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/checks.py --postgres URL --organizations 50000 --seconds 5   # a quick run

A temporary PostgreSQL database is created and dropped at the end. The demo city is generated
(``demo_seed``: 1,000,000 organizations by default and enough records for about 100,000 list entries),
the seeded measures are topped up to 200 (synthetic triggers over the subject facts, spread over the
matter types), one business system with one procurement matter is registered, subject facts are built
(``facts_rebuild``), statistics refreshed, the database vacuumed, analyzed and checkpointed. Then gunicorn
serves the platform with its own settings (``gongxin.gunicorn_conf``; ``--workers`` sync workers, default
3) and one extra bare endpoint
(bench/checks_urls.py: one indexed lookup of an organization by USCC), and a load generator on loopback
(bench/_load.py, one process) drives:

- saturation: ``--concurrency`` connections back to back for ``--seconds``, for the bare endpoint and for
  ``POST /api/v1/checks`` (random organizations, an API key), alternately, ``--rounds`` times: throughput
  of each and the ratio per round (target: the median ratio check ≥ 0.5 × bare); in each round also the
  floor endpoint (bench/checks_urls.py: the check path's own lookup and durable INSERT of the check and its
  inquiry, nothing else), which bounds what any check API writing its log can reach on this server;
- fixed rates (``--rates``, default 250 and 500 req/s) of checks for ``--seconds`` each, ``--rounds``
  times: p50 and p99 latency counted from when each request was due (target: median p99 < 20 ms at 500 req/s).

Each run also prints the CPU milliseconds per answered request of the server's workers, PostgreSQL's
backends and the load generator (from /proc), which tells where a request's cost goes. Single runs on a
shared 2-core machine vary by 10-20 %, hence rounds and medians. ``--keep`` keeps the seeded database
(its name is printed); ``--database NAME`` runs the load against it again without seeding (minutes
instead of ~20 at 1M organizations).

Sustained mode (issue #23, bench/checks_sustained.py): ``--sustained [MINUTES]`` (10 when given without a number)
runs mixed traffic (single checks of clean and listed subjects, batches, feedback) at ``--rate`` req/s (500) for
that long and prints a table per ``--interval`` (60 s) — throughput, p50/p99, PostgreSQL CPU per request, the log's
size — with check / bare saturation before and after; ``--prelogged N`` first writes N checks and inquiries into the
logs by COPY; ``--trace PATH`` writes a line per second (the answers' p50/p99/max, the machine's CPU shares and CPU and
I/O stall time, what PostgreSQL's backends waited on — bench/_trace.py) to tell what a slow second was:

    flock /tmp/bench.lock .venv/bin/python bench/checks.py --postgres URL --organizations 20000 \
        --list-entries 2000 --seconds 10 --sustained 10 --prelogged 1000000

Prints the figures and PASS/FAIL; exits 1 when a target fails.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import checks_sustained
from _load import LoadResult, fixed_rate, saturate, wait_until_up
from _scratch import scratch_platform
from _trace import Trace

HOST, PORT = "127.0.0.1", 18090
# The benchmark's database: only its backends count as "postgres backends" (others on a shared server do not).
_database = ""
MATTER = "bench.procurement"
BENCH = Path(__file__).resolve().parent


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", required=True, help="a PostgreSQL server (temporary database)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--organizations", type=int, default=1_000_000)
    parser.add_argument("--list-entries", type=int, default=100_000, help="about this many (records are sized)")
    parser.add_argument("--measures", type=int, default=200)
    parser.add_argument("--workers", default="3", help="gunicorn sync workers; several (3,4) run the load each")
    parser.add_argument("--server", choices=("gunicorn", "granian"), default="gunicorn",
                        help="the HTTP server: gunicorn (the platform's) or granian (Rust HTTP, for comparison; "
                             "pip install granian first)")
    parser.add_argument("--threads", type=int, default=0,
                        help="gthread workers of this many threads each (keep connections alive) instead of sync ones; "
                             "with --server granian, the Python threads of each worker")
    parser.add_argument("--concurrency", type=int, default=16, help="connections in the saturation runs")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each run")
    parser.add_argument("--rates", default="250,500", help="fixed rates of checks, req/s")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each load; the figures are their medians")
    parser.add_argument("--keep", action="store_true", help="keep the database and data directory")
    parser.add_argument("--database", metavar="NAME",
                        help="reuse a database an earlier --keep run seeded (skips seeding; registers a new system)")
    parser.add_argument("--sustained", type=float, nargs="?", const=10.0, metavar="MINUTES",
                        help="sustained mixed traffic at --rate for MINUTES (10 when no number is given)")
    parser.add_argument("--rate", type=float, default=500.0, help="sustained mode: requests per second")
    parser.add_argument("--interval", type=float, default=60.0, help="sustained mode: seconds per reported interval")
    parser.add_argument("--prelogged", type=int, default=0, metavar="N",
                        help="sustained mode: first write N checks and inquiries into the logs (COPY)")
    parser.add_argument("--trace", metavar="PATH",
                        help="sustained mode: write a per-second trace (latencies, CPU, stalls, PostgreSQL waits)")
    return parser.parse_args()


def _phase(label: str, function: Callable[[], Any]) -> Any:
    print(f"{label} ...", flush=True)
    started = time.perf_counter()
    result = function()
    print(f"{label}: {time.perf_counter() - started:.1f} s", flush=True)
    return result


# Synthetic triggers over the built-in facts; every one compiles against the declared names.
TRIGGER_SHAPES = [
    "negative_general >= {n}",
    "negative_minor >= {n} && negative_general >= 1",
    "negative_serious >= 1 && negative_general >= {n}",
    "serious_dishonesty || negative_serious >= {n}",
    "judgment_debtor && negative_general >= {n}",
    "'red_list' in lists && negative_general < {n}",
    "voluntary_performance >= {n}",
    "honours >= {n} && !unrepaired_serious",
    "subject_kind == 'organization' && negative_serious >= {n}",
    "size(lists) >= {n}",
]


def _measures_top_up(total: int) -> int:
    from gongxin.accounts.viewer import SYSTEM
    from gongxin.core import clock
    from gongxin.rewards.choices import MatterType, MeasureClass, MeasureKind
    from gongxin.rewards.models import Measure
    from gongxin.rewards.services import MeasureDraft, measure_save

    rng = random.Random(6)
    have = Measure.objects.count()
    types = [t.value for t in MatterType]
    for i in range(max(0, total - have)):
        kind = MeasureKind.REWARD if i % 4 == 0 else MeasureKind.PUNISHMENT
        measure_save(
            code=f"bench.m{i:03d}",
            draft=MeasureDraft(
                name=f"基准措施 {i}", kind=kind,
                measure_class=rng.choice([c.value for c in MeasureClass]),
                trigger=rng.choice(TRIGGER_SHAPES).format(n=rng.randint(1, 4)),
                matter_types=rng.sample(types, k=rng.randint(1, 3)), matter_codes=[],
                department="基准部门", legal_basis="《基准依据》第一条", content="",
                effective_from=clock.today().replace(year=clock.today().year - 1), effective_to=None,
            ),
            actor=SYSTEM,
        )
    return Measure.objects.count()


def _system_register(code: str) -> str:
    from gongxin.accounts.models import Department
    from gongxin.accounts.services import api_client_create
    from gongxin.accounts.viewer import SYSTEM
    from gongxin.rewards.choices import MatterType
    from gongxin.rewards.services import matter_register, system_register

    department = Department.objects.order_by("id").first()
    assert department is not None
    client, key = api_client_create(name="基准业务系统", department=department, scopes=["subjects:read"],
                                    rate_limit_per_minute=10**9)
    system = system_register(code=code, name="基准业务系统", department=department, client=client, actor=SYSTEM)
    # The matter moves to the newest system (a reused database registers a new one with a new key).
    matter_register(code=MATTER, name="政府采购投标", system=system, matter_type=MatterType.PROCUREMENT, actor=SYSTEM)
    return key


def _workers_text(workers: int, threads: int, server: str = "gunicorn") -> str:
    if server == "granian":
        return f"granian, {workers} WSGI workers of {threads or 1} Python thread(s)"
    return f"gunicorn {workers} gthread workers of {threads} threads" if threads else f"gunicorn {workers} sync workers"


def _server(workers: int, threads: int = 0, server: str = "gunicorn") -> subprocess.Popen[bytes]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="checks_site",
               PYTHONPATH=os.pathsep.join([str(BENCH), os.environ.get("PYTHONPATH", "")]))
    command = [str(Path(sys.executable).with_name("gunicorn")), "gongxin.wsgi:application",
               "--config", "python:gongxin.gunicorn_conf", "--workers", str(workers),
               "--bind", f"{HOST}:{PORT}", "--log-level", "warning"]
    if threads:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    if server == "granian":  # keeps connections alive; HTTP parsed in Rust, the application on --threads threads
        command = [str(Path(sys.executable).with_name("granian")), "--interface", "wsgi", "--workers", str(workers),
                   "--blocking-threads", str(threads or 1), "--runtime-threads", "1", "--host", HOST,
                   "--port", str(PORT), "--log-level", "warning", "gongxin.wsgi:application"]
    process = subprocess.Popen(command, env=env)  # noqa: S603 - our own server binary
    wait_until_up(HOST, PORT)
    return process


def _cpu_ticks() -> dict[int, tuple[str, int]]:
    """CPU time (clock ticks) used so far by each process on the machine, with its group: the server's
    workers, PostgreSQL's backends and its other processes, this load generator, everything else."""
    ticks: dict[int, tuple[str, int]] = {}
    me = os.getpid()
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        try:
            stat = stat_path.read_text()
            command = stat_path.with_name("cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        pid = int(stat_path.parent.name)
        fields = stat.rsplit(")", 1)[1].split()
        used = int(fields[11]) + int(fields[12])  # utime + stime
        if pid == me:
            group = "load generator"
        elif "gunicorn" in command or "granian" in command:
            group = "server"
        elif command.startswith("postgres:") and "127.0.0.1(" in command and f" {_database} " in command:
            group = "postgres backends"
        elif "postgres" in command:
            group = "postgres other"
        else:
            group = "other"
        ticks[pid] = (group, used)
    return ticks


def _idle_ticks() -> tuple[int, int]:
    """The machine's idle (incl. I/O wait) and total CPU ticks so far, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return fields[3] + fields[4], sum(fields[:8])


def _measured(run: Callable[[], LoadResult]) -> LoadResult:
    """Run one load and attach the CPU milliseconds per answered request of each process group (processes
    that ended during the run are not counted: a lower bound for their group), and the share of the
    machine's CPU left idle (a saturated server that leaves CPU idle waits on something else)."""
    before, idle_before = _cpu_ticks(), _idle_ticks()
    result = run()
    after, idle_after = _cpu_ticks(), _idle_ticks()
    result.idle = (idle_after[0] - idle_before[0]) / max(idle_after[1] - idle_before[1], 1)  # type: ignore[attr-defined]
    per_tick = 1000 / os.sysconf("SC_CLK_TCK") / max(result.ok, 1)
    cpu: dict[str, float] = {}
    for pid, (group, used) in after.items():
        cpu[group] = cpu.get(group, 0.0) + (used - before.get(pid, (group, 0))[1]) * per_tick
    result.cpu_ms = cpu  # type: ignore[attr-defined]
    return result


def _runs(args: argparse.Namespace, key: str, usccs: list[str]) -> dict[str, list[LoadResult]]:
    """Saturation of bare, floor and check in turn, ``--rounds`` times (so all three see the same machine),
    then each fixed rate of checks ``--rounds`` times."""
    rng = random.Random(args.seed)
    picks = [rng.choice(usccs) for _ in range(1 << 16)]
    headers = {"X-API-Key": key, "Content-Type": "application/json"}

    def check(i: int) -> tuple[str, str, bytes, dict[str, str]]:
        body = json.dumps({"matter": MATTER, "uscc": picks[i & 0xFFFF]}).encode()
        return "POST", "/api/v1/checks", body, headers

    def bare(i: int) -> tuple[str, str, bytes, dict[str, str]]:
        return "GET", f"/bench/bare?uscc={picks[i & 0xFFFF]}", b"", {}

    def floor(i: int) -> tuple[str, str, bytes, dict[str, str]]:
        return "GET", f"/bench/floor?uscc={picks[i & 0xFFFF]}", b"", {}

    results: dict[str, list[LoadResult]] = {}
    warm = max(2.0, args.seconds / 4)
    saturate(HOST, PORT, bare, concurrency=args.concurrency, seconds=warm)
    saturate(HOST, PORT, check, concurrency=args.concurrency, seconds=warm)
    for _round in range(args.rounds):
        for label, make in (("bare", bare), ("floor", floor), ("check", check)):
            results.setdefault(f"saturate {label}", []).append(_measured(lambda make=make, label=label: saturate(
                HOST, PORT, make, concurrency=args.concurrency, seconds=args.seconds, label=label)))
            time.sleep(1)
    for _round in range(args.rounds):
        for rate in [float(r) for r in args.rates.split(",") if r]:
            results.setdefault(f"check @ {rate:g}/s", []).append(_measured(lambda rate=rate: fixed_rate(
                HOST, PORT, check, rate=rate, seconds=args.seconds, label=f"check @ {rate:g}/s")))
            time.sleep(1)
    return results


def _report(results: dict[str, list[LoadResult]], setup: dict[str, Any], *, workers: int, threads: int,
            server: str) -> bool:
    print(f"\nPostgreSQL, {setup['organizations']:,} organizations, {setup['list_entries']:,} list entries, "
          f"{setup['measures']} measures; {_workers_text(workers, threads, server)}; load generator on loopback")
    print(f"{'run':<20} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}   CPU ms per request: "
          "server + postgres backends + load generator (+ other); CPU idle")
    for label, runs in results.items():
        for r in runs:
            cpu: dict[str, float] = getattr(r, "cpu_ms", {})
            rest = sum(v for g, v in cpu.items() if g not in {"server", "postgres backends", "load generator"})
            print(f"{label:<20} {r.throughput:>7.0f} {r.median:>8.2f} {r.percentile(99):>8.2f} {r.errors:>6}   "
                  f"{cpu.get('server', 0):.2f} + {cpu.get('postgres backends', 0):.2f} + "
                  f"{cpu.get('load generator', 0):.2f} (+ {rest:.2f}); {getattr(r, 'idle', 0):.0%}")
    bare, check = results["saturate bare"], results["saturate check"]
    ratios = [c.throughput / b.throughput for b, c in zip(bare, check, strict=True) if b.throughput]
    ratio = statistics.median(ratios) if ratios else 0.0
    passed = True
    rounds = ", ".join(f"{r:.2f}" for r in ratios)
    check_median = statistics.median(c.throughput for c in check)
    medians = f"{check_median:.0f} / {statistics.median(b.throughput for b in bare):.0f}"
    print(f"\nthroughput ratio check / bare, median of {len(ratios)} rounds: {ratio:.2f} (rounds: {rounds}; "
          f"median req/s {medians}) (target ≥ 0.50): {'PASS' if ratio >= 0.5 else 'FAIL'}")
    passed &= ratio >= 0.5
    floors = results.get("saturate floor", [])
    if floors:
        print("floor (lookup + the durable INSERT of check and inquiry, nothing else) / bare, median: "
              f"{statistics.median(f.throughput / b.throughput for f, b in zip(floors, bare, strict=True)):.2f}; "
              "check / floor, median: "
              f"{statistics.median(c.throughput / f.throughput for c, f in zip(check, floors, strict=True)):.2f}")
    at_500 = results.get("check @ 500/s")
    if at_500:
        p99s = [r.percentile(99) for r in at_500]
        p99 = statistics.median(p99s)
        ok = p99 < 20 and all(r.errors == 0 for r in at_500)
        runs = ", ".join(f"{p:.2f}" for p in p99s)
        print(f"p99 at 500 req/s, median of {len(p99s)} runs: {p99:.2f} ms (runs: {runs}) (target < 20 ms, no errors): "
              f"{'PASS' if ok else 'FAIL'}")
        passed &= ok
    return passed


def _checkpoint() -> None:
    """Write the seeding's dirty pages out before the load, so the first runs measure checks rather than
    PostgreSQL flushing gigabytes and logging a full page image of each page the load first touches."""
    from django.db import DatabaseError, connection

    try:
        connection.cursor().execute("CHECKPOINT")
    except DatabaseError as error:  # CHECKPOINT needs a superuser or pg_checkpoint
        print(f"  no CHECKPOINT ({error}); the first runs may be slower")


def _bench(args: argparse.Namespace) -> bool:
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "gongxin.settings"
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from gongxin.demo.services import demo_seed
    from gongxin.records.models import ListEntry
    from gongxin.rewards.facts import facts_rebuild
    from gongxin.rewards.models import Measure
    from gongxin.subjects.models import Organization

    global _database
    _database = str(connection.settings_dict["NAME"])
    _phase("migrate", lambda: call_command("migrate", interactive=False, verbosity=0))
    if args.database:
        measures = Measure.objects.count()
        key = _system_register(f"bench.system.{int(time.time())}")
    else:
        # The demo city turns about 7.8% of its records into list entries.
        records = int(args.list_entries / 0.078)
        _phase(f"seed {args.organizations:,} organizations, {records:,} records",
               lambda: demo_seed(seed=args.seed, organizations=args.organizations, persons=10_000, records=records,
                                 progress=False))
        measures = _phase("measures", lambda: _measures_top_up(args.measures))
        key = _system_register("bench.system")
        _phase("subject facts", lambda: [done for done, _ in facts_rebuild()][-1:])
        _phase("analyze", lambda: connection.cursor().execute("VACUUM ANALYZE"))
        _phase("checkpoint", _checkpoint)
    setup = {"organizations": Organization.objects.count(), "list_entries": ListEntry.objects.count(),
             "measures": measures}
    usccs = list(Organization.objects.values_list("uscc", flat=True)[:200_000])
    if args.sustained:
        return _bench_sustained(args, key, usccs, setup)
    connection.close()

    passed = True
    for workers in [int(w) for w in str(args.workers).split(",") if w]:
        server = _server(workers, args.threads, args.server)
        try:
            results = _runs(args, key, usccs)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
        passed &= _report(results, setup, workers=workers, threads=args.threads, server=args.server)
    return passed


def _bench_sustained(args: argparse.Namespace, key: str, usccs: list[str], setup: dict[str, Any]) -> bool:
    from django.db import connection

    clean, listed = checks_sustained.subjects_split(MATTER)
    print(f"organizations: {len(clean):,} clean, {len(listed):,} listed for {MATTER}", flush=True)
    if args.prelogged:
        _phase(f"prelog {args.prelogged:,} checks and inquiries", lambda: checks_sustained.prelog(
            args.prelogged, matter_code=MATTER, listed_uscc=listed[0], seed=args.seed))
    rng = random.Random(args.seed)
    picks = [rng.choice(usccs) for _ in range(1 << 16)]
    headers = {"X-API-Key": key, "Content-Type": "application/json"}

    def check(i: int) -> tuple[str, str, bytes, dict[str, str]]:
        return "POST", "/api/v1/checks", json.dumps({"matter": MATTER, "uscc": picks[i & 0xFFFF]}).encode(), headers

    def bare(i: int) -> tuple[str, str, bytes, dict[str, str]]:
        return "GET", f"/bench/bare?uscc={picks[i & 0xFFFF]}", b"", {}

    mix = checks_sustained.Mix(clean=clean, listed=listed, key=key, matter=MATTER, rng=random.Random(args.seed + 1))
    trace = None
    if args.trace:
        db = connection.settings_dict
        trace = Trace(f"host={db['HOST']} port={db['PORT'] or 5432} user={db['USER']} dbname={db['NAME']}")
        mix.trace = trace.answered
    workers = int(str(args.workers).split(",")[0])
    print(f"\nPostgreSQL, {setup['organizations']:,} organizations, {setup['list_entries']:,} list entries, "
          f"{setup['measures']} measures; {_workers_text(workers, args.threads, args.server)}; "
          f"sustained {args.sustained:g} min",
          flush=True)
    connection.close()
    server = _server(workers, args.threads, args.server)
    try:
        runs = checks_sustained.sustained(
            host=HOST, port=PORT, minutes=args.sustained, interval=args.interval, rate=args.rate,
            seconds=args.seconds, mix=mix, single_check=check, bare=bare, measured=_measured,
            concurrency=args.concurrency)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        if trace is not None:
            trace.write(args.trace)
    return checks_sustained.report(runs, rate=args.rate, interval=args.interval)


def main() -> None:
    args = _arguments()
    with scratch_platform(args.postgres, keep=args.keep or bool(args.database), database=args.database):
        passed = _bench(args)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
