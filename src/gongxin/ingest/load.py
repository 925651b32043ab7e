"""The bulk path of a batch: checked rows → subjects resolved → records loaded, chunk by chunk.

Each chunk of source rows is one transaction: the subjects it creates, its records and versions (through
``records.load.records_load``, set-based), its revocations, its row issues and the batch's counters and
``rows_done``. A crash (even SIGKILL) loses at most the chunk in flight, and the batch says exactly which
rows are done; ``ingest.services.batch_run`` resumes after them. Rows already loaded by an earlier batch
come back "unchanged", so re-running a whole file changes nothing.

Duplicates in the file: a row whose identity, content and severity equal an earlier row's is counted as
a duplicate and skipped. A later row with the same identity but other content is a correction of the
earlier one; it goes into a new sub-chunk so that both versions are written in file order.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import threading
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache, partial
from multiprocessing.connection import Connection
from operator import itemgetter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gongxin.accounts.viewer import Viewer
from gongxin.catalog.models import CatalogItem, SourceUnit
from gongxin.catalog.policy import PolicyBook
from gongxin.core import clock, workdays
from gongxin.core.errors import GongxinError
from gongxin.ingest import fingerprint, parsing, snapshot
from gongxin.ingest.choices import IssueLevel, RowOutcome
from gongxin.ingest.errors import BatchTakenOver
from gongxin.ingest.locking import chunk_lock, subjects_lock
from gongxin.ingest.models import Batch, BatchIssue
from gongxin.ingest.rows import (
    CheckedRow,
    Issue,
    PresumedRows,
    RowChecker,
    SubjectKey,
    both_languages,
    issue_make,
    presumed_spoiled,
)
from gongxin.records.choices import RecordStatus
from gongxin.records.content import content_digest
from gongxin.records.errors import RecordRevoked
from gongxin.records.load import LoadResult, RecordRow, records_load
from gongxin.records.models import Record
from gongxin.records.services import record_revoke
from gongxin.subjects.identifiers import uscc_is_valid, uscc_org_kind_guess
from gongxin.subjects.selectors import subjects_by_codes
from gongxin.subjects.services import OrganizationRow, PersonRow, organizations_register_bulk, persons_register_bulk

CHUNK_SIZE = 5000
_LAG_BUCKETS = ((7, "0-7"), (15, "8-15"), (30, "16-30"))


@dataclass
class Tally:
    """What a batch has done so far; mirrors the counters on ``Batch``."""

    received: int = 0
    inserted: int = 0
    corrected: int = 0
    unchanged: int = 0
    revoked: int = 0
    duplicate: int = 0
    rejected: int = 0
    flagged: int = 0
    stats: dict[str, Any] = field(default_factory=dict)
    results: list[dict[str, Any]] | None = None

    COUNTERS = ("received", "inserted", "corrected", "unchanged", "revoked", "duplicate", "rejected", "flagged")

    @classmethod
    def of(cls, batch: Batch) -> Tally:
        tally = cls(**{name: getattr(batch, name) for name in cls.COUNTERS})
        tally.stats = dict(batch.stats or {})
        return tally

    def minus(self, before: Tally) -> dict[str, int]:
        return {name: getattr(self, name) - getattr(before, name) for name in self.COUNTERS}


@dataclass
class _Resolved:
    subject_id: int
    known_name: str
    created: bool


class BatchLoader:
    """Loads the rows of one batch. ``seen`` remembers identities (and fingerprints) across chunks."""

    def __init__(self, *, batch: Batch, actor: Viewer, with_results: bool = False,
                 chunk_size: int = CHUNK_SIZE, owner: str | None = None) -> None:
        self.batch = batch
        self.actor = actor
        # The run's token (ingest.locking): each chunk commits only while the batch is still this run's.
        self.owner = owner
        self.item: CatalogItem = batch.catalog_item
        self.source_unit: SourceUnit = batch.source_unit
        # The row's content (hash, canonical JSON, clocks) is computed by records_load in this process: handing
        # it over from the reader (``RowChecker(policies=...)``) cost as much unpickling as computing it, and
        # the reader is the busier process (decision 024).
        # A full snapshot compares each row's content hash with its record's (ingest.snapshot): with rows checked by
        # columns the hash is computed where the row is checked, the reader being then the lighter process
        # (decision 074); computing it needs the clocks' severity, so the policies are loaded once.
        self.snapshot = batch.snapshot
        self.policies = PolicyBook.load() if self.snapshot else None
        digests = self.policies if settings.GONGXIN_INGEST_COLUMNAR else None
        # Each file row's fingerprint is kept on the record it writes; a snapshot's rows holding one the unit and
        # item's records hold are only presumed unchanged by the reader and verified here (decision 084).
        known = (fingerprint.known_load(unit_id=self.source_unit.pk, item_id=self.item.pk)
                 if self.snapshot and settings.GONGXIN_INGEST_FINGERPRINTS else None)
        prints = fingerprint.RowFingerprinter(item=self.item, source_unit=self.source_unit, known=known)
        self.checker = RowChecker(item=self.item, digests=digests, domain=self.source_unit.domain,
                                  fingerprints=prints)
        self._reread: parsing.SourceTable | None = None  # the file read again here for presumed rows that fail
        self._reread_rows: Iterator[parsing.SourceRow] | None = None
        self._path: tuple[Path, str] | None = None
        self.tally = Tally.of(batch)
        if with_results:
            self.tally.results = list(batch.results or [])
        self.chunk_size = chunk_size
        self.seen: dict[str, int] = {}
        # A full snapshot: each chunk's identities are staged and its unchanged rows found in SQL by content hash.
        if self.snapshot:
            snapshot.stage_create(batch.pk)

    # -- reading and checking ------------------------------------------------------------------------

    def load_file(self, path: Path, *, name: str = "", skip: int = 0, in_worker: bool = False,
                  progress: Callable[[int], None] | None = None) -> Tally:
        """Load the rows of a file after the first ``skip`` (committed by an interrupted run).

        With ``in_worker`` a forked process reads and checks the rows (the CPU-bound half) while this
        process resolves subjects and writes (the database-bound half); it never touches the database."""
        stream = _checked_in_worker if in_worker else _checked_here
        self._path = (path, name or path.name)
        chunks = stream(path, name or path.name, self.checker, skip, self.chunk_size)
        try:
            self.seen.update(next(chunks))
            for checked in chunks:
                self._chunk(checked)
                if progress is not None:
                    progress(self.batch.rows_done)
        finally:
            if self._reread is not None:
                self._reread.close()
                self._reread = self._reread_rows = None
        return self.tally

    def _chunk(self, chunk: CheckedChunk) -> None:
        before = Tally.of(self.batch)
        before.stats = {}
        issues: list[tuple[int, Issue]] = []
        results: dict[int, dict[str, Any]] = {}
        named: list[str] = []  # identities of rejected rows that name one (a snapshot keeps their records)
        checked_rows = chunk.rows
        size = len(checked_rows) + len(chunk.presumed)
        with transaction.atomic():
            chunk_lock(source_unit_id=self.source_unit.pk, item_id=self.item.pk)
            if chunk.presumed:
                checked_rows = self._presumed_settle(checked_rows, chunk.presumed, named, results)
            parts = self._parts(checked_rows, named, issues, results)
            if self.snapshot:
                parts = self._unchanged_set_aside(parts, named, issues, results)
            rows = [checked for part in parts for checked in part]
            resolved = self._subjects(rows, issues, results) if rows else {}
            for part in parts:
                if part:
                    self._part(part, resolved, issues, results)
            self._save(before, issues, results, size)

    def _parts(self, checked_rows: list[Checked], named: list[str], issues: list[tuple[int, Issue]],
               results: dict[int, dict[str, Any]]) -> list[list[CheckedRow]]:
        """The chunk's checked rows in parts that each name an identity once (a row correcting an earlier one of the
        file starts a new part); rejected rows and duplicates counted."""
        parts: list[list[CheckedRow]] = [[]]
        in_part: set[str] = set()
        for number, checked in checked_rows:
            if not isinstance(checked, CheckedRow):
                if checked and checked[0].level == IssueLevel.WARNING:  # a note on the file, not a row
                    issues.extend((number, issue) for issue in checked)
                    continue
                self.tally.received += 1
                self._reject(number, checked, issues, results)
                identity = getattr(checked, "identity", None)
                if identity:
                    named.append(identity)
                continue
            self.tally.received += 1
            known = self.seen.get(checked.identity)
            if known == checked.fingerprint:
                self.tally.duplicate += 1
                self._result(results, number, RowOutcome.DUPLICATE)
                continue
            self.seen[checked.identity] = checked.fingerprint
            if checked.identity in in_part:
                parts.append([])
                in_part = set()
            parts[-1].append(checked)
            in_part.add(checked.identity)
        return parts

    def _presumed_settle(self, checked_rows: list[Checked], presumed: PresumedRows, named: list[str],
                         results: dict[int, dict[str, Any]]) -> list[Checked]:
        """A snapshot's chunk with rows the reader presumed unchanged by their fingerprints (decision 084): each is
        verified against its record, and staged, in one statement, and counted unchanged; an exact repeat of a row
        (the same fingerprint and identity) is a duplicate. A row that fails verification, or whose identity another
        row of the chunk names otherwise, is checked here after all — the rows of that identity then go the usual way,
        in file order. Returns the chunk's rows left for the usual path. The presumed rows stay columns throughout:
        per row only C loops, unless some are demoted or the batch keeps results."""
        identities, numbers = presumed.identities, presumed.numbers
        first, demoted = presumed_spoiled(
            presumed, (getattr(checked, "identity", None) for _number, checked in checked_rows), seen=self.seen)
        # The first row of each identity neither demoted nor seen in an earlier chunk (then it is a duplicate).
        passed = demoted.union(first.keys() & self.seen.keys()) if self.seen else demoted
        if len(first) == len(identities) and not passed:
            candidates = presumed
        else:
            indexes = sorted(index for identity, index in first.items() if identity not in passed)
            candidates = presumed.at(indexes)
        verified = fingerprint.presumed_verify(unit_id=self.source_unit.pk, item_id=self.item.pk, rows=candidates,
                                               stage=snapshot.stage_table(self.batch.pk))
        if len(verified) == len(candidates):
            self.seen.update(zip(candidates.identities, candidates.fingerprints, strict=True))
        else:
            for number, identity, held in zip(candidates.numbers, candidates.identities, candidates.fingerprints,
                                              strict=True):
                if number in verified:
                    self.seen[identity] = held
                else:
                    demoted.add(identity)
        left = checked_rows
        demoted_count = 0
        if demoted:
            again = [index for index, identity in enumerate(identities) if identity in demoted]
            demoted_count = len(again)
            rechecked = self._recheck([numbers[i] for i in again])
            left = sorted([*checked_rows, *((numbers[i], rechecked[numbers[i]]) for i in again)], key=itemgetter(0))
        self.tally.received += len(identities) - demoted_count
        self.tally.unchanged += len(verified)
        self.tally.duplicate += len(identities) - demoted_count - len(verified)
        if self.tally.results is not None:
            for number, identity in zip(numbers, identities, strict=True):
                if identity not in demoted:
                    self._result(results, number,
                                 RowOutcome.UNCHANGED if number in verified else RowOutcome.DUPLICATE)
        return left

    def _recheck(self, numbers: list[int]) -> dict[int, CheckedRow | list[Issue]]:
        """The rows ``numbers`` checked here by the reference validator, read from the file again (forward only:
        chunks come in file order; opened on the first need)."""
        if not numbers:
            return {}
        prints = self.checker.fingerprints
        if self._reread_rows is None:
            assert self._path is not None
            # Fingerprinted as the reader does, presuming nothing.
            sift_for = partial(prints.record_sift, identity_of=None) if prints is not None else None
            self._reread = parsing.table_open(self._path[0], item=self.item, name=self._path[1], sift_for=sift_for)
            self._reread_rows = iter(self._reread.rows)
        wanted = set(numbers)
        found: dict[int, CheckedRow | list[Issue]] = {}
        sifted = self._reread is not None and self._reread.sifted
        for row in self._reread_rows:
            if row.number in wanted:
                checked = self.checker.check(row)
                if isinstance(checked, CheckedRow) and prints is not None:
                    checked.source_fingerprint = row.fingerprint if sifted else prints.of(row.cells)
                found[row.number] = checked
                if len(found) == len(wanted):
                    break
        return found

    def _unchanged_set_aside(self, parts: list[list[CheckedRow]], named: list[str],
                             issues: list[tuple[int, Issue]],
                             results: dict[int, dict[str, Any]]) -> list[list[CheckedRow]]:
        """A snapshot's chunk: stage every identity it names and take out the rows whose content equals their
        record's current version — found by content hash in one statement; they write nothing, resolve no
        subject and never reach the record tables' writers. The other rows (new, changed) are returned."""
        identities = list(named)
        candidates: list[tuple[int, str, str, int | None]] = []
        # An identity the chunk names in several parts (corrected within the file) loads the usual way: its later
        # rows must be compared with its earlier rows' versions, not with the version before the chunk.
        repeated: set[str] = set()
        if len(parts) > 1:
            counts: dict[str, int] = {}
            for part in parts:
                for checked in part:
                    counts[checked.identity] = counts.get(checked.identity, 0) + 1
            repeated = {identity for identity, count in counts.items() if count > 1}
        for part in parts:
            for checked in part:
                identities.append(checked.identity)
                if not checked.revoke and checked.identity not in repeated:
                    digest = self._digest(checked)
                    if digest is not None:
                        candidates.append((checked.number, checked.identity, digest, checked.source_fingerprint))
        unchanged = snapshot.stage_and_compare(batch_id=self.batch.pk, unit_id=self.source_unit.pk,
                                               item_id=self.item.pk, identities=identities, candidates=candidates)
        if not unchanged:
            return parts
        rest: list[list[CheckedRow]] = []
        for part in parts:
            kept = []
            for checked in part:
                if checked.number not in unchanged:
                    kept.append(checked)
                    continue
                self.tally.unchanged += 1
                if checked.flags:
                    self.tally.flagged += 1
                    issues.extend((checked.number, flag) for flag in checked.flags)
                self._stats(checked)
                self._result(results, checked.number, RowOutcome.UNCHANGED)
            rest.append(kept)
        return rest

    def _digest(self, checked: CheckedRow) -> str | None:
        """The row's content hash as ``records.load`` computes it (None: its clocks fail; loading rejects it)."""
        if checked.digest is not None:  # computed by the reader
            return checked.digest
        assert self.policies is not None
        try:
            clocks = self.policies.clocks(item=self.item, domain=self.source_unit.domain, payload=checked.payload,
                                          severity=checked.severity)
        except GongxinError:
            return None
        return content_digest(payload=checked.payload, severity=clocks.severity)[0]

    def _part(self, part: list[CheckedRow], resolved: dict[tuple[str, str], _Resolved],
              issues: list[tuple[int, Issue]], results: dict[int, dict[str, Any]]) -> None:
        loads: list[RecordRow] = []
        revocations: list[tuple[CheckedRow, int]] = []
        for checked in part:
            subject = resolved.get((checked.subject.scheme, checked.subject.value))
            if subject is None:
                continue  # rejected by _subjects
            flags = list(checked.flags)
            if subject.created:
                flags.append(_flag_created(checked.subject))
            elif subject.known_name and checked.subject.name and subject.known_name != checked.subject.name:
                flags.append(_flag_name(checked.subject.name, subject.known_name))
            if flags:
                self.tally.flagged += 1
                issues.extend((checked.number, flag) for flag in flags)
            if checked.revoke:
                revocations.append((checked, subject.subject_id))
                continue
            loads.append(RecordRow(
                source_unit_id=self.source_unit.pk, catalog_item=self.item, source_record_id=checked.identity,
                subject_id=subject.subject_id, payload=checked.payload, severity=checked.severity,
                validated=True, tag=checked.number, content=checked.content, fingerprint=checked.source_fingerprint,
            ))
            self._stats(checked)
        if loads:
            outcome = records_load(loads, actor_label=self.actor.label, batch_size=len(loads),
                                   with_outcomes=self.tally.results is not None)
            self._count(outcome, issues, results)
        for checked, _subject_id in revocations:
            self._revoke(checked, issues, results)

    # -- subjects ------------------------------------------------------------------------------------

    def _subjects(self, part: list[CheckedRow], issues: list[tuple[int, Issue]],
                  results: dict[int, dict[str, Any]]) -> dict[tuple[str, str], _Resolved]:
        keys = {(c.subject.scheme, c.subject.value): c.subject for c in part}
        found = _subjects_lookup(keys)
        missing_orgs = {v: k for (s, v), k in keys.items() if s == "uscc" and (s, v) not in found}
        missing_persons = {v: k for (s, v), k in keys.items() if s == "rin" and (s, v) not in found}
        bad_uscc = {v for v in missing_orgs if not uscc_is_valid(v)}
        subjects_lock([("uscc", v) for v in missing_orgs if v not in bad_uscc] + [("rin", v) for v in missing_persons])
        if missing_orgs.keys() - bad_uscc:
            organizations_register_bulk(
                (OrganizationRow(uscc=v, name=k.name, org_kind=uscc_org_kind_guess(v), needs_enrichment=True)
                 for v, k in missing_orgs.items() if v not in bad_uscc),
                actor_label=self.actor.label,
            )
        if missing_persons:
            persons_register_bulk(
                (PersonRow(rin=k.rin, name=k.name, needs_enrichment=True) for k in missing_persons.values()),
                actor_label=self.actor.label,
            )
        if missing_orgs or missing_persons:
            created = _subjects_lookup({key: k for key, k in keys.items() if key not in found})
            for key, resolved in created.items():
                found[key] = _Resolved(resolved.subject_id, resolved.known_name, created=True)
        for checked in part:
            if (checked.subject.scheme, checked.subject.value) in found:
                continue
            column = self.checker.labels.get("uscc", "uscc")
            if checked.subject.scheme == "uscc":
                issue = issue_make(IssueLevel.ERROR, column, checked.subject.value, "invalid_uscc",
                               lambda: _("This unified social credit code is not valid."))
            else:
                issue = issue_make(IssueLevel.ERROR, column, checked.subject.value, "subject_unresolved",
                               lambda: _("No organization is known by this code; give its unified social "
                                         "credit code."))
            self._reject(checked.number, [issue], issues, results)
        return found

    # -- outcomes ------------------------------------------------------------------------------------

    def _count(self, outcome: LoadResult, issues: list[tuple[int, Issue]],
               results: dict[int, dict[str, Any]]) -> None:
        self.tally.inserted += outcome.inserted
        self.tally.corrected += outcome.corrected
        self.tally.unchanged += outcome.unchanged
        for rejection in outcome.rejections:
            message = rejection.message
            zh, en = both_languages(partial(str, message))
            number = rejection.tag or 0
            self._reject(number, [Issue(IssueLevel.ERROR, "", "", rejection.code, zh, en)], issues, results)
            self.tally.stats["valid"] = self.tally.stats.get("valid", 1) - 1
        for row in outcome.outcomes:
            kind = {"created": RowOutcome.INSERTED, "corrected": RowOutcome.CORRECTED}.get(row.outcome,
                                                                                         RowOutcome.UNCHANGED)
            self._result(results, row.tag or 0, kind, record_id=row.record_id)

    def _revoke(self, checked: CheckedRow, issues: list[tuple[int, Issue]],
                results: dict[int, dict[str, Any]]) -> None:
        """A row flagged as revoked withdraws its record (rare: one service call per row)."""
        record = Record.objects.select_related("source_unit", "catalog_item", "current_version").filter(
            source_unit=self.source_unit, catalog_item=self.item, source_record_id=checked.identity
        ).first()
        if record is None:
            self._reject(checked.number, [issue_make(IssueLevel.ERROR, "", checked.identity, "nothing_to_revoke",
                                                 lambda: _("There is no such record to revoke."))], issues, results)
            return
        if record.current_version is not None and record.current_version.status == RecordStatus.REVOKED:
            self.tally.unchanged += 1
            self._result(results, checked.number, RowOutcome.UNCHANGED, record_id=record.pk)
            return
        try:
            record_revoke(record=record, actor=self.actor,
                          reason=_("Revoked by batch %(batch)s, row %(row)s.") % {"batch": self.batch.pk,
                                                                                  "row": checked.number})
        except RecordRevoked:  # revoked meanwhile by someone else
            self.tally.unchanged += 1
            return
        self.tally.revoked += 1
        self._result(results, checked.number, RowOutcome.REVOKED, record_id=record.pk)

    def _reject(self, number: int, row_issues: list[Issue], issues: list[tuple[int, Issue]],
                results: dict[int, dict[str, Any]]) -> None:
        self.tally.rejected += 1
        issues.extend((number, issue) for issue in row_issues)
        reasons = self.tally.stats.setdefault("reasons", {})
        for issue in row_issues:
            reasons[issue.code] = reasons.get(issue.code, 0) + 1
        self._result(results, number, RowOutcome.REJECTED, issues=row_issues)

    def _result(self, results: dict[int, dict[str, Any]], number: int, outcome: str, *,
                record_id: int | None = None, issues: list[Issue] | None = None) -> None:
        if self.tally.results is None:
            return
        entry = results.setdefault(number, {"row": number, "outcome": outcome, "record_id": record_id,
                                            "issues": []})
        entry["outcome"] = outcome
        entry["record_id"] = record_id or entry["record_id"]
        for issue in issues or []:
            entry["issues"].append({"column": issue.column, "code": issue.code, "level": issue.level,
                                    "reason": issue.reason_zh, "reason_en": issue.reason_en})

    def _stats(self, checked: CheckedRow) -> None:
        stats = self.tally.stats
        stats["valid"] = stats.get("valid", 0) + 1
        filled = stats.setdefault("filled", {})
        for code in self.checker.optional:
            if code in checked.payload:
                filled[code] = filled.get(code, 0) + 1
        decided = checked.payload.get(self.item.decision_date_field) if self.checker.measure_lag else None
        if decided:
            lag = self.checker.lag_of(decided)
            stats["measured"] = stats.get("measured", 0) + 1
            stats["lag_sum"] = stats.get("lag_sum", 0) + lag
            bucket = next((name for limit, name in _LAG_BUCKETS if lag <= limit), ">30")
            buckets = stats.setdefault("lag_buckets", {})
            buckets[bucket] = buckets.get(bucket, 0) + 1
            if lag > self.checker.publicity_days:
                stats["late"] = stats.get("late", 0) + 1

    def _save(self, before: Tally, issues: list[tuple[int, Issue]], results: dict[int, dict[str, Any]],
              rows: int) -> None:
        if issues:
            _issues_write(self.batch.pk, issues)
        if self.tally.results is not None:
            self.tally.results.extend(results[n] for n in sorted(results))
        delta = self.tally.minus(before)
        mine = Batch.objects.filter(pk=self.batch.pk)
        if self.owner is not None:
            mine = mine.filter(owner=self.owner)
        saved = mine.update(
            rows_done=F("rows_done") + rows, stats=self.tally.stats, results=self.tally.results,
            heartbeat_at=clock.now(), **{name: F(name) + value for name, value in delta.items() if value},
        )
        if not saved:
            raise BatchTakenOver()  # rolls the chunk back: the run that has the batch now loads these rows
        self.batch.rows_done += rows
        for name in Tally.COUNTERS:
            setattr(self.batch, name, getattr(self.tally, name))
        self.batch.stats = self.tally.stats


