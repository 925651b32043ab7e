"""Benchmark of issue #7: the scoring engine's full batch against one hand-written SQL query, and the
incremental path, on PostgreSQL with generated data.

    flock /tmp/gx-bench.lock .venv/bin/python bench/scoring.py --postgres postgresql://postgres@127.0.0.1:5432/postgres
    flock /tmp/gx-bench.lock .venv/bin/python bench/scoring.py --postgres URL --subjects 100000 --records 2000000

A temporary database (``gongxin_bench_<random>``) is created on that server and dropped at the end. The data
are generated set-based with ``generate_series`` (defaults: 1,000,000 subjects — 70% organizations — and
20,000,000 records with their versions: licences, penalties of each severity over seven years, honours,
commitments kept and broken, voluntary performance, tax grade A, judgment-debtor list entries; 5% of
negative records repaired; triggers off for the generating session only), then ``VACUUM ANALYZE`` (as
autovacuum would, and so that no run pays for hint bits). Measured, in one run:

- ``hand``: one hand-written query computing the default organization model and the Tianyi score for
  every subject into a temporary table (``CREATE TEMP TABLE … AS``), best of ``--repeat``;
- ``batch (first)``: ``scoring.services.scores_run`` over all subjects with no scores yet (writes every
  current score and history row); ``batch (steady)``: the same again when nothing changed;
- the engine's scores are compared with the hand-written ones (mismatches must be 0);
- ``incremental``: 1,000 subjects get a new penalty each, then ``RescoreConsumer.handle`` of their
  record events, timed (target < 2 s).

Targets: batch / hand ≤ 1.5; incremental < 2 s. Prints the figures and PASS/FAIL.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date

from _scratch import scratch_platform

CHUNK = 2_000_000


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", required=True, help="a PostgreSQL server (temporary database)")
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=20_000_000)
    parser.add_argument("--touched", type=int, default=1_000, help="subjects rescored by the incremental path")
    parser.add_argument("--repeat", type=int, default=2, help="runs of the hand-written query (best counts)")
    parser.add_argument("--as-of", default="2026-11-25")
    parser.add_argument("--keep", action="store_true", help="keep the database and data directory")
    return parser.parse_args()


def _timed(label: str, function):
    print(f"{label} ...", flush=True)
    started = time.perf_counter()
    result = function()
    elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:.2f} s", flush=True)
    return elapsed, result


# Deterministic pseudo-random numbers from the row number: the record and its version compute the same.
H1 = "((i * 2654435761 + 12345) % 4294967296)"
H3 = "((i * 1103515245 + 54321) % 2147483648)"
KIND = f"({H1} % 100)"
DAYS = f"(({H1} / 100) % 2555)"


def _generate(args: argparse.Namespace, as_of: date) -> None:
    from django.db import connection, transaction

    from gongxin.accounts.models import Department
    from gongxin.catalog.models import CatalogItem, SourceUnit
    from gongxin.records.models import ListType

    department = Department.objects.create(code="NB-BENCH", name="基准测试单位", region_code="330200")
    unit = SourceUnit.objects.create(department=department, domain="market_regulation")
    items = {i.code: i.pk for i in CatalogItem.objects.filter(edition__is_current=True)}
    lists = {t.code: t.pk for t in ListType.objects.all()}
    organizations = int(args.subjects * 0.7)
    day = f"DATE '{as_of.isoformat()}'"
    kind_item = (
        f"CASE WHEN k < 60 THEN {items['licence']} WHEN k < 85 THEN {items['penalty']} "
        f"WHEN k < 92 THEN {items['honour']} WHEN k < 95 THEN {items['commitment']} "
        f"WHEN k < 98 THEN {items['voluntary_performance']} WHEN k < 99 THEN {items['tax_grade_a']} "
        f"ELSE {items['judgment_debtor']} END"
    )
    with connection.cursor() as cursor:
        def run(sql: str) -> None:
            cursor.execute(sql)

        # Generation only: no triggers (foreign-key checks, version immutability) row by row — the rows
        # are consistent by construction; this session alone, switched back below.
        run("SET session_replication_role = replica")

        _timed(f"subjects ({args.subjects:,})", lambda: (
            run("INSERT INTO subjects_subject (id, kind, name, name_initials, region_code, created_at, "
                f"needs_enrichment) SELECT i, CASE WHEN i <= {organizations} THEN 'organization' ELSE 'person' END, "
                f"'主体' || i, '', '330200', now(), false FROM generate_series(1, {args.subjects}) i"),
            run("INSERT INTO subjects_organization (subject_id, uscc, org_kind, industry, legal_representative, "
                "registration_date, address, status) SELECT i, lpad(i::text, 18, '0'), 'enterprise', '', '', "
                f"{day} - ((i::bigint * 7919) % 7300)::int, '', 'active' FROM generate_series(1, {organizations}) i"),
            run("INSERT INTO subjects_person (subject_id, rin_sealed, rin_hash, rin_masked) "
                f"SELECT i, 'bench', md5(i::text), '330200********000X' "
                f"FROM generate_series({organizations + 1}, {args.subjects}) i"),
            run(f"SELECT setval(pg_get_serial_sequence('subjects_subject', 'id'), {args.subjects})"),
        ))
        for start in range(1, args.records + 1, CHUNK):
            end = min(start + CHUNK - 1, args.records)
            rows = (f"SELECT i, {KIND} AS k, {DAYS} AS d, 1 + {H3} % {args.subjects} AS subject_id "
                    f"FROM generate_series({start}::bigint, {end}::bigint) i")

            def chunk(rows: str = rows) -> None:
                with transaction.atomic():
                    run("INSERT INTO records_record (id, source_unit_id, catalog_item_id, source_record_id, "
                        f"subject_id, created_at, current_version_id) SELECT i, {unit.pk}, {kind_item}, 'B' || i, "
                        f"subject_id, now(), i FROM ({rows}) g")
                    run(
                        "INSERT INTO records_recordversion (id, record_id, number, change, status, payload, "
                        "content_hash, polarity, severity, decision_date, under_objection, repaired, published, "
                        "publicity_min_end, publicity_max_end, publicity_ended, retention_end, actor_label, reason, "
                        "legal_basis, created_at) "
                        "SELECT i, i, 1, 'created', 'active', '{}', md5(i::text), pol, sev, dd, false, "
                        "pol = 'negative' AND i % 20 = 0, true, dd + 90, dd + 365, false, "
                        "CASE WHEN pol = 'negative' THEN (dd + interval '5 years')::date END, 'bench', '', '', now() "
                        "FROM (SELECT i, k, "
                        "CASE WHEN k BETWEEN 60 AND 84 OR k = 99 OR (k BETWEEN 92 AND 94 AND d % 4 = 0) "
                        "THEN 'negative' WHEN k BETWEEN 92 AND 94 THEN 'positive' ELSE 'positive' END AS pol, "
                        "CASE WHEN k BETWEEN 60 AND 74 THEN 'general' WHEN k BETWEEN 75 AND 81 THEN 'minor' "
                        "WHEN k BETWEEN 82 AND 84 OR k = 99 THEN 'serious' ELSE '' END AS sev, "
                        f"{day} - d::int AS dd FROM ({rows}) g) x"
                    )

            _timed(f"records {start:,}–{end:,}", chunk)
        run(f"SELECT setval(pg_get_serial_sequence('records_record', 'id'), {args.records})")
        run(f"SELECT setval(pg_get_serial_sequence('records_recordversion', 'id'), {args.records})")
        _timed("list entries", lambda: run(
            "INSERT INTO records_listentry (list_type_id, subject_id, record_id, start_date, end_date, basis, "
            f"is_active) SELECT {lists['judgment_debtor']}, r.subject_id, r.id, v.decision_date, "
            f"v.decision_date + 730, 'bench', v.decision_date + 730 >= {day} "
            "FROM records_record r JOIN records_recordversion v ON v.id = r.current_version_id "
            f"WHERE r.catalog_item_id = {items['judgment_debtor']}"))
        run("SET session_replication_role = DEFAULT")
    connection.close()
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as admin:
        _timed("VACUUM ANALYZE", lambda: admin.execute("VACUUM ANALYZE"))


def _hand_sql(as_of: date) -> str:
    """The default models written out by hand (numbers as in scoring.seed), both kinds in one query."""
    from gongxin.core.clock import add_months

    a = f"DATE '{as_of.isoformat()}'"
    c12 = f"DATE '{add_months(as_of, -12).isoformat()}'"
    c36 = f"DATE '{add_months(as_of, -36).isoformat()}'"
    w = (f"CASE WHEN v.decision_date IS NULL OR v.decision_date > {c12} THEN 1 "
         f"WHEN v.decision_date > {c36} THEN 0.5 ELSE 0.25 END")
    neg = "v.polarity = 'negative' AND NOT v.repaired"
    return f"""
