"""Time the double-publicity listing, its JSON API and its exports on an existing platform (decision 044).

Runs in-process (Django's test client, no server) against the data directory (SQLite) or DATABASE_URL
given, so it measures the query and rendering work of one request, not the network. Each page is
requested ``--repeat`` times and the median is printed; each export once, with the time to its first
byte, its total time, its size in rows and the peak memory growth of the process.

    python bench/publicity.py --data-dir /tmp/demo [--repeat 3] [PATH ...]
    DATABASE_URL=postgres://... python bench/publicity.py --filters [--repeat 3]

Without paths it times the pages the decision names: the first page, a deep page and the last page (by
``?page=`` on a platform that pages by number, by cursor on one that pages by keyset), the JSON listing
at the same depths, and the CSV and XLSX exports of the whole listing.

``--filters`` times the listing's selector work per filter instead (no rendering): the first, next and last
page each with its honest count, and the count alone, best of ``--repeat``.

``--export`` times the exports' throughput instead: the unfiltered listing's CSV and XLSX, each built and read
in-process (the views' response functions, no client and no throttle) up to ``--export-rows`` rows, ``--repeat``
times; it prints the median rows/s of each format with its first byte and total time:

    python bench/publicity.py --data-dir /tmp/demo --export [--export-rows 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import cast


def _setup(data_dir: str | None) -> None:
    if data_dir:
        os.environ["GONGXIN_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongxin.settings")
    os.environ.setdefault("GONGXIN_LOG_LEVEL", "ERROR")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()


def _page(client, path: str, repeat: int) -> tuple[float, int, int]:
    times = []
    status = size = 0
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        times.append(time.perf_counter() - start)
        status, size = response.status_code, len(body)
    return statistics.median(times), status, size


def _export(client, path: str) -> tuple[float, float, int, int, int]:
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
    first = None
    size = lines = 0
    chunks = response.streaming_content if response.streaming else [response.content]
    for chunk in chunks:
        if first is None:
            first = time.perf_counter() - start
        size += len(chunk)
        lines += chunk.count(b"\n")
    total = time.perf_counter() - start
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    return first or total, total, size, lines, grown_kib


def _default_paths() -> list[str]:
    """First, deep and last page of the page and the API, in whichever way this platform pages."""
    try:
        from gongxin.portal.selectors import publicity_deep_cursor  # keyset paging
    except ImportError:
        return ["/publicity/", "/publicity/?page=2000", "/publicity/?page=5397", "/publicity/?page=5000",
                "/api/v1/listings/publicity", "/api/v1/listings/publicity?page=2000",
                "/api/v1/listings/publicity?page=5000"]
    deep = publicity_deep_cursor(depth=40_000)
    return ["/publicity/", f"/publicity/?cursor={deep}", "/publicity/?cursor=last",
            "/api/v1/listings/publicity", f"/api/v1/listings/publicity?cursor={deep}",
            "/api/v1/listings/publicity?cursor=last"]


def _filters() -> list[tuple[str, dict[str, str]]]:
    """The filters of decision 044's table: each kind, the busiest district and department, one month ending at
    the newest decision, a common and a rare penalty type, a licence category."""
    from django.db.models import Count, Max

    from gongxin.records.models import Record

    listed = Record.objects.filter(catalog_item__record_kind__in=["licence", "penalty"])
    district = listed.values("subject__region_code").annotate(n=Count("pk")).order_by("-n")[0]
    department = listed.values("source_unit__department__code").annotate(n=Count("pk")).order_by("-n")[0]
    newest = listed.aggregate(d=Max("current_version__decision_date"))["d"]
    month_start = newest.replace(day=1)
    return [
        ("unfiltered", {}),
        ("kind = licence", {"kind": "licence"}),
        ("kind = penalty", {"kind": "penalty"}),
        ("one district", {"district": district["subject__region_code"]}),
        ("one department", {"department": department["source_unit__department__code"]}),
        ("one month", {"date_from": month_start.isoformat(), "date_to": newest.isoformat()}),
        ("type = 罚款", {"type_code": "罚款"}),
        ("rare type 行政拘留", {"type_code": "行政拘留"}),
        ("licence category 特许", {"type_code": "franchise"}),
    ]


def _best(repeat: int, work) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def _time_filters(repeat: int) -> None:
    from gongxin.core.paging import LAST
    from gongxin.portal.selectors import publicity_count, publicity_filters_parse, publicity_page

    print(f"{'listing':24} {'first':>9} {'next':>9} {'last':>9} {'count':>9}  count")
    for label, params in _filters():
        filters = publicity_filters_parse(**params)

        def page(cursor: str | None, filters=filters):
            return publicity_page(filters=filters, cursor=cursor)

        first_s, first = _best(repeat, lambda: page(None))
        next_s = last_s = float("nan")
        if first.next_cursor:
            next_s, _ = _best(repeat, lambda cursor=first.next_cursor: page(cursor))
            last_s, _ = _best(repeat, lambda: page(LAST))
        count_s, count = _best(repeat, lambda filters=filters: publicity_count(filters))
        print(f"{label:24} {first_s * 1000:7.0f}ms {next_s * 1000:7.0f}ms {last_s * 1000:7.0f}ms "
              f"{count_s * 1000:7.0f}ms  {count}", flush=True)


def _time_exports(repeat: int, rows_wanted: int) -> None:
    from django.utils import translation

    from gongxin.portal import exports
    from gongxin.portal.selectors import PublicityFilters, publicity_records

    filters = PublicityFilters()
    rows = min(rows_wanted, publicity_records(filters).count())
    print(f"exports of the unfiltered listing, {rows:,} rows each, median of {repeat}", flush=True)
    for label, respond in (("csv", exports.publicity_csv_response), ("xlsx", exports.publicity_xlsx_response)):
        runs = []
        for _ in range(repeat):
            with translation.override("zh-hans"):
                start = time.perf_counter()
                response = respond(filters=filters, limit=rows)
                first = None
                size = 0
                for chunk in cast(Iterator[bytes], response.streaming_content):
                    if first is None:
                        first = time.perf_counter() - start
                    size += len(chunk)
                total = time.perf_counter() - start
            runs.append((rows / total, first or total, total, size))
        rate, first, total, size = sorted(runs)[len(runs) // 2]
        print(f"{label:5} {rate:9,.0f} rows/s  first byte {first * 1000:6.0f} ms  total {total:6.1f} s  "
              f"{size / 1e6:6.1f} MB   (runs: {', '.join(f'{r[0]:,.0f}' for r in runs)} rows/s)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", help="GONGXIN_DATA_DIR of the platform to time (its SQLite database)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-exports", action="store_true")
    parser.add_argument("--filters", action="store_true", help="time the selectors per filter (no pages)")
    parser.add_argument("--export", action="store_true", help="time the exports' throughput (rows/s), no pages")
    parser.add_argument("--export-rows", type=int, default=20_000, help="rows per export with --export")
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args()
    _setup(args.data_dir)
    if args.filters:
        _time_filters(args.repeat)
        return
    if args.export:
        _time_exports(args.repeat, args.export_rows)
        return
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    # The throttles count per caller and address; the bench is one caller asking many times.
    settings.GONGXIN_THROTTLE_RATES = {"export.caller": "0/1", "export.address": "0/1"}
    client = Client()
    for path in args.paths or _default_paths():
        seconds, status, size = _page(client, path, args.repeat)
        print(f"{seconds * 1000:9.0f} ms  {status}  {size:>9,} B  {path[:90]}", flush=True)
    if args.no_exports:
        return
    for export in ("csv", "xlsx"):
        first, total, size, lines, grown = _export(client, f"/publicity/?format={export}")
        print(f"{export}: first byte {first * 1000:.0f} ms, total {total:.1f} s, {size / 1e6:.1f} MB, "
              f"{lines:,} lines (csv), max RSS grew {grown / 1024:.0f} MiB", flush=True)


if __name__ == "__main__":
    main()