def _issues_write(batch_id: int, issues: list[tuple[int, Issue]]) -> None:
    """The chunk's row issues: COPY on PostgreSQL (a flagged feed has one per row or more), else bulk_create."""
    if connection.vendor != "postgresql":
        BatchIssue.objects.bulk_create(
            [BatchIssue(batch_id=batch_id, row_number=number, level=i.level, column=i.column[:200], value=i.value,
                        code=i.code, reason_zh=i.reason_zh, reason_en=i.reason_en) for number, i in issues],
            batch_size=1000,
        )
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in ("batch_id", "row_number", "level", "column", "value", "code", "reason_zh",
                                           "reason_en"))
    with connection.cursor() as cursor, cursor.copy(
        f"COPY {quote(BatchIssue._meta.db_table)} ({columns}) FROM STDIN"
    ) as copy:
        for number, i in issues:
            copy.write_row((batch_id, number, i.level, i.column[:200], i.value, i.code, i.reason_zh, i.reason_en))


Checked = tuple[int, "CheckedRow | list[Issue]"]  # a row's number and what checking it gave


@dataclass(slots=True)
class CheckedChunk:
    """What the reader sends the writer for a chunk: its checked (and rejected) rows in file order, and its rows
    presumed unchanged as columns (decision 084); ``len(rows) + len(presumed)`` rows in all."""

    rows: list[Checked]
    presumed: PresumedRows


