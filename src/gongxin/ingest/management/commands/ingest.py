"""``gongxin ingest FILE --source-unit CODE --item CODE [--chunk-size N]``: load a file of records.

CSV (UTF-8 with or without BOM, GBK, GB18030), Excel .xlsx or JSON Lines, with the catalog item's Chinese
column headers or field codes. Runs in the foreground with progress on stderr; prints the batch's counts
and where its error report is. Running the same file again resumes an interrupted batch of it, or — when
the earlier batch finished — loads nothing new (every row "unchanged"). Exit status 1 when the file could
not be read; rejected rows do not change the exit status (they are in the error report).

One run at a time: while a live run loads the same file, another is refused (exit status 1, with the
run's host, pid and last progress); a run that died (killed, host lost) leaves its batch resumable.

``--snapshot``: the file is the full snapshot of the unit's records of the item. Unchanged rows write nothing;
records the file no longer holds are counted, and revoked only by ``gongxin ingest confirm BATCH`` (or kept by
``gongxin ingest cancel BATCH``); a snapshot over the policy's share is held for the credit office's review.

``gongxin ingest report BATCH [--output FILE]`` writes a batch's error report as CSV.
``gongxin ingest status [BATCH]`` shows the unfinished batches (or one), marking those whose run died.
``gongxin ingest cleanup [--failed-days N] [--dry-run]`` drops the snapshot stages no batch will read again
(of batches gone, finished or failed for good; a snapshot failed more than N days ago — 7 by default — ends
for good: it is not resumed, the same file sent again is a new batch).
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongxin.accounts.choices import Role
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.errors import CatalogItemNotFound, SourceUnitNotFound
from gongxin.catalog.selectors import item_by_code, source_unit_by_code
from gongxin.core import clock
from gongxin.core.errors import GongxinError
from gongxin.ingest.choices import BatchStatus
from gongxin.ingest.locking import batch_interrupted_mark, owner_describe
from gongxin.ingest.models import Batch
from gongxin.ingest.services import (
    STAGE_KEEP_FAILED_DAYS,
    batch_ingest_file,
    batch_run,
    batch_snapshot_cancel,
    batch_snapshot_confirm,
    error_report_rows,
    snapshot_stages_cleanup,
)


class Command(BaseCommand):
    help = "Load a file of records for a source unit and catalog item (or write a batch's error report)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV, .xlsx or .jsonl file — or 'report' / 'status' / 'confirm' / 'cancel' "
                                         "and a batch id — or 'cleanup'")
        parser.add_argument("batch", nargs="?", help="with 'report' or 'status': the batch id")
        parser.add_argument("--source-unit", help="the source unit's department code")
        parser.add_argument("--item", help="the catalog item's code (current edition)")
        parser.add_argument("--chunk-size", type=int, default=None, help="rows per transaction (default 5000)")
        parser.add_argument("--output", help="with 'report': write the CSV here instead of stdout")
        parser.add_argument("--snapshot", action="store_true",
                            help="the file is the full snapshot of the unit's records of the item: records it no "
                                 "longer holds are revoked once confirmed ('confirm' BATCH)")
        parser.add_argument("--failed-days", type=int, default=STAGE_KEEP_FAILED_DAYS,
                            help="with 'cleanup': a snapshot failed longer ago than this ends for good (default 7)")
        parser.add_argument("--dry-run", action="store_true", help="with 'cleanup': only list what would be dropped")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["file"] == "report":
            self._report(options)
            return
        if options["file"] == "status":
            self._status(options)
            return
        if options["file"] in ("confirm", "cancel"):
            self._decide(options)
            return
        if options["file"] == "cleanup":
            self._cleanup(options)
            return
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if not options["source_unit"] or not options["item"]:
            raise CommandError("Give --source-unit and --item.")
        try:
            source_unit = source_unit_by_code(options["source_unit"])
        except SourceUnitNotFound:
            raise CommandError(f"No source unit with department code {options['source_unit']!r}.") from None
        try:
            item = item_by_code(options["item"])
        except CatalogItemNotFound:
            raise CommandError(f"No catalog item {options['item']!r} in the current catalog.") from None
        actor = Viewer(label=f"cli:ingest:{source_unit.department.code}", role=Role.ADMIN)
        started = time.monotonic()

        def progress(rows: int) -> None:
            elapsed = max(time.monotonic() - started, 1e-6)
            sys.stderr.write(f"\r  {rows:,} rows  {rows / elapsed:,.0f} rows/s  {elapsed:,.0f} s")
            sys.stderr.flush()

        try:
            batch = batch_ingest_file(path=path.resolve(), source_unit=source_unit, item=item, actor=actor,
                                      progress=progress, snapshot=options["snapshot"],
                                      chunk_size=options["chunk_size"])
        except GongxinError as exc:
            details = f" {json.dumps(exc.details, ensure_ascii=False, default=str)}" if exc.details else ""
            raise CommandError(f"{exc.code}: {exc.message}{details}") from exc
        sys.stderr.write("\n")
        self._summary(batch)
        if batch.status == BatchStatus.FAILED:
            raise CommandError(f"Batch {batch.pk} failed: {batch.failure}")

    def _summary(self, batch: Batch) -> None:
        duration = batch.duration_seconds or 0.0
        self.stdout.write(
            f"batch {batch.pk}: {batch.status}  received {batch.received}  inserted {batch.inserted}  "
            f"corrected {batch.corrected}  unchanged {batch.unchanged}  revoked {batch.revoked}  "
            f"duplicate {batch.duplicate}  rejected {batch.rejected}  flagged {batch.flagged}  "
            f"({duration:.1f} s)"
        )
        if batch.rejected or batch.flagged:
            self.stdout.write(f"error report: gongxin ingest report {batch.pk} --output batch-{batch.pk}-errors.csv")
        if batch.status in (BatchStatus.AWAITING, BatchStatus.HELD):
            plan = batch.snapshot_plan or {}
            held = " — over the policy's share: held for the credit office's review" if plan.get("held") else ""
            self.stdout.write(
                f"snapshot: {batch.missing} of {plan.get('active', 0)} records in force are no longer in the file "
                f"({100 * float(plan.get('share', 0)):.2f} %, limit {100 * float(plan.get('limit', 0)):.0f} %){held}.\n"
                f"revoke them: gongxin ingest confirm {batch.pk}    keep them: gongxin ingest cancel {batch.pk}")

    def _decide(self, options: dict[str, Any]) -> None:
        """Confirm (revoke the snapshot's missing records, in the foreground) or cancel (keep them)."""
        try:
            batch_id = int(options["batch"] or "")
        except ValueError:
            raise CommandError(f"No batch {options['batch']!r}.") from None
        actor = Viewer(label="cli:ingest", role=Role.ADMIN)
        try:
            if options["file"] == "cancel":
                batch = batch_snapshot_cancel(batch_id=batch_id, actor=actor)
            else:
                found = Batch.objects.filter(pk=batch_id).first()
                resuming = (found is not None and found.status != BatchStatus.DONE
                            and (found.snapshot_plan or {}).get("decision") == "confirmed")
                if not resuming:  # a confirmed revocation that was interrupted is simply run again
                    batch_snapshot_confirm(batch_id=batch_id, actor=actor, background=False)
                batch = batch_run(batch_id=batch_id, actor=actor)
        except Batch.DoesNotExist:
            raise CommandError(f"No batch {options['batch']!r}.") from None
        except GongxinError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        self._summary(batch)
        if batch.status == BatchStatus.FAILED:
            raise CommandError(f"Batch {batch.pk} failed: {batch.failure}")

    def _cleanup(self, options: dict[str, Any]) -> None:
        """Drop the snapshot stages no batch will read again."""
        if options["failed_days"] < 0:
            raise CommandError("--failed-days must not be negative.")
        dropped = snapshot_stages_cleanup(failed_days=options["failed_days"], dry_run=options["dry_run"])
        verb = "would drop" if options["dry_run"] else "dropped"
        for stage in dropped:
            self.stdout.write(f"{verb} {stage.table} (batch {stage.batch_id}: {stage.reason})")
        self.stdout.write(f"{len(dropped)} snapshot stage(s) {verb}.")

    def _report(self, options: dict[str, Any]) -> None:
        try:
            batch = Batch.objects.get(pk=int(options["batch"] or ""))
        except (ValueError, Batch.DoesNotExist):
            raise CommandError(f"No batch {options['batch']!r}.") from None
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8-sig", newline="") as handle:
                csv.writer(handle).writerows(error_report_rows(batch))
            self.stdout.write(f"wrote {options['output']}")
        else:
            csv.writer(self.stdout).writerows(error_report_rows(batch))

    def _status(self, options: dict[str, Any]) -> None:
        """Unfinished batches (or the one given): a batch whose run died is marked failed and resumable first."""
        batches = Batch.objects.select_related("source_unit__department", "catalog_item")
        if options["batch"]:
            batches = batches.filter(pk=int(options["batch"]) if str(options["batch"]).isdigit() else 0)
        else:
            batches = batches.filter(status__in=[BatchStatus.QUEUED, BatchStatus.RUNNING, BatchStatus.FAILED])
        for batch in batches.order_by("pk")[:200]:
            interrupted = batch_interrupted_mark(batch=batch)
            owner = owner_describe(batch.owner) if batch.owner else {"host": "", "pid": ""}
            progress = clock.local(batch.heartbeat_at).isoformat(timespec="seconds") if batch.heartbeat_at else "-"
            line = (f"batch {batch.pk}: {batch.status}  {batch.source_unit.department.code}/{batch.catalog_item.code}"
                    f"  rows {batch.rows_done}  last progress {progress}")
            if batch.status == BatchStatus.RUNNING:
                line += f"  run by pid {owner['pid']} on {owner['host']}"
            if interrupted:
                line += "  (its run died: interrupted, resumable)"
            elif batch.status == BatchStatus.FAILED and batch.failure:
                line += f"  {batch.failure}"
            self.stdout.write(line)
