"""The sustained mode of bench/checks.py (``--sustained [MINUTES]``): the check API under mixed traffic at a fixed
rate for minutes, on a fresh log or one with ``--prelogged N`` checks and inquiries already written, so drift shows.

- Before and after: saturation of the bare endpoint and of single checks (``--seconds`` each): check / bare.
- Then ``MINUTES`` intervals of ``--interval`` seconds (60) at ``--rate`` requests/s (500), open loop, of this mix:
  single checks of clean subjects (80 %), of listed subjects — a measure of the matter hits them — (14 %),
  batch checks of 10 subjects (2 %) and feedback on an earlier check with hits (4 %).
- Per interval: requests/s, subjects checked/s, p50 and p99 of every request and of the single checks, errors,
  the CPU milliseconds per request of the server's workers, PostgreSQL's backends and everything else (/proc),
  and the check log's size; at the end the log tables' counters (pg_stat_user_tables) over the run.

Targets (issue #23): check / bare >= 0.5 before and after; p99 < 20 ms in the first and the last interval,
no errors; PostgreSQL CPU per request in the last interval <= 1.2 x the first's.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from _load import LoadResult, Request, fixed_rate, saturate

CLEAN, LISTED, BATCH, FEEDBACK = "clean", "listed", "batch", "feedback"
MIX = ((FEEDBACK, 0.04), (BATCH, 0.02), (LISTED, 0.14))  # the rest: clean
BATCH_SIZE, BATCH_LISTED = 10, 2
LOG_TABLES = ("rewards_check", "rewards_checkhit", "rewards_checkfeedback", "access_inquiry",
              "accounts_apiclientusage", "accounts_apiclient", "rewards_measure")


# --- subjects and the log written before the run ----------------------------------------------------

def subjects_split(matter_code: str) -> tuple[list[str], list[str]]:
    """The organizations' USCCs: those no measure of the matter hits today (clean) and those hit (listed)."""
    from django.db import connection

    from gongxin.core import clock
    from gongxin.rewards.rules import ruleset

    rules = ruleset()
    matter = rules.matters[matter_code]
    day = clock.today()
    clean: list[str] = []
    listed: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT o.uscc, f.facts FROM subjects_organization o"
                       " LEFT JOIN rewards_subjectfacts f ON f.subject_id = o.subject_id")
        for uscc, facts in cursor.fetchall():
            facts = json.loads(facts) if isinstance(facts, str) else (facts or {})
            (listed if rules.measures_matched(matter, day, facts) else clean).append(uscc)
    return clean, listed