def _checked_chunks(path: Path, name: str, checker: RowChecker, skip: int,
                    chunk_size: int) -> Iterator[Any]:
    """First the identities of the ``skip`` rows already loaded, then the chunks checked (``CheckedChunk``)."""
    from gongxin.ingest.columnar import ColumnarChecker  # pyarrow: loaded where rows are read, not by every process

    prints = checker.fingerprints
    identity_of = checker.presumed_identity if prints is not None and prints.known else None
    # A CSV's records are fingerprinted by their text and parsed only when not presumed unchanged (decision 084).
    sift_for = partial(prints.record_sift, identity_of=identity_of) if prints is not None else None
    table = parsing.table_open(path, item=checker.item, name=name, sift_for=sift_for)
    if prints is not None and not table.sifted:
        table.rows = prints.cells_sifted(table.rows, identity_of=identity_of or (lambda _cells: None))
    # Column by column (decision 074): the rows it rejects are checked again by the reference for their issues.
    check: Callable[[list[parsing.SourceRow]], list[CheckedRow | list[Issue]]] = (
        ColumnarChecker(checker).check_chunk if settings.GONGXIN_INGEST_COLUMNAR
        else (lambda chunk: [checker.check(row) for row in chunk])
    )
    chunks = table.chunks(chunk_size, skip=skip)
    done: dict[str, int] = {}
    while skip > 0 and (chunk := next(chunks, None)) is not None:
        skip -= len(chunk.rows) + len(chunk.presumed)
        checked = _chunk_checked(chunk, check=check, table=table)
        for _number, row in checked.rows:
            if isinstance(row, CheckedRow):
                done.setdefault(row.identity, row.fingerprint)
        for identity, held in zip(checked.presumed.identities, checked.presumed.fingerprints, strict=True):
            done.setdefault(identity, held)
    yield done
    for chunk in chunks:
        yield _chunk_checked(chunk, check=check, table=table)


