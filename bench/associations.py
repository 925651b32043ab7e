"""Benchmark of issue #21: association queries and the nightly association refresh at city scale (decision 070).

    flock /tmp/bench.lock .venv/bin/python bench/associations.py               # build once (kept), then measure
    flock /tmp/bench.lock .venv/bin/python bench/associations.py --runs 300    # measure again on the kept graph

On PostgreSQL, in its own database (``--database``, default ``gongxin_bench_associations``; created and migrated when
missing; ``--rebuild`` starts over). The graph is built by COPY: ``--organizations`` (1.2M) and ``--persons`` (2M)
subjects and about ``--relations`` (5M) relations of a believable shape — one legal representative per organization
(most people on one board, a pool of serial directors on about ten, a few hundred on about forty), executives,
persons' shareholdings, holding chains between organizations several levels deep with a few cycles, branches, a few
declared actual controllers; a tenth of the relations ended. One organization in a hundred is on the court's list of
dishonest judgment debtors (records and list entries by COPY).

Measured, each over ``--runs`` random organizations after two warm-ups, p50 and p95 in milliseconds, in-process:

- ``related_subjects`` depth 2 (the engine chosen: one recursive query over the foreign keys' indexes, then one read
  of the relations on the paths) — target p95 < 50 ms; and, for the decision, the portable walk of one query per
  level (what SQLite runs) and the bare recursive query;
- ``ultimate_controllers`` of organizations that have holders (one recursive query up the holding chains, the exact
  solve in Python) — target p95 < 100 ms;
- the nightly association refresh ``rewards.related.related_refresh`` (every subject a listed firm's listing may
  follow to, facts recomputed set-based) — target < 15 min;
- with ``rustworkx`` installed, the graph library over a projection held in memory: its load time and memory, and
  depth 2 over it (the alternative of decision 070).

Figures are taken on a shared 2-core machine: single runs vary; run it twice and take the medians.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

RELATIONS_TABLE = "subjects_relation"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="gongxin_bench_associations")
    parser.add_argument("--organizations", type=int, default=1_200_000)
    parser.add_argument("--persons", type=int, default=2_000_000)
    parser.add_argument("--relations", type=int, default=5_000_000, help="about this many")
    parser.add_argument("--listed", type=float, default=0.01, help="share of organizations on the court's list")
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--rebuild", action="store_true", help="drop the built graph and build it again")
    parser.add_argument("--seed", type=int, default=21)
    return parser.parse_args()


def _database_ensure(name: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]


def _time(label: str, call: Callable[[int], Any], ids: list[int]) -> tuple[float, float]:
    for sid in ids[:2]:
        call(sid)
    samples = []
    sizes = []
    for sid in ids:
        started = time.perf_counter()
        result = call(sid)
        samples.append((time.perf_counter() - started) * 1000)
        sizes.append(len(result) if hasattr(result, "__len__") else 0)
    p50, p95 = _percentiles(samples)
    print(f"{label:<52} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   (n={len(ids)}, answers: median "
          f"{statistics.median(sizes):.0f}, max {max(sizes)})", flush=True)
    return p50, p95


# --- the graph, by COPY -------------------------------------------------------------------------------------------

def _copy(cursor: Any, table: str, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _build(args: argparse.Namespace) -> dict[str, int]:
    from django.db import connection

    from gongxin.accounts.models import Department
    from gongxin.catalog.models import CatalogItem, SourceUnit
    from gongxin.core import clock
    from gongxin.records.models import ListType

    rng = random.Random(args.seed)
    now = clock.now()
    today = clock.today()
    n_org, n_per = args.organizations, args.persons
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM subjects_subject")
        base = cursor.fetchone()[0] + 1
    org_id = lambda i: base + i  # noqa: E731
    per_id = lambda i: base + n_org + i  # noqa: E731
    addresses = [f"浙江省宁波市鄞州区首南街道{i}号" for i in range(n_org // 3)]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        _copy(cursor, "subjects_subject", ("id", "kind", "name", "name_initials", "region_code", "created_at",
                                           "needs_enrichment"),
              ((org_id(i), "organization", f"宁波基准{i}有限公司", "nbjz", "330212", now, False) for i in range(n_org)))
        _copy(cursor, "subjects_subject", ("id", "kind", "name", "name_initials", "region_code", "created_at",
                                           "needs_enrichment"),
              ((per_id(i), "person", f"基准人{i}", "", "330212", now, False) for i in range(n_per)))
        _copy(cursor, "subjects_organization", ("subject_id", "uscc", "org_kind", "industry", "legal_representative",
                                                "address", "status"),
              ((org_id(i), f"91B{i:015d}", "enterprise", "", "", addresses[rng.randrange(len(addresses))], "active")
               for i in range(n_org)))
        _copy(cursor, "subjects_person", ("subject_id", "rin_sealed", "rin_hash", "rin_masked"),
              ((per_id(i), "bench", f"{i:064d}", "3302**********1234") for i in range(n_per)))
        cursor.execute("SELECT setval(pg_get_serial_sequence('subjects_subject', 'id'), %s)",
                       [base + n_org + n_per])
    print(f"subjects by COPY: {n_org:,} organizations, {n_per:,} persons in {time.perf_counter() - started:.1f} s",
          flush=True)

    serial = [rng.randrange(n_per) for _ in range(20_000)]  # directors on about ten boards
    heavy = [rng.randrange(n_per) for _ in range(500)]  # on about forty
    holding_pool = max(1, n_org // 10)  # organizations that hold others (groups)
    rest = max(0.0, args.relations / n_org - 1.0)  # relations per organization besides its legal representative
    scale = rest / 3.0  # the mix below sums to 3.0 per organization

    def person() -> int:
        r = rng.random()
        if r < 0.80:
            return per_id(rng.randrange(n_per))
        if r < 0.98:
            return per_id(serial[rng.randrange(len(serial))])
        return per_id(heavy[rng.randrange(len(heavy))])

    def dates() -> tuple[date, date | None]:
        start = today - timedelta(days=rng.randrange(30, 7000))
        end = start + timedelta(days=rng.randrange(30, 2000)) if rng.random() < 0.1 else None
        return start, end if end is None or end < today else None

    def count(mean: float) -> int:
        whole = int(mean)
        return whole + (1 if rng.random() < mean - whole else 0)

    def relations() -> Iterator[tuple[Any, ...]]:
        ref = 1
        for i in range(n_org):
            target = org_id(i)
            rows: list[tuple[int, int, str, str | None]] = [(person(), target, "legal_representative", None)]
            rows += [(person(), target, "executive", None) for _ in range(count(1.45 * scale))]
            held = 0.0
            for _ in range(count(0.95 * scale)):
                share = round(rng.uniform(0.05, 0.5) * (1 - held), 4)
                held += share
                rows.append((person(), target, "shareholder", f"{share:.4f}"))
            if i > 0 and rng.random() < min(1.0, 0.45 * scale):
                # a holding chain: held by a group organization with a lower index (chains go several levels up);
                # one in a thousand points the other way, which closes cycles
                holder = rng.randrange(min(i, holding_pool)) if rng.random() > 0.001 else rng.randrange(n_org)
                if holder != i:
                    share = round(rng.uniform(0.05, max(0.06, 1 - held)), 4)
                    rows.append((org_id(holder), target, "shareholder", f"{share:.4f}"))
            if i > 0 and rng.random() < 0.12 * scale:
                rows.append((target, org_id(rng.randrange(i)), "branch", None))  # this one is a branch of a head
            if rng.random() < 0.04 * scale:
                rows.append((person(), target, "actual_controller", None))
            for source, to, kind, share_text in rows:
                start, end = dates()
                yield (source, to, kind, share_text, start, end, ref)
                ref += 1

    started = time.perf_counter()
    with connection.cursor() as cursor:
        written = _copy(cursor, RELATIONS_TABLE, ("from_subject_id", "to_subject_id", "kind", "share_ratio",
                                                  "start_date", "end_date", "record_ref"), relations())
    print(f"relations by COPY: {written:,} in {time.perf_counter() - started:.1f} s", flush=True)

    # One organization in a hundred on the court's list: a record and a list entry each.
    department, _ = Department.objects.get_or_create(code="bench-court", defaults={"name": "基准测试法院",
                                                                                    "region_code": "330200"})
    unit, _ = SourceUnit.objects.get_or_create(department=department, defaults={"domain": "court"})
    item = CatalogItem.objects.filter(code="judgment_debtor", edition__is_current=True).first()
    list_type = ListType.objects.get(code="judgment_debtor")
    listed = sorted(rng.sample(range(n_org), int(n_org * args.listed)))
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM records_record")
        rbase = cursor.fetchone()[0] + 1
        _copy(cursor, "records_record", ("id", "source_unit_id", "catalog_item_id", "source_record_id", "subject_id",
                                         "created_at"),
              ((rbase + k, unit.pk, item.pk, f"bench-jd-{i}", org_id(i), now) for k, i in enumerate(listed)))
        cursor.execute("SELECT setval(pg_get_serial_sequence('records_record', 'id'), %s)", [rbase + len(listed)])
        _copy(cursor, "records_listentry", ("list_type_id", "subject_id", "record_id", "start_date", "basis",
                                            "is_active"),
              ((list_type.pk, org_id(i), rbase + k, today - timedelta(days=rng.randrange(10, 900)), "基准", True)
               for k, i in enumerate(listed)))
        for table in ("subjects_subject", "subjects_organization", "subjects_person", RELATIONS_TABLE,
                      "records_record", "records_listentry"):
            cursor.execute(f"ANALYZE {table}")
    print(f"list entries by COPY: {len(listed):,}", flush=True)
    return {"base": base, "organizations": n_org, "persons": n_per, "relations": written, "listed": len(listed)}


def _graph_size() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM subjects_relation")
        relations = cursor.fetchone()[0]
        cursor.execute("SELECT kind, count(*) FROM subjects_subject GROUP BY kind")
        kinds = dict(cursor.fetchall())
    return {"relations": relations, **kinds}


def _drop_graph() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE subjects_relation, records_listentry, rewards_subjectfacts, access_inquiry, "
                       "subjects_person, subjects_organization, records_record, subjects_subject CASCADE")


# --- the alternative for the decision: one recursive query ----------------------------------------------------------

RECURSIVE = """
WITH RECURSIVE walk(subject_id, depth, path) AS (
    SELECT %(start)s::bigint, 0, ARRAY[]::bigint[]
  UNION ALL
    SELECT step.other, walk.depth + 1, walk.path || step.id
    FROM walk CROSS JOIN LATERAL (
        SELECT r.id, r.to_subject_id AS other FROM subjects_relation r
        WHERE r.from_subject_id = walk.subject_id AND (r.start_date IS NULL OR r.start_date <= %(day)s)
          AND (r.end_date IS NULL OR r.end_date > %(day)s)
      UNION ALL
        SELECT r.id, r.from_subject_id FROM subjects_relation r
        WHERE r.to_subject_id = walk.subject_id AND (r.start_date IS NULL OR r.start_date <= %(day)s)
          AND (r.end_date IS NULL OR r.end_date > %(day)s)
    ) AS step
    WHERE walk.depth < 2
)
SELECT DISTINCT ON (subject_id) subject_id, depth, path FROM walk WHERE subject_id <> %(start)s
ORDER BY subject_id, depth, path
"""


def _recursive(start: int) -> list[tuple[Any, ...]]:
    from django.db import connection

    from gongxin.core import clock

    with connection.cursor() as cursor:
        cursor.execute(RECURSIVE, {"start": start, "day": clock.today()})
        return cursor.fetchall()


def _rustworkx(ids: list[int]) -> None:
    try:
        import rustworkx
    except ImportError:
        print("rustworkx: not installed (pip install rustworkx): the in-memory alternative not measured", flush=True)
        return
    from django.db import connection

    from gongxin.core import clock

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    graph = rustworkx.PyGraph(multigraph=True)
    index: dict[int, int] = {}
    today = clock.today()
    with connection.cursor() as cursor:
        cursor.execute("SELECT from_subject_id, to_subject_id, kind FROM subjects_relation WHERE (start_date IS NULL "
                       "OR start_date <= %s) AND (end_date IS NULL OR end_date > %s)", [today, today])
        edges = []
        while True:
            rows = cursor.fetchmany(200_000)
            if not rows:
                break
            for a, b, kind in rows:
                ia = index.get(a)
                if ia is None:
                    ia = index[a] = graph.add_node(a)
                ib = index.get(b)
                if ib is None:
                    ib = index[b] = graph.add_node(b)
                edges.append((ia, ib, kind))
            graph.add_edges_from(edges)
            edges.clear()
    loaded = time.perf_counter() - started
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(f"rustworkx: {graph.num_nodes():,} nodes, {graph.num_edges():,} edges loaded in {loaded:.1f} s, "
          f"peak memory +{grown:.0f} MiB", flush=True)

    def depth_two(sid: int) -> list[int]:
        start = index.get(sid)
        if start is None:
            return []
        first = set(graph.neighbors(start))
        second = set()
        for node in first:
            second.update(graph.neighbors(node))
        return [graph[n] for n in (first | second) - {start}]

    _time("rustworkx depth 2 (in memory, ids only)", depth_two, ids)


def main() -> None:
    args = _arguments()
    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{args.database}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongxin.settings")
    os.environ.setdefault("GONGXIN_SECRET_KEY", "bench-associations")
    os.environ.setdefault("GONGXIN_LOG_LEVEL", "ERROR")
    _database_ensure(args.database)
    import django

    django.setup()
    from django.core.management import call_command

    from gongxin.rewards.related import related_candidates, related_refresh
    from gongxin.subjects.associations import related_subjects, ultimate_controllers
    from gongxin.subjects.models import Relation, Subject

    call_command("migrate", verbosity=0)
    size = _graph_size()
    if args.rebuild or size["relations"] < args.relations * 0.9:
        if size["relations"]:
            _drop_graph()
        started = time.perf_counter()
        built = _build(args)
        print(f"graph built in {time.perf_counter() - started:.0f} s: {built}", flush=True)
        size = _graph_size()
    print(f"graph: {size}", flush=True)

    rng = random.Random(args.seed + 1)
    first, last = (Subject.objects.filter(kind="organization").order_by("pk").values_list("pk", flat=True).first(),
                   Subject.objects.filter(kind="organization").order_by("-pk").values_list("pk", flat=True).first())
    organizations = [rng.randint(first, last) for _ in range(args.runs)]
    held = list(Relation.objects.filter(kind="shareholder", from_subject__kind="organization")
                .values_list("to_subject_id", flat=True).order_by("?")[:args.runs])

    print("-- PostgreSQL, recursive queries (the engine chosen) --", flush=True)
    _time("related_subjects depth 2", lambda sid: related_subjects(subject_id=sid, depth=2), organizations)
    _time("related_subjects depth 3", lambda sid: related_subjects(subject_id=sid, depth=3),
          organizations[: max(20, args.runs // 5)])
    _time("ultimate_controllers (organizations held by others)", lambda sid: ultimate_controllers(subject_id=sid),
          held)
    _time("ultimate_controllers (any organization)", lambda sid: ultimate_controllers(subject_id=sid), organizations)
    print("-- the alternatives --", flush=True)
    _time("recursive CTE depth 2, relation ids only", _recursive, organizations)
    from gongxin.core import clock
    from gongxin.subjects.associations import _reached_by_level

    _time("one query per level, depth 2 (ids and paths)",
          lambda sid: _reached_by_level(sid, 2, None, clock.today(), 2000), organizations)
    _rustworkx(organizations)

    print("-- the nightly association refresh --", flush=True)
    started = time.perf_counter()
    candidates = len(related_candidates())
    found = time.perf_counter() - started
    started = time.perf_counter()
    done = 0
    for progress, _total in related_refresh():
        done = progress
    took = time.perf_counter() - started
    print(f"related_candidates: {candidates:,} subjects in {found:.1f} s; related_refresh: {done:,} subjects in "
          f"{took:.1f} s ({(found + took) / 60:.2f} min in all; target < 15 min)", flush=True)


if __name__ == "__main__":
    main()
