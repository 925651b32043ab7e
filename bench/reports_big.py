"""Benchmark of credit reports of big subjects: build time, page count and size by number of records.

    .venv/bin/python bench/reports_big.py --sqlite
    .venv/bin/python bench/reports_big.py --postgres postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/reports_big.py --sqlite --sizes 10,100,500,800 --runs 7

For each size N an organization with N records is made: N records of the demo city's generator (seed
``--seed + N``: its mix of kinds, authorities and dates), all bound to that one firm. Then, for each
subject, ``--runs`` times (after one warm-up build that is not counted):

- the report is issued for credit office staff (purpose ``staff``: every record that counts today):
  ``reports.services.report_issue`` — read, freeze, hash, sign, store — with the number of SQL queries;
- the signed JSON file is made (``render.envelope_bytes``): "JSON" is issue + file;
- the PDF is built (``render.report_pdf``, never the kept copy): "PDF" is issue + build.

Prints one row per size: records in the report, queries per issue, the medians (and the slowest run) of
the JSON and PDF builds, the median CPU time of this process for issue + PDF ("CPU ms": on a shared machine
the wall time also counts the other work; on SQLite, where the database is in the process, the two are the same
on a quiet machine), the PDF's pages and size; PASS/FAIL against the PDF target of decision 019
(median < 500 ms) for the sizes up to ``--target-up-to`` (500 records). With ``--postgres`` a temporary
database is created on that server and dropped at the end (``--keep`` keeps it, ``--database NAME``
reuses a kept one without seeding again).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from _scratch import scratch_platform

PDF_TARGET_MS = 500.0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--postgres", metavar="URL", help="a PostgreSQL server (a temporary database there)")
    where.add_argument("--sqlite", action="store_true", help="SQLite in a temporary directory (the default)")
    parser.add_argument("--sizes", default="10,100,500,800", help="records of each subject, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="builds of each report (after one warm-up)")
    parser.add_argument("--seed", type=int, default=4600)
    parser.add_argument("--target-up-to", type=int, default=500,
                        help="the PDF target applies to subjects with at most this many records")
    parser.add_argument("--keep", action="store_true", help="keep the database and data directory")
    parser.add_argument("--database", help="an existing PostgreSQL database of an earlier --keep run")
    args = parser.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    return args


@dataclass
class Row:
    size: int
    records: int = 0
    queries: int = 0
    issue_ms: list[float] = field(default_factory=list)
    json_ms: list[float] = field(default_factory=list)
    pdf_ms: list[float] = field(default_factory=list)
    pdf_cpu_ms: list[float] = field(default_factory=list)
    pages: int = 0
    pdf_kib: float = 0.0
    json_kib: float = 0.0


def _subjects(args: argparse.Namespace) -> dict[int, Any]:
    """One organization per size, with that many records (made now, or found in a kept database): ``size``
    records of the demo city's generator (``demo.city``: its mix of kinds, authorities and dates), all bound
    to that one organization, written through the bulk path (``records.load.records_load``)."""
    from gongxin.core import clock
    from gongxin.demo import city
    from gongxin.demo.services import catalog_slots, departments_ensure, reference_data_ensure
    from gongxin.records.load import RecordRow, records_load
    from gongxin.subjects.selectors import subject_by_uscc
    from gongxin.subjects.services import OrganizationRow, organizations_register_bulk

    reference_data_ensure()
    units = departments_ensure()
    slots, items = catalog_slots()
    codes = {code: {f["code"] for f in item.fields} for code, item in items.items()}
    as_of = min(city.DEMO_AS_OF, clock.today())
    found = {}
    for size in args.sizes:
        spec = city.organization_at(args.seed, size, as_of=as_of)
        subject = subject_by_uscc(spec.uscc)
        if subject is None:
            started = time.perf_counter()
            organizations_register_bulk([OrganizationRow(
                uscc=spec.uscc, name=spec.name, org_kind="enterprise", region_code=spec.district_code,
                industry=spec.industry, legal_representative=spec.legal_representative,
                registration_date=spec.registration_date, registered_capital_yuan=spec.registered_capital_yuan,
                address=spec.address)], actor_label="bench")
            subject = subject_by_uscc(spec.uscc)
            assert subject is not None
            own = {"subject_name": spec.name, "subject_category": "organization", "uscc": spec.uscc,
                   "legal_representative": spec.legal_representative}
            facts = _facts(city, seed=args.seed + size, size=size, slots=slots, as_of=as_of)
            rows = [RecordRow(source_unit_id=units[f.authority.code].pk, catalog_item=items[f.slot],
                              source_record_id=f"BIG{size}-{f.sequence}", subject_id=subject.pk,
                              payload={k: v for k, v in {**f.payload, **own}.items() if k in codes[f.slot]})
                    for f in facts]
            result = records_load(rows, actor_label="bench")
            print(f"{size} records: {result.inserted} loaded, {result.rejected} rejected "
                  f"({time.perf_counter() - started:.1f} s)", flush=True)
        found[size] = subject
    return found


def _facts(city: Any, *, seed: int, size: int, slots: Any, as_of: Any) -> list[Any]:
    """``size`` records of the demo generator (drawn about a city of organizations, as the generator keeps
    each firm's history believable, and then all bound to one organization)."""
    count = size
    while True:
        facts = list(islice(city.records(seed=seed, count=count, slots=slots, organizations=max(1000, 10 * size),
                                         persons=0, as_of=as_of), size))
        if len(facts) == size or count > 1000 * size:
            return facts
        count *= 4


def _pages(pdf: bytes) -> int:
    """Pages of a PDF written by WeasyPrint: the ``/Count`` of its page tree (object streams inflated)."""
    from gongxin.reports.tests.helpers import pdf_streams

    text = pdf + b"".join(pdf_streams(pdf))
    return max((int(c) for c in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", text)), default=0) or max(
        (int(c) for c in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", text)), default=0)


def _records_in(content: dict[str, Any]) -> int:
    return sum(len(section.get("records", [])) for section in content.get("details", []))


def _measure(size: int, subject: Any, runs: int) -> Row:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongxin.accounts.choices import Role
    from gongxin.accounts.viewer import Viewer
    from gongxin.records.choices import Purpose
    from gongxin.reports import render
    from gongxin.reports.services import report_issue

    viewer = Viewer(label="bench", role=Role.STAFF, user_id=None)
    row = Row(size=size)
    for run in range(runs + 1):
        cpu_started = time.process_time()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            report = report_issue(subject=subject, kind="organization", viewer=viewer, purpose=Purpose.STAFF)
        issued, cpu_issued = time.perf_counter(), time.process_time()
        envelope = render.envelope_bytes(report)
        enveloped, cpu_enveloped = time.perf_counter(), time.process_time()
        pdf = render.report_pdf(report)
        built = time.perf_counter()
        cpu = (cpu_issued - cpu_started + time.process_time() - cpu_enveloped) * 1000  # issue + PDF, as "PDF"
        if run == 0:  # warm-up: templates, fonts, the first PDF of the process
            continue
        issue_ms = (issued - started) * 1000
        row.issue_ms.append(issue_ms)
        row.json_ms.append(issue_ms + (enveloped - issued) * 1000)
        row.pdf_ms.append(issue_ms + (built - enveloped) * 1000)
        row.pdf_cpu_ms.append(cpu)
        row.queries = len(queries)
        row.records = _records_in(report.content)
        row.pages = _pages(pdf)
        row.pdf_kib = len(pdf) / 1024
        row.json_kib = len(envelope) / 1024
    return row


def _print(rows: list[Row], args: argparse.Namespace) -> bool:
    from django.db import connection

    print(f"\n{connection.vendor}, {args.runs} builds per report (median, slowest), purpose staff")
    print(f"{'records':>7} {'listed':>6} {'queries':>7} {'issue ms':>9} {'JSON ms':>9} {'JSON KiB':>8} "
          f"{'PDF ms':>9} {'max':>7} {'CPU ms':>7} {'pages':>5} {'PDF KiB':>7}  result")
    passed = True
    for row in rows:
        pdf = statistics.median(row.pdf_ms)
        result = "—"
        if row.size <= args.target_up_to:
            result = "PASS" if pdf < PDF_TARGET_MS else "FAIL"
            passed &= result == "PASS"
        print(f"{row.size:>7} {row.records:>6} {row.queries:>7} {statistics.median(row.issue_ms):>9.1f} "
              f"{statistics.median(row.json_ms):>9.1f} {row.json_kib:>8.0f} {pdf:>9.1f} {max(row.pdf_ms):>7.0f} "
              f"{statistics.median(row.pdf_cpu_ms):>7.0f} "
              f"{row.pages:>5} {row.pdf_kib:>7.0f}  {result}")
    print(f"PDF target (decision 019): median < {PDF_TARGET_MS:g} ms for subjects of up to "
          f"{args.target_up_to} records")
    return passed


def main() -> None:
    args = _arguments()
    with scratch_platform(args.postgres, keep=args.keep, database=args.database):
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongxin.settings")
        os.environ.setdefault("GONGXIN_PUBLIC_URL", "http://127.0.0.1:8000")  # reports sign their verify address
        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        subjects = _subjects(args)
        rows = []
        for size, subject in subjects.items():
            print(f"measuring {size} records ...", flush=True)
            rows.append(_measure(size, subject, args.runs))
        passed = _print(rows, args)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