def _chunk_checked(chunk: parsing.SourceChunk, *, check: Callable[[list[parsing.SourceRow]], list[Any]],
                   table: parsing.SourceTable) -> CheckedChunk:
    """The chunk's rows checked, each with its fingerprint — but a row holding a known one (a snapshot's) is only
    presumed unchanged and stays in the columns of ``PresumedRows``, unless another row of the chunk names its
    identity otherwise (then it is checked here, so that the writer loads that identity's rows in file order without
    reading them again); the others are checked and carry theirs to the record they write (decision 084)."""
    rows, records = chunk.rows, chunk.presumed
    held: dict[int, parsing.SourceRow] = {}
    if not table.sifted and any(row.presumed is not None for row in rows):  # an .xlsx's or JSON's rows, by cells
        held = {row.number: row for row in rows if row.presumed is not None}
        rows = [row for row in rows if row.presumed is None]
        records = parsing.PresumedRecords(
            array("q", held), array("q", [row.fingerprint for row in held.values()]),  # type: ignore[misc]
            [row.presumed for row in held.values()], [""] * len(held))  # type: ignore[misc]
    out: list[Checked] = [(row.number, checked) for row, checked in zip(rows, check(rows) if rows else [],
                                                                         strict=True)]
    for row, (_number, checked) in zip(rows, out, strict=True):
        if isinstance(checked, CheckedRow):
            checked.source_fingerprint = row.fingerprint
    presumed = PresumedRows(records.numbers, records.fingerprints, records.identities)
    if not presumed:
        return CheckedChunk(out, presumed)
    _first, spoiled = presumed_spoiled(presumed, (getattr(checked, "identity", None) for _n, checked in out))
    if spoiled:
        again = [held.get(records.numbers[index]) or table.parse_presumed(records, index)
                 for index, identity in enumerate(records.identities) if identity in spoiled]
        for row, checked in zip(again, check(again), strict=True):
            if isinstance(checked, CheckedRow):
                checked.source_fingerprint = row.fingerprint
            out.append((row.number, checked))
        out.sort(key=itemgetter(0))
        presumed = presumed.without(spoiled)
    return CheckedChunk(out, presumed)