def prelog(count: int, *, matter_code: str, listed_uscc: str, seed: int) -> None:
    """Write ``count`` checks and as many inquiries into the logs by COPY (created over the last 30 days, oldest
    first, as a log grows), 14 % of them with the hits of a real check of a listed subject and its hit rows
    (one set-based INSERT); then VACUUM ANALYZE the logs and CHECKPOINT, as a kept database would be."""
    from django.db import DatabaseError, connection

    from gongxin.access.services import INQUIRY_COLUMNS, inquiry_values
    from gongxin.accounts.viewer import viewer_for_client
    from gongxin.core import clock
    from gongxin.rewards.models import Check, Matter
    from gongxin.rewards.services import _CHECK_COLUMNS, CheckRequest, checks_perform

    matter = Matter.objects.select_related("system__client").get(code=matter_code)
    client = matter.system.client
    assert client is not None
    viewer = viewer_for_client(client)
    template = checks_perform(requests=[CheckRequest(uscc=listed_uscc)], matter_code=matter_code, actor=viewer)[0]
    assert template.row is not None and template.row["hits"], "the listed subject has no hit"
    template_id = template.row["id"]
    hits_text = json.dumps(template.row["hits"], ensure_ascii=False, default=str)
    with connection.cursor() as cursor:
        cursor.execute("SELECT subject_id FROM subjects_organization")
        subject_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT COALESCE(max(id), 0) FROM rewards_check")
        first_id = cursor.fetchone()[0]
    now = clock.now()
    start = now - timedelta(days=30)
    step = (now - timedelta(minutes=1) - start) / max(count, 1)
    listed_share = dict(MIX)[LISTED]

    def logged() -> Iterator[tuple[datetime, int, bool]]:  # the same rows for both logs (one COPY at a time)
        rng = random.Random(seed)
        for n in range(count):
            yield start + step * n, rng.choice(subject_ids), rng.random() < listed_share

    raw = connection.cursor().cursor  # the driver's cursor: COPY
    began = time.perf_counter()
    with raw.copy(f"COPY rewards_check ({', '.join(_CHECK_COLUMNS)}) FROM STDIN") as copy:
        for at, subject_id, hit in logged():
            values = {"subject_id": subject_id, "matter_id": matter.pk, "system_id": matter.system_id,
                      "client_id": client.pk, "actor_label": viewer.label,
                      "decision": template.row["decision"] if hit else "pass", "hits": hits_text if hit else "[]",
                      "warnings": "[]", "name_given": "", "facts_updated_at": at, "created_at": at}
            copy.write_row([values[c] for c in _CHECK_COLUMNS])
    print(f"  prelogged {count:,} checks ({time.perf_counter() - began:.0f} s)", flush=True)
    with raw.copy(f"COPY access_inquiry ({', '.join(INQUIRY_COLUMNS)}) FROM STDIN") as copy:
        for at, subject_id, hit in logged():
            inquiry = inquiry_values(subject_id=subject_id, viewer=viewer, purpose="sharing", channel="check", at=at,
                                     reason=f"{matter.code} {matter.name}",
                                     records_shown=len(template.row["hits"]) if hit else 0)
            copy.write_row([inquiry[c] for c in INQUIRY_COLUMNS])
    print(f"  prelogged {count:,} inquiries ({time.perf_counter() - began:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO rewards_checkhit (check_row_id, measure_id, measure_version_id, kind, measure_class, applied,"
            " created_at) SELECT c.id, h.measure_id, h.measure_version_id, h.kind, h.measure_class, NULL, c.created_at"
            " FROM rewards_check c CROSS JOIN (SELECT * FROM rewards_checkhit WHERE check_row_id = %s) h"
            " WHERE c.id > %s AND c.decision <> 'pass'", [template_id, first_id])
        for table in (Check._meta.db_table, "rewards_checkhit", "access_inquiry"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        try:
            cursor.execute("CHECKPOINT")
        except DatabaseError as error:  # CHECKPOINT needs a superuser or pg_checkpoint
            print(f"  no CHECKPOINT ({error})")


# --- the traffic --------------------------------------------------------------------------------------

@dataclass
class Mix:
    """Makes request *i* of an interval (the kind drawn by a seeded generator) and reads the answers it needs:
    the checks with hits, which later feedback requests report on (once each)."""

    clean: Sequence[str]
    listed: Sequence[str]
    key: str
    matter: str
    rng: random.Random
    kinds: dict[int, str] = field(default_factory=dict)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    reportable: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=20_000))
    trace: Callable[[float], None] | None = None  # each answer's latency, for the per-second trace (--trace)

    def _headers(self) -> dict[str, str]:
        return {"X-API-Key": self.key, "Content-Type": "application/json"}

    def _check(self, uscc: str) -> Request:
        body = json.dumps({"matter": self.matter, "uscc": uscc}).encode()
        return "POST", "/api/v1/checks", body, self._headers()

    def make(self, i: int) -> Request:
        draw = self.rng.random()
        kind = CLEAN
        for name, share in MIX:
            if draw < share:
                kind = name
                break
            draw -= share
        if kind == FEEDBACK and not self.reportable:
            kind = LISTED
        self.kinds[i] = kind
        if kind == FEEDBACK:
            check_id, measure = self.reportable.popleft()
            body = json.dumps({"measures_applied": [measure], "outcome": "rejected", "note": "bench"}).encode()
            return "POST", f"/api/v1/checks/{check_id}/feedback", body, self._headers()
        if kind == BATCH:
            subjects = ([{"uscc": self.rng.choice(self.clean)} for _ in range(BATCH_SIZE - BATCH_LISTED)]
                        + [{"uscc": self.rng.choice(self.listed)} for _ in range(BATCH_LISTED)])
            body = json.dumps({"matter": self.matter, "subjects": subjects}).encode()
            return "POST", "/api/v1/checks/batch", body, self._headers()
        return self._check(self.rng.choice(self.listed if kind == LISTED else self.clean))

    def answered(self, i: int, status: int, body: bytes, latency_ms: float) -> None:
        kind = self.kinds.pop(i, "")
        if self.trace is not None:
            self.trace(latency_ms)
        if not 200 <= status < 300:
            return
        self.latencies.setdefault(kind, []).append(latency_ms)
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if kind == LISTED:
            answer = json.loads(body)
            if answer["hits"]:
                self.reportable.append((answer["check_id"], answer["hits"][0]["measure"]))

    def interval_reset(self) -> tuple[dict[str, list[float]], dict[str, int]]:
        latencies, counts = self.latencies, self.counts
        self.kinds, self.latencies, self.counts = {}, {}, {}
        return latencies, counts


