"""Benchmark of the ingest reader's CPU (decision 074): reading, checking and handing over penalty rows, with the
row validator (the reference) and with the columnar validator, back to back in one process.

    .venv/bin/python bench/ingest_validate.py [--rows 200000] [--repeat 3]

Writes the same CSV file as bench/ingest_penalties.py (1 % invalid rows, a few duplicates), migrates a scratch
SQLite database (for the seeded catalog: no rows are written), reads the file once with ``parsing.table_open``
and then, ``--repeat`` times and alternating the two, checks every row in chunks of 5,000 with a fresh
``RowChecker`` — row by row (``RowChecker.check``) and column by column (``ColumnarChecker.check_chunk``) — and
pickles each checked chunk as the forked reader sends it to the writer. Prints CPU seconds per 100,000 rows of
each step (process time: what the reader process spends, whatever else the machine runs), their medians, and
checks that both ways gave equal rows.
"""

from __future__ import annotations

import argparse
import gc
import os
import pickle
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _scratch import scratch_platform
from ingest_penalties import file_generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    with scratch_platform(None) as data_dir:
        path = data_dir / "penalties.csv"
        invalid = file_generate(path, rows=args.rows, organizations=max(1, args.rows // 10), seed=args.seed)
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongxin.settings")
        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from gongxin.catalog.models import CatalogItem
        from gongxin.ingest import parsing
        from gongxin.ingest.columnar import ColumnarChecker
        from gongxin.ingest.load import CHUNK_SIZE
        from gongxin.ingest.rows import RowChecker

        item = CatalogItem.objects.get(code="penalty", edition__is_current=True)
        per = 100_000 / args.rows
        started = time.process_time()
        rows = list(parsing.table_open(path, item=item).rows)
        parse = (time.process_time() - started) * per
        chunks = [rows[i:i + CHUNK_SIZE] for i in range(0, len(rows), CHUNK_SIZE)]
        print(f"file: {args.rows:,} rows ({invalid:,} invalid on purpose); read and parsed: {parse:.2f} s CPU per "
              f"100k rows", flush=True)

        def run(kind: str) -> tuple[float, float, list[object]]:
            checker = RowChecker(item=item)
            columnar = ColumnarChecker(checker)
            gc.collect()
            started = time.process_time()
            out: list[object] = []
            for chunk in chunks:
                out.extend([checker.check(row) for row in chunk] if kind == "row" else columnar.check_chunk(chunk))
            check = (time.process_time() - started) * per
            started = time.process_time()
            for start in range(0, len(out), CHUNK_SIZE):
                pickle.dumps([(n, c) for n, c in enumerate(out[start:start + CHUNK_SIZE])], pickle.HIGHEST_PROTOCOL)
            handover = (time.process_time() - started) * per
            return check, handover, out

        figures: dict[str, list[tuple[float, float]]] = {"row": [], "columnar": []}
        results: dict[str, list[object]] = {}
        for attempt in range(args.repeat):
            for kind in ("row", "columnar") if attempt % 2 == 0 else ("columnar", "row"):
                check, handover, results[kind] = run(kind)
                figures[kind].append((check, handover))
                print(f"  {kind:<9} check {check:6.2f} s   pickle {handover:5.2f} s   per 100k rows", flush=True)
        equal = sum(1 for a, b in zip(results["row"], results["columnar"], strict=True) if a == b)
        print(f"equal rows: {equal:,} of {len(rows):,}")
        medians = {kind: statistics.median(c for c, _ in values) for kind, values in figures.items()}
        handovers = {kind: statistics.median(h for _, h in values) for kind, values in figures.items()}
        print()
        print(f"{'CPU s per 100k rows (median)':<34}{'row':>10}{'columnar':>10}{'ratio':>8}")
        print(f"{'read and parse':<34}{parse:>10.2f}{parse:>10.2f}")
        print(f"{'check':<34}{medians['row']:>10.2f}{medians['columnar']:>10.2f}"
              f"{medians['columnar'] / medians['row']:>8.2f}")
        print(f"{'pickle to the writer':<34}{handovers['row']:>10.2f}{handovers['columnar']:>10.2f}")
        total_row = parse + medians["row"] + handovers["row"]
        total_columnar = parse + medians["columnar"] + handovers["columnar"]
        print(f"{'reader in all':<34}{total_row:>10.2f}{total_columnar:>10.2f}{total_columnar / total_row:>8.2f}")


if __name__ == "__main__":
    main()