def _checked_here(path: Path, name: str, checker: RowChecker, skip: int, chunk_size: int) -> Iterator[Any]:
    return _checked_chunks(path, name, checker, skip, chunk_size)


def _worker_detach(receiver: Connection) -> None:
    """In the forked reader: let go of everything the parent owns, so that the parent dying (even by SIGKILL)
    ends the reader and its database sessions at once.

    - the parent's end of the pipe (else a dead parent never breaks the pipe and the reader waits forever);
    - the database sockets, closed at the OS level only — a protocol-level close would end the parent's
      session — so that a killed parent's open transaction is not kept alive by this process;
    - and on Linux the reader is killed when its parent dies."""
    receiver.close()
    from django.db import connections

    for alias in connections:
        connection = connections[alias]
        raw = getattr(connection, "connection", None)
        socket = getattr(getattr(raw, "pgconn", None), "socket", None)
        if isinstance(socket, int) and socket >= 0:
            with contextlib.suppress(OSError):
                os.close(socket)
    with contextlib.suppress(Exception):  # best effort: only Linux has PR_SET_PDEATHSIG
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before the line above
            os._exit(1)


def _worker_main(sender: Connection, receiver: Connection, path: Path, name: str, checker: RowChecker,
                 skip: int, chunk_size: int) -> None:
    """The forked reader: checks rows and sends them; errors travel as data (never touches the database)."""
    _worker_detach(receiver)
    workdays.calendar_freeze()
    try:
        for message in _checked_chunks(path, name, checker, skip, chunk_size):
            sender.send(("rows", message))
        sender.send(("end", None))
    except GongxinError as exc:
        sender.send(("error", (type(exc).__module__, type(exc).__qualname__, str(exc.message), exc.details)))
    except Exception as exc:  # the parent re-raises it as a failure of the batch
        with contextlib.suppress(OSError):
            sender.send(("error", ("", "", repr(exc), None)))
    finally:
        sender.close()