@dataclass
class Interval:
    result: LoadResult
    latencies: dict[str, list[float]]
    counts: dict[str, int]
    log_rows: int

    @property
    def subjects_checked(self) -> int:
        return (self.counts.get(CLEAN, 0) + self.counts.get(LISTED, 0)
                + self.counts.get(BATCH, 0) * BATCH_SIZE)

    def single_p99(self) -> float:
        single = self.latencies.get(CLEAN, []) + self.latencies.get(LISTED, [])
        return _percentile(single, 99)


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))]


def table_counters() -> dict[str, tuple[int, ...]]:
    """seq_scan, seq_tup_read, idx_scan, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_dead_tup of the log tables and the
    rows every check references."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT relname, seq_scan, seq_tup_read, COALESCE(idx_scan, 0), n_tup_ins, n_tup_upd,"
                       " n_tup_hot_upd, n_dead_tup FROM pg_stat_user_tables WHERE relname = ANY(%s)",
                       [list(LOG_TABLES)])
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def _log_rows() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(max(id), 0) FROM rewards_check")
        return int(cursor.fetchone()[0])


def sustained(*, host: str, port: int, minutes: float, interval: float, rate: float, seconds: float,
              mix: Mix, single_check: Callable[[int], Request], bare: Callable[[int], Request],
              measured: Callable[[Callable[[], LoadResult]], LoadResult], concurrency: int
              ) -> dict[str, Any]:
    """Saturation before, the intervals at the fixed rate, saturation after; the log tables' counters around it."""
    def saturation() -> tuple[LoadResult, LoadResult]:
        b = measured(lambda: saturate(host, port, bare, concurrency=concurrency, seconds=seconds, label="bare"))
        time.sleep(1)
        c = measured(lambda: saturate(host, port, single_check, concurrency=concurrency, seconds=seconds,
                                      label="check"))
        time.sleep(1)
        return b, c

    saturate(host, port, single_check, concurrency=concurrency, seconds=max(2.0, seconds / 4))  # warm
    counters_before = table_counters()
    start = saturation()
    intervals: list[Interval] = []
    for n in range(max(1, round(minutes * 60 / interval))):
        result = measured(lambda n=n: fixed_rate(host, port, mix.make, rate=rate, seconds=interval,
                                                 label=f"interval {n + 1}", on_response=mix.answered))
        latencies, counts = mix.interval_reset()
        intervals.append(Interval(result, latencies, counts, _log_rows()))
        row = intervals[-1]
        cpu: dict[str, float] = getattr(result, "cpu_ms", {})
        print(f"  {n + 1:>3}: {result.throughput:5.0f} req/s, p99 {result.percentile(99):8.2f} ms, "
              f"PostgreSQL {cpu.get('postgres backends', 0):.2f} ms per request, log {row.log_rows:,}", flush=True)
    end = saturation()
    return {"start": start, "end": end, "intervals": intervals, "counters_before": counters_before,
            "counters_after": table_counters()}


