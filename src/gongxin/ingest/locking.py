"""Who runs a batch: one run at a time, and a run whose process died is seen as dead (decision 031).

A run claims its batch before it reads a row and gives it up when it ends:

- the claim is a guarded status transition — ``UPDATE … WHERE`` the batch is still in the state the claimer
  saw — so of two runs started at once exactly one gets the batch; the other is refused with
  ``ingest.batch_running`` (it does not wait: the caller may try again, or follow the running batch);
- on PostgreSQL the run also holds a session advisory lock on the batch for as long as it runs. The server
  drops it the moment the run's connection ends, however the process died, on whichever host: a batch that
  says ``running`` while nobody holds its lock was left by a dead run;
- on SQLite (one machine) the owner is ``host:pid:start time``; the run is dead when that process is gone
  (or, for an owner on another host, when it has not committed a chunk for ``LEASE``).

Each chunk's commit updates the batch only ``WHERE owner =`` the run's token (a fencing token): a run that
lost its batch to another (its connection dropped and a re-run took over) fails its chunk instead of writing
counters twice. Chunks of batches of the same source unit and item take a transaction-level advisory lock on
PostgreSQL, so two batches loading the same records (the same file uploaded twice) commit one after the other
instead of one failing on a unique index, while other units' and items' batches load alongside; subjects a
chunk registers are locked by their code (``subjects_lock``). SQLite serializes writers by itself.

A batch left ``running`` by a dead run is marked failed (``ingest.run_interrupted``) when it is next read —
the batch page, the API, ``gongxin ingest status`` — and resumes after its committed rows when run again.
"""

from __future__ import annotations

import json
import os
import socket
import zlib
from collections.abc import Iterable
from datetime import timedelta

from django.db import connection
from django.utils.translation import gettext_lazy as _

from gongxin.core import clock
from gongxin.ingest.choices import BatchStatus
from gongxin.ingest.errors import BatchRunning
from gongxin.ingest.models import Batch

# Advisory lock keys (two int4): the namespace of the platform's ingest runs, then the batch id (0: chunks).
_LOCK_RUN = 0x47580131
_LOCK_CHUNK = 0x47580132
_LOCK_SUBJECT = 0x47580133
# An owner on another host (SQLite on shared storage, or a lock the server could not be asked about) is dead
# when it has not committed a chunk for this long.
LEASE = timedelta(minutes=15)
INTERRUPTED_CODE = "ingest.run_interrupted"


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), so that a reused pid is not mistaken for it."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def run_token() -> str:
    """This process as a batch's owner: host, pid and start time (computed per call: a fork changes the pid)."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_time(pid)}"


def owner_describe(owner: str) -> dict[str, str]:
    host, _sep, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    return {"host": host, "pid": pid}


def _process_alive(owner: str) -> bool | None:
    """True/False for an owner on this host; None when it runs elsewhere (this host cannot tell)."""
    host, _sep, rest = owner.partition(":")
    if host != socket.gethostname():
        return None
    pid_text, _sep, started = rest.partition(":")
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        pass
    return not started or _start_time(pid) == started


def _advisory(sql: str, *params: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        row = cursor.fetchone()
    return bool(row[0]) if row else True


def owner_alive(*, batch: Batch) -> bool:
    """Is the run that marked this batch ``running`` still alive?"""
    if batch.status != BatchStatus.RUNNING:
        return False
    if not batch.owner:
        return False
    if batch.owner == run_token():
        return True
    if connection.vendor == "postgresql":
        if _advisory("SELECT pg_try_advisory_lock(%s, %s)", _LOCK_RUN, batch.pk):
            _advisory("SELECT pg_advisory_unlock(%s, %s)", _LOCK_RUN, batch.pk)
            return False
        return True
    alive = _process_alive(batch.owner)
    if alive is not None:
        return alive
    return batch.heartbeat_at is not None and batch.heartbeat_at > clock.now() - LEASE


def batch_claim(*, batch: Batch) -> str | None:
    """Make this process the batch's one run; its token, or None when the batch is done already.

    Raises ``BatchRunning`` when a live run has it."""
    token = run_token()
    locked = False
    if connection.vendor == "postgresql":
        if not _advisory("SELECT pg_try_advisory_lock(%s, %s)", _LOCK_RUN, batch.pk):
            batch.refresh_from_db()
            raise _running(batch)
        locked = True
    try:
        seen = Batch.objects.only("status", "owner", "heartbeat_at").get(pk=batch.pk)
        if seen.status == BatchStatus.DONE:
            _release_lock(batch.pk, locked)
            return None
        if not locked and seen.status == BatchStatus.RUNNING and owner_alive(batch=seen):
            raise _running(seen)
        now = clock.now()
        claimed = Batch.objects.filter(pk=batch.pk, status=seen.status, owner=seen.owner).update(
            status=BatchStatus.RUNNING, owner=token, heartbeat_at=now, failure="", finished_at=None,
        )
        if not claimed:  # another run claimed it between the read and the update
            raise _running(Batch.objects.get(pk=batch.pk))
    except BaseException:
        _release_lock(batch.pk, locked)
        raise
    batch.status, batch.owner, batch.heartbeat_at, batch.failure = BatchStatus.RUNNING, token, now, ""
    return token


def batch_release(*, batch_id: int) -> None:
    """The run has ended (done, failed or refused): let go of the batch's lock (PostgreSQL)."""
    _release_lock(batch_id, connection.vendor == "postgresql")