def _checked_in_worker(path: Path, name: str, checker: RowChecker, skip: int, chunk_size: int) -> Iterator[Any]:
    context = multiprocessing.get_context("fork")
    workdays.calendar_preload()  # the reader counts working days (the clocks) and may not read the database
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_worker_main,
                             args=(sender, receiver, path, name, checker, skip, chunk_size),
                             daemon=True, name="gongxin-ingest-reader")
    worker.start()
    sender.close()
    # A thread receives and unpickles the next chunk while this one is written: it holds the GIL only
    # while this thread waits for PostgreSQL (COPY, the commit's foreign-key checks).
    ahead: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=2)
    stop = threading.Event()
    prefetch = threading.Thread(target=_receive_ahead, args=(receiver, ahead, stop), daemon=True,
                                name="gongxin-ingest-receive")
    prefetch.start()
    try:
        while True:
            kind, payload = ahead.get()
            if kind == "end":
                return
            if kind == "error":
                raise _worker_error(payload)
            yield payload
    finally:
        stop.set()
        if worker.is_alive():
            worker.terminate()
        worker.join()
        prefetch.join()  # the dead reader broke the pipe: the thread's recv has returned
        receiver.close()


def _receive_ahead(receiver: Connection, ahead: queue.Queue[tuple[str, Any]], stop: threading.Event) -> None:
    """Moves the reader's messages into ``ahead``, ending with its "end" or "error" (or a broken pipe), or
    when the consumer has stopped."""
    while True:
        try:
            kind, payload = receiver.recv()
        except (EOFError, OSError) as exc:
            kind, payload = "error", ("", "", repr(exc), None)
        while True:  # never block forever: the consumer may have stopped (it joins this thread)
            if stop.is_set():
                return
            try:
                ahead.put((kind, payload), timeout=0.2)
                break
            except queue.Full:
                continue
        if kind in ("end", "error"):
            return