def report(runs: dict[str, Any], *, rate: float, interval: float) -> bool:
    intervals: list[Interval] = runs["intervals"]
    print(f"\nSustained mixed traffic at {rate:g} req/s: single checks of clean subjects 80 %, of listed subjects 14 %,"
          f" batches of {BATCH_SIZE} 2 %, feedback 4 %; intervals of {interval:g} s")
    print(f"{'min':>4} {'req/s':>6} {'checks/s':>8} {'p50 ms':>7} {'p99 ms':>8} {'p99 single':>10} {'errors':>6}"
          f" {'server':>7} {'PG':>6} {'other':>6} {'log rows':>10}   (CPU ms per request)")
    for n, row in enumerate(intervals, start=1):
        r = row.result
        cpu: dict[str, float] = getattr(r, "cpu_ms", {})
        other = sum(v for g, v in cpu.items() if g not in {"server", "postgres backends", "load generator"})
        print(f"{n:>4} {r.throughput:>6.0f} {row.subjects_checked / r.seconds:>8.0f} {r.median:>7.2f}"
              f" {r.percentile(99):>8.2f} {row.single_p99():>10.2f} {r.errors:>6} {cpu.get('server', 0):>7.2f}"
              f" {cpu.get('postgres backends', 0):>6.2f} {other:>6.2f} {row.log_rows:>10,}")
    failed = [(n, {s: c for s, c in row.result.statuses.items() if not 200 <= s < 300},
               row.result.errors - sum(c for s, c in row.result.statuses.items() if not 200 <= s < 300))
              for n, row in enumerate(intervals, start=1) if row.result.errors]
    kinds = (CLEAN, LISTED, BATCH, FEEDBACK)  # p50 / p99 of each kind of request, to see which one is slow
    print("  p50 / p99 ms by kind: " + ", ".join(kinds))
    for n, row in enumerate(intervals, start=1):
        print(f"  {n:>2}: " + "; ".join(f"{_percentile(row.latencies.get(k, []), 50):.1f} / "
                                        f"{_percentile(row.latencies.get(k, []), 99):.1f}" for k in kinds))
    for n, statuses, broken in failed:  # what the errors were: HTTP statuses, and connections that failed
        print(f"  errors of interval {n}: " + ", ".join(f"HTTP {s} x{c}" for s, c in sorted(statuses.items()))
              + (f"{', ' if statuses else ''}connection failed x{broken}" if broken else ""))
    print("\nlog tables over the run (seq_scan, seq_tup_read, idx_scan, inserted, updated, HOT updated; dead at end):")
    after, before = runs["counters_after"], runs["counters_before"]
    for table in LOG_TABLES:
        a, b = after.get(table), before.get(table, (0,) * 7)
        if a is not None:
            delta = [x - y for x, y in zip(a[:6], b[:6], strict=True)]
            print(f"  {table:<26} " + ", ".join(f"{v:,}" for v in delta) + f"; {a[6]:,}")
    passed = True
    ratios = []
    for label in ("start", "end"):
        bare, check = runs[label]
        ratio = check.throughput / bare.throughput if bare.throughput else 0.0
        ratios.append(ratio)
        ok = ratio >= 0.5
        passed &= ok
        print(f"check / bare at the {label}: {ratio:.2f} ({check.throughput:.0f} / {bare.throughput:.0f} req/s; "
              f"PostgreSQL CPU per check {getattr(check, 'cpu_ms', {}).get('postgres backends', 0):.2f} ms) "
              f"(target >= 0.50): {'PASS' if ok else 'FAIL'}")
    first, last = intervals[0], intervals[-1]
    for label, row in (("first", first), ("last", last)):
        p99 = row.result.percentile(99)
        ok = p99 < 20 and row.result.errors == 0
        passed &= ok
        print(f"p99 at {rate:g} req/s, {label} interval: {p99:.2f} ms, errors {row.result.errors} "
              f"(target < 20 ms, none): {'PASS' if ok else 'FAIL'}")
    pg = [getattr(row.result, "cpu_ms", {}).get("postgres backends", 0.0) for row in (first, last)]
    drift = pg[1] / pg[0] if pg[0] else float("inf")
    ok = drift <= 1.2
    passed &= ok
    print(f"PostgreSQL CPU per request, last / first interval: {pg[1]:.3f} / {pg[0]:.3f} ms = {drift:.2f} "
          f"(target <= 1.20): {'PASS' if ok else 'FAIL'}")
    all_pg = [getattr(row.result, "cpu_ms", {}).get("postgres backends", 0.0) for row in intervals]
    print(f"PostgreSQL CPU per request over the intervals: median {statistics.median(all_pg):.3f} ms, "
          f"min {min(all_pg):.3f}, max {max(all_pg):.3f}")
    return passed