WITH f AS (
  SELECT r.subject_id,
    COALESCE(SUM({w}) FILTER (WHERE ci.record_kind = 'penalty' AND v.severity = 'serious' AND {neg}), 0) AS ser,
    COALESCE(SUM({w}) FILTER (WHERE ci.record_kind = 'penalty' AND v.severity = 'general' AND {neg}), 0) AS gen,
    COALESCE(SUM({w}) FILTER (WHERE ci.record_kind = 'penalty' AND v.severity = 'minor' AND {neg}), 0) AS mnr,
    COALESCE(SUM({w}) FILTER (WHERE ci.record_kind = 'other' AND {neg}), 0) AS oth,
    COALESCE(SUM({w}) FILTER (WHERE ci.record_kind = 'commitment' AND {neg}), 0) AS cb,
    COUNT(*) FILTER (WHERE ci.record_kind = 'commitment' AND v.polarity = 'positive') AS ck,
    COUNT(*) FILTER (WHERE ci.record_kind = 'licence') AS lic,
    COUNT(*) FILTER (WHERE ci.record_kind = 'honour') AS hon,
    COUNT(*) FILTER (WHERE ci.record_kind = 'tax_grade_a') AS tax,
    COUNT(*) FILTER (WHERE ci.record_kind = 'voluntary_performance') AS vp
  FROM records_record r JOIN records_recordversion v ON v.id = r.current_version_id
  JOIN catalog_catalogitem ci ON ci.id = r.catalog_item_id
  WHERE v.status = 'active' AND (v.retention_end IS NULL OR v.retention_end >= {a})
  GROUP BY r.subject_id
), l AS (
  SELECT le.subject_id,
    COUNT(*) FILTER (WHERE lt.code = 'serious_dishonesty' AND NOT v.repaired) AS sd,
    COUNT(*) FILTER (WHERE lt.code = 'judgment_debtor' AND NOT v.repaired) AS jd
  FROM records_listentry le JOIN records_listtype lt ON lt.id = le.list_type_id
  JOIN records_record r ON r.id = le.record_id JOIN records_recordversion v ON v.id = r.current_version_id
  WHERE le.is_active AND le.start_date <= {a} AND (le.end_date IS NULL OR le.end_date >= {a})
  GROUP BY le.subject_id
), x AS (
  SELECT s.id AS subject_id, s.kind, COALESCE(ser, 0) ser, COALESCE(gen, 0) gen, COALESCE(mnr, 0) mnr,
    COALESCE(oth, 0) oth, COALESCE(cb, 0) cb, COALESCE(ck, 0) ck, COALESCE(lic, 0) lic, COALESCE(hon, 0) hon,
    COALESCE(tax, 0) tax, COALESCE(vp, 0) vp, COALESCE(sd, 0) sd, COALESCE(jd, 0) jd,
    CASE WHEN o.registration_date IS NULL OR o.registration_date > {a} THEN 0
         ELSE LEAST(6, EXTRACT(YEAR FROM age({a}, o.registration_date))) END AS yrs
  FROM subjects_subject s LEFT JOIN f ON f.subject_id = s.id LEFT JOIN l ON l.subject_id = s.id
  LEFT JOIN subjects_organization o ON o.subject_id = s.id
), d AS (
  SELECT subject_id, kind,
    CASE WHEN kind = 'organization' THEN
      LEAST(150, 100 + LEAST(30, 5 * yrs) + LEAST(20, 5 * lic))
      + GREATEST(0, 450 - LEAST(450, 150 * ser) - LEAST(300, 60 * gen) - LEAST(90, 15 * mnr))
      + GREATEST(0, 200 - LEAST(200, 200 * sd) - LEAST(200, 200 * jd))
      + GREATEST(0, LEAST(100, 60 + LEAST(30, 10 * ck) - LEAST(60, 30 * cb) + LEAST(20, 10 * vp)))
      + LEAST(100, 40 + LEAST(40, 20 * hon) + LEAST(20, 20 * tax))
    ELSE
      LEAST(100, 80 + LEAST(20, 5 * lic))
      + GREATEST(0, LEAST(250, 200 - LEAST(200, 200 * jd) + LEAST(30, 10 * ck) - LEAST(100, 50 * cb)
                                + LEAST(20, 20 * vp)))
      + GREATEST(0, 350 - LEAST(350, 150 * ser) - LEAST(200, 50 * gen) - LEAST(50, 10 * mnr) - LEAST(350, 350 * sd))
      + GREATEST(0, LEAST(150, 120 + LEAST(30, 30 * tax) - LEAST(120, 40 * oth)))
      + LEAST(150, 100 + LEAST(50, 25 * hon))
    END AS total
  FROM x
)
SELECT subject_id, score,
  CASE WHEN kind = 'organization' THEN
    CASE WHEN score >= 900 THEN 'excellent' WHEN score >= 750 THEN 'good' WHEN score >= 600 THEN 'fair' ELSE 'poor' END
  ELSE
    CASE WHEN score >= 900 THEN 'AAA' WHEN score >= 800 THEN 'AA' WHEN score >= 700 THEN 'A' WHEN score >= 600 THEN 'B'
         ELSE 'C' END
  END AS grade
