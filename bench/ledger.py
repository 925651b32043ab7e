"""Benchmark of issue #20: what the tamper-evident log costs an ingest, how fast it integrates, and how fast it
proves inclusion at 20M leaves.

    flock /tmp/bench.lock .venv/bin/python bench/ledger.py --postgres postgresql://postgres@127.0.0.1:5432/postgres
    flock /tmp/bench.lock .venv/bin/python bench/ledger.py --postgres URL --rows 200000 --repeat 3 --leaves 0
    flock /tmp/bench.lock .venv/bin/python bench/ledger.py --postgres URL --rows 0 --leaves 20000000

Each measurement runs in its own process on its own fresh PostgreSQL database (``gongxin_bench_<random>``, dropped
afterwards; bench/_scratch.py):

1. **ingest overhead** — the same generated penalty file (``--rows``, default 1,000,000; bench/ingest_penalties.py's
   generator and registry) ingested with ``gongxin.ingest.services.batch_ingest_file``, once with the ledger off and
   once on, alternating ``--repeat`` times (default 1). "Off" replaces the bulk load's leaf step
   (``records.load._versions_log``: compute each version's leaf and queue it) by nothing; "on" is the platform as
   it ships. Prints each run's rows/s and the overhead ``(on − off) / off`` of the wall time (target < 10 %), and
   the median over the pairs. After each "on" run the queued entries are integrated into the tree
   (``ledger.services.ledger_integrate``, the sequencer): entries/s;
2. **inclusion proofs at ``--leaves``** (default 20,000,000) — the tree built set-based in SQL (the leaves with
   PostgreSQL's ``sha256``, then each level of the node table from the one below, as the integrator stores it), its
   root checked against ``ledger.merkle`` on a sample; then ``--proofs`` (default 2,000) inclusion proofs of random
   leaves against the whole tree, read through ``ledger.selectors.inclusion_proof_of`` (the node table by primary
   key) and through the API (``GET /api/v1/ledger/proofs/inclusion``, Django's test client in process), each
   verified; p50/p95/p99 in ms (target p95 < 20 ms).

On a shared machine quote medians, and rerun when in doubt.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _scratch import scratch_platform


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongxin.settings")
    django.setup()


# --- 1. ingest with the ledger off and on ---------------------------------------------------------------

def child_ingest(mode: str, path: Path, url: str, rows: int, organizations: int, seed: int) -> dict[str, float]:
    with scratch_platform(url):
        _setup()
        from ingest_penalties import ingest_run

        if mode == "off":
            import gongxin.records.load as load

            load._versions_log = lambda *args, **kwargs: None  # type: ignore[assignment]
        import resource

        from ingest_penalties import _backend_cpu, _own_cpu, _process_cpu

        marks: dict[str, float] = {}

        def before() -> None:  # CPU so far: this process and its readers, and the PostgreSQL backend
            marks["client"] = _own_cpu() + _own_cpu(resource.RUSAGE_CHILDREN)
            pid, marks["postgres"] = _backend_cpu()
            marks["pid"] = float(pid)

        seconds, batch = ingest_run(path, rows, organizations, seed, before=before)
        client_cpu = _own_cpu() + _own_cpu(resource.RUSAGE_CHILDREN) - marks["client"]
        postgres_cpu = _process_cpu(int(marks["pid"])) - marks["postgres"]
        from gongxin.ledger.models import QueuedEntry

        queued = QueuedEntry.objects.count()
        result = {"seconds": seconds, "rows": float(batch.received), "inserted": float(batch.inserted),  # type: ignore[attr-defined]
                  "queued": float(queued), "cpu": client_cpu + postgres_cpu, "client_cpu": client_cpu,
                  "postgres_cpu": postgres_cpu}
        if mode == "on":
            from gongxin.ledger.services import ledger_integrate

            started = time.perf_counter()
            integrated = ledger_integrate()
            result["integrate_seconds"] = time.perf_counter() - started
            result["integrated"] = float(integrated.integrated)
        return result


def ingest_overhead(url: str, rows: int, repeat: int, seed: int) -> None:
    from ingest_penalties import file_generate

    with scratch_platform(None) as data_dir:
        path = data_dir / "penalties.csv"
        organizations = max(1, rows // 10)
        invalid = file_generate(path, rows=rows, organizations=organizations, seed=seed)
        print(f"file: {rows:,} penalty rows ({invalid:,} invalid on purpose), {organizations:,} organizations",
              flush=True)
        overheads, cpu_overheads, integrate_rates = [], [], []
        for run in range(repeat):
            pair: dict[str, dict[str, float]] = {}
            for mode in (("off", "on") if run % 2 == 0 else ("on", "off")):
                output = subprocess.run(  # noqa: S603 - this very script
                    [sys.executable, __file__, "--child", "ingest", mode, str(path), url, str(rows),
                     str(organizations), str(seed)], check=True, stdout=subprocess.PIPE, text=True).stdout
                result = json.loads(output.strip().splitlines()[-1])
                pair[mode] = result
                line = (f"run {run + 1} ledger {mode:>3}: {result['rows']:,.0f} rows in {result['seconds']:.1f} s "
                        f"= {result['rows'] / result['seconds']:,.0f} rows/s; CPU {result['cpu']:.1f} s (client "
                        f"{result['client_cpu']:.1f}, PostgreSQL backend {result['postgres_cpu']:.1f}); "
                        f"{result['queued']:,.0f} entries queued; load {os.getloadavg()[0]:.1f}")
                if mode == "on":
                    rate = result["integrated"] / result["integrate_seconds"]
                    integrate_rates.append(rate)
                    line += (f"; integrated {result['integrated']:,.0f} entries in {result['integrate_seconds']:.1f} s"
                             f" = {rate:,.0f} entries/s")
                print(line, flush=True)
            overhead = (pair["on"]["seconds"] - pair["off"]["seconds"]) / pair["off"]["seconds"]
            overheads.append(overhead)
            cpu_overhead = (pair["on"]["cpu"] - pair["off"]["cpu"]) / pair["off"]["cpu"]
            cpu_overheads.append(cpu_overhead)
            print(f"run {run + 1} overhead of the ledger on the ingest: wall {overhead * 100:+.1f} %, "
                  f"CPU {cpu_overhead * 100:+.1f} %", flush=True)
        median = statistics.median(overheads)
        print(f"ingest overhead, median of {repeat}: {median * 100:+.1f} %  target < 10 %  "
              f"{'PASS' if median < 0.10 else 'FAIL'}")
        print(f"CPU overhead (client and PostgreSQL backend), median of {repeat}: "
              f"{statistics.median(cpu_overheads) * 100:+.1f} % (steadier than wall time on a shared machine)")
        print(f"integration, median: {statistics.median(integrate_rates):,.0f} entries/s (Trillian ~1,190/s, Tessera "
              "300-2,900 writes/s on their reference setups)", flush=True)


# --- 2. inclusion proofs at scale ---------------------------------------------------------------------------

def tree_build(size: int) -> float:
    """The leaves and every perfect subtree of the node table, set-based; returns the seconds it took."""
    from django.db import connection

    from gongxin.core import clock
    from gongxin.ledger import merkle
    from gongxin.ledger.models import NODE_LEVEL_BITS, TreeHead
    from gongxin.ledger.selectors import root_at

    started = time.perf_counter()
    with connection.cursor() as cursor:
        step = 2_000_000
        for start in range(0, size, step):
            cursor.execute(
                "INSERT INTO ledger_leaf (index, kind, ref, sub, leaf_hash) "
                "SELECT g, 'bench.entry', g, 0, sha256('\\x00'::bytea || convert_to('bench entry ' || g, 'UTF8')) "
                "FROM generate_series(%s, %s) g", [start, min(start + step, size) - 1])
            print(f"\r  leaves {min(start + step, size):,}/{size:,}", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        cursor.execute("CREATE TEMP TABLE bench_level (idx bigint PRIMARY KEY, hash bytea NOT NULL)")
        cursor.execute("INSERT INTO bench_level SELECT index, leaf_hash FROM ledger_leaf")
        level, width = 0, size
        while width >= 2:
            level += 1
            cursor.execute("CREATE TEMP TABLE bench_next (idx bigint PRIMARY KEY, hash bytea NOT NULL)")
            cursor.execute(
                "INSERT INTO bench_next SELECT l.idx / 2, sha256('\\x01'::bytea || l.hash || r.hash) "
                "FROM bench_level l JOIN bench_level r ON r.idx = l.idx + 1 WHERE l.idx % 2 = 0")
            cursor.execute("INSERT INTO ledger_node (id, hash) SELECT (idx << %s) | %s, hash FROM bench_next",
                           [NODE_LEVEL_BITS, level])
            cursor.execute("DROP TABLE bench_level")
            cursor.execute("ALTER TABLE bench_next RENAME TO bench_level")
            width //= 2
            print(f"  level {level}: {width:,} nodes", file=sys.stderr, flush=True)
        cursor.execute("DROP TABLE bench_level")
        cursor.execute("ANALYZE ledger_leaf")
        cursor.execute("ANALYZE ledger_node")
    TreeHead.objects.update_or_create(pk=1, defaults={"size": size, "root": merkle.EMPTY_ROOT,
                                                      "updated_at": clock.now()})
    root = root_at(size)
    TreeHead.objects.filter(pk=1).update(root=root)
    return time.perf_counter() - started


def _percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    at = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return f"p50 {at(0.50):.2f} ms, p95 {at(0.95):.2f} ms, p99 {at(0.99):.2f} ms"


def child_proofs(url: str, leaves: int, proofs: int, seed: int) -> dict[str, float]:
    with scratch_platform(url):
        _setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from django.test import Client

        from gongxin.ledger import merkle
        from gongxin.ledger.selectors import inclusion_proof_of, tree_head

        build = tree_build(leaves)
        size, root = tree_head()
        print(f"tree of {size:,} leaves built set-based in {build:.0f} s", file=sys.stderr, flush=True)
        rng = random.Random(seed)
        sample = rng.sample(range(size), 20)
        for index in sample:  # the stored tree is RFC 6962's: proofs of recomputed leaves verify against the root
            leaf = merkle.leaf_hash(f"bench entry {index}".encode())
            assert merkle.inclusion_verify(leaf_hash=leaf, index=index, size=size,
                                           proof=inclusion_proof_of(index, size), root=root), index
        indexes = [rng.randrange(size) for _ in range(proofs)]
        selector_ms = []
        for index in indexes:
            started = time.perf_counter()
            proof = inclusion_proof_of(index, size)
            selector_ms.append((time.perf_counter() - started) * 1000)
            leaf = merkle.leaf_hash(f"bench entry {index}".encode())
            assert merkle.inclusion_verify(leaf_hash=leaf, index=index, size=size, proof=proof, root=root), index
        print(f"inclusion proof, selector ({proofs:,} random leaves of {size:,}): {_percentiles(selector_ms)}",
              file=sys.stderr, flush=True)
        client = Client(HTTP_HOST="127.0.0.1")  # an allowed host of the platform's own settings
        api_ms = []
        for index in indexes:
            started = time.perf_counter()
            response = client.get("/api/v1/ledger/proofs/inclusion", {"index": index, "size": size})
            api_ms.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content
        print(f"inclusion proof, API in process ({proofs:,}): {_percentiles(api_ms)}", file=sys.stderr, flush=True)
        ordered = sorted(api_ms)
        return {"p95_api_ms": ordered[int(0.95 * len(ordered))],
                "p95_selector_ms": sorted(selector_ms)[int(0.95 * len(selector_ms))]}


def proofs_latency(url: str, leaves: int, proofs: int, seed: int) -> None:
    output = subprocess.run(  # noqa: S603 - this very script
        [sys.executable, __file__, "--child", "proofs", url, str(leaves), str(proofs), str(seed)], check=True,
        stdout=subprocess.PIPE, text=True).stdout
    lines = output.strip().splitlines()
    print("\n".join(lines[:-1]), flush=True)
    result = json.loads(lines[-1])
    print(f"inclusion proof p95 at {leaves:,} leaves (API): {result['p95_api_ms']:.2f} ms  target < 20 ms  "
          f"{'PASS' if result['p95_api_ms'] < 20 else 'FAIL'}", flush=True)


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        kind, rest = sys.argv[2], sys.argv[3:]
        if kind == "ingest":
            mode, path, url, rows, organizations, seed = rest
            result = child_ingest(mode, Path(path), url, int(rows), int(organizations), int(seed))
        else:
            url, leaves, proofs, seed = rest
            result = child_proofs(url, int(leaves), int(proofs), int(seed))
        print(json.dumps(result), flush=True)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", required=True, help="a PostgreSQL server (temporary databases)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the ingest (0: skip)")
    parser.add_argument("--repeat", type=int, default=1, help="pairs of ingests, ledger off and on")
    parser.add_argument("--leaves", type=int, default=20_000_000, help="leaves of the proof tree (0: skip)")
    parser.add_argument("--proofs", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} (shared)", flush=True)
    if args.rows:
        ingest_overhead(args.postgres, args.rows, args.repeat, args.seed)
    if args.leaves:
        proofs_latency(args.postgres, args.leaves, args.proofs, args.seed)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