def _release_lock(batch_id: int, locked: bool) -> None:
    if locked:
        try:
            _advisory("SELECT pg_advisory_unlock(%s, %s)", _LOCK_RUN, batch_id)
        except Exception:  # a broken connection has dropped the lock with its session already
            return


def _key(text: str) -> int:
    """A text as an advisory lock's int4 key (a collision only makes two chunks wait for each other)."""
    return zlib.crc32(text.encode("utf-8")) - (1 << 31)


def chunk_lock(*, source_unit_id: int, item_id: int) -> None:
    """Inside a chunk's transaction (PostgreSQL): chunks of batches of the same source unit and item commit one
    after the other — they write the same records —, chunks of other units' or items' batches run alongside
    (decision 058)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)",
                           [_LOCK_CHUNK, _key(f"{source_unit_id}:{item_id}")])


def subjects_lock(keys: Iterable[tuple[str, str]]) -> None:
    """Inside a chunk's transaction (PostgreSQL), before registering subjects it did not find: one lock per
    (scheme, code), taken in one order, held to the commit. Two chunks that register the same new subject (two
    units' batches naming one new firm) then register it once: the second waits for the first's commit, and
    the registration's own lookup sees the subject committed (decision 058)."""
    if connection.vendor != "postgresql":
        return
    numbers = sorted({_key(f"{scheme}:{value}") for scheme, value in keys})
    if numbers:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, k) FROM unnest(%s::int[]) AS k", [_LOCK_SUBJECT, numbers])
            cursor.fetchall()


def _running(batch: Batch) -> BatchRunning:
    owner = owner_describe(batch.owner)
    return BatchRunning(details={"batch": batch.pk, "rows_done": batch.rows_done, "host": owner["host"],
                                 "pid": owner["pid"],
                                 "last_progress": batch.heartbeat_at.isoformat() if batch.heartbeat_at else None})


def batch_interrupted_mark(*, batch: Batch) -> bool:
    """A batch left ``running`` by a dead run becomes ``failed`` (resumable); True when it was."""
    if batch.status != BatchStatus.RUNNING or owner_alive(batch=batch):
        return False
    failure = json.dumps({"code": INTERRUPTED_CODE, "message": str(INTERRUPTED_MESSAGE),
                          "details": {"rows_done": batch.rows_done, **owner_describe(batch.owner)}},
                         ensure_ascii=False)
    now = clock.now()
    marked = Batch.objects.filter(pk=batch.pk, status=BatchStatus.RUNNING, owner=batch.owner).update(
        status=BatchStatus.FAILED, failure=failure, finished_at=now)
    if marked:
        batch.status, batch.failure, batch.finished_at = BatchStatus.FAILED, failure, now
    return bool(marked)


INTERRUPTED_MESSAGE = _("The run loading this batch stopped (its process ended) before the end of the file; "
                        "running the batch again resumes it after the rows already loaded.")