FROM (SELECT subject_id, kind, CAST(ROUND(total) AS INTEGER) AS score FROM d) t
"""


def _bench(args: argparse.Namespace) -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongxin.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from gongxin.accounts.viewer import SYSTEM
    from gongxin.core.events import RECORD_CREATED
    from gongxin.core.models import OutboxEvent
    from gongxin.scoring.consumers import RescoreConsumer
    from gongxin.scoring.services import scores_run

    as_of = date.fromisoformat(args.as_of)
    _timed("migrate", lambda: call_command("migrate", interactive=False, verbosity=0))
    _generate(args, as_of)
    hand_sql = _hand_sql(as_of)
    hand_times = []
    for n in range(args.repeat):
        def hand() -> int:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("DROP TABLE IF EXISTS hand")
                cursor.execute(f"CREATE TEMPORARY TABLE hand AS {hand_sql}")
                return cursor.rowcount

        hand_times.append(_timed(f"hand-written query, run {n + 1}", hand)[0])
    from gongxin.scoring.choices import ModelStatus
    from gongxin.scoring.engine import model_plan, models_sql
    from gongxin.scoring.models import ScoringModel

    plans = [model_plan(m) for m in ScoringModel.objects.filter(status=ModelStatus.ACTIVE).order_by("code")]
    engine_sql = models_sql(plans, as_of=as_of)

    def generated() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS generated")
            cursor.execute(f"CREATE TEMPORARY TABLE generated AS {engine_sql}")

    query_only, _ = _timed("generated query alone (diagnostic)", generated)
    def slow_statements(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            if elapsed > 0.2:
                print(f"    {elapsed:6.2f} s  {' '.join(sql.split())[:110]}", flush=True)

    with connection.execute_wrapper(slow_statements):
        first, run = _timed("batch (first: every score new)", lambda: scores_run(actor=SYSTEM, as_of=as_of))
    print(f"  scored {run.subjects_scored:,}, changed {run.subjects_changed:,}; distribution {run.distribution}")
    with connection.execute_wrapper(slow_statements):
        steady, run2 = _timed("batch (steady: nothing changed)", lambda: scores_run(actor=SYSTEM, as_of=as_of))
    print(f"  scored {run2.subjects_scored:,}, changed {run2.subjects_changed:,}")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE hand_check AS {hand_sql}")
        cursor.execute("SELECT COUNT(*), COUNT(*) FILTER (WHERE c.subject_id IS NULL OR c.score <> h.score "
                       "OR c.grade <> h.grade) FROM hand_check h LEFT JOIN scoring_subjectscore c "
                       "ON c.subject_id = h.subject_id")
        compared, mismatches = cursor.fetchone()
    print(f"engine vs hand-written: {compared:,} subjects compared, {mismatches:,} mismatches")

    # Incremental: a new penalty for each of N subjects, then the consumer handles their record events.
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM records_record")
        top = cursor.fetchone()[0]
        cursor.execute("SELECT id FROM subjects_subject ORDER BY md5(id::text) LIMIT %s", [args.touched])
        touched = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT id FROM catalog_catalogitem WHERE code = 'penalty' ORDER BY id DESC LIMIT 1")
        penalty_item = cursor.fetchone()[0]
        cursor.execute("SELECT source_unit_id FROM records_record LIMIT 1")
        unit = cursor.fetchone()[0]
        with transaction.atomic():
            cursor.execute(
                "INSERT INTO records_record (id, source_unit_id, catalog_item_id, source_record_id, subject_id, "
                f"created_at, current_version_id) SELECT {top} + n, {unit}, {penalty_item}, 'INC' || n, sid, now(), "
                f"{top} + n FROM unnest(%s::bigint[]) WITH ORDINALITY AS t(sid, n)", [touched])
            cursor.execute(
                "INSERT INTO records_recordversion (id, record_id, number, change, status, payload, content_hash, "
                "polarity, severity, decision_date, under_objection, repaired, published, publicity_ended, "
                f"retention_end, actor_label, reason, legal_basis, created_at) SELECT {top} + n, {top} + n, 1, "
                f"'created', 'active', '{{}}', md5(n::text), 'negative', 'serious', DATE '{as_of.isoformat()}' - 10, "
                f"false, false, true, false, DATE '{as_of.isoformat()}' + 1800, 'bench', '', '', now() "
                "FROM generate_series(1, %s) n", [len(touched)])
    events = [OutboxEvent(topic=RECORD_CREATED, aggregate_type="record", aggregate_id=top + n + 1, subject_id=sid,
                          payload={}) for n, sid in enumerate(touched)]

    def incremental() -> None:
        with transaction.atomic():
            RescoreConsumer().handle(events)

    inc, _ = _timed(f"incremental ({len(touched):,} touched subjects)", incremental)
    best = min(hand_times)
    ratio_first, ratio_steady = first / best, steady / best
    print()
    print(f"{'measure':<40}{'value':>12}  target")
    print(f"{'hand-written query (best)':<40}{best:>10.2f} s")
    print(f"{'generated query alone':<40}{query_only:>10.2f} s  ratio {query_only / best:.2f}")
    print(f"{'batch, first run':<40}{first:>10.2f} s  ratio {ratio_first:.2f} (≤ 1.5: "
          f"{'PASS' if ratio_first <= 1.5 else 'FAIL'})")
    print(f"{'batch, steady run':<40}{steady:>10.2f} s  ratio {ratio_steady:.2f} (≤ 1.5: "
          f"{'PASS' if ratio_steady <= 1.5 else 'FAIL'})")
    print(f"{'incremental, ' + str(len(touched)) + ' subjects':<40}{inc:>10.2f} s  (< 2 s: "
          f"{'PASS' if inc < 2 else 'FAIL'})")
    print(f"{'mismatches engine vs hand':<40}{mismatches:>12}  (0: {'PASS' if mismatches == 0 else 'FAIL'})")
    return 0 if mismatches == 0 else 1


def main() -> None:
    args = _arguments()
    with scratch_platform(args.postgres, keep=args.keep):
        code = _bench(args)
    raise SystemExit(code)


if __name__ == "__main__":
    main()