def _worker_error(payload: tuple[str, str, str, Any]) -> Exception:
    module, qualname, message, details = payload
    if module:
        import importlib

        cls = getattr(importlib.import_module(module), qualname, None)
        if isinstance(cls, type) and issubclass(cls, GongxinError):
            return cls(message, details=details)
    return RuntimeError(f"the ingest reader failed: {message}")


def _subjects_lookup(keys: dict[tuple[str, str], SubjectKey]) -> dict[tuple[str, str], _Resolved]:
    by_scheme: dict[str, list[str]] = {}
    for scheme, value in keys:
        by_scheme.setdefault(scheme, []).append(value)
    found: dict[tuple[str, str], _Resolved] = {}
    for scheme, values in by_scheme.items():
        for value, subject_id, name in _subjects_query(scheme, values):
            found[(scheme, value)] = _Resolved(subject_id, name, created=False)
    return found


def _subjects_query(scheme: str, values: list[str]) -> Iterator[tuple[str, int, str]]:
    """(value, subject id, name) of the subjects known by these values of one scheme (one query on
    PostgreSQL: ``subjects.selectors.subjects_by_codes``)."""
    return subjects_by_codes(scheme=scheme, codes=values, fields=("name",))


@cache
def _created_reason() -> tuple[str, str]:
    return both_languages(lambda: _("The subject was not known: it was registered from this row and awaits "
                                    "enrichment."))


def _flag_created(subject: SubjectKey) -> Issue:
    zh, en = _created_reason()
    value = subject.value if subject.scheme != "rin" else ""
    return Issue(IssueLevel.WARNING, "", value, "subject_created", zh, en)


@lru_cache(maxsize=4096)
def _flag_name(given: str, known: str) -> Issue:
    """Cached: a batch names the same differing subjects many times (two translations per flag are dear)."""
    zh, en = both_languages(lambda: _("The name differs from the known name “%(known)s”.") % {"known": known})
    return Issue(IssueLevel.WARNING, "", given, "name_differs", zh, en)

