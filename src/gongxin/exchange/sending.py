"""Sending: packages built from the record-version stream by cursor, delivered to a peer, acknowledged by receipt.

Per subscription (a peer, a local catalog item mapped to a national item) there is one cursor and at most one
outstanding package (decision 068):

1. *Build* — in one transaction the cursor row is locked, the next chunk is read set-based (``exchange.stream``: a
   package per ``chunk_size`` versions, in commit order — a chunk ends before a version id that a running
   transaction may still commit, decision 076), the package is built and signed (``exchange.packages``), and its
   bytes, GUID, sequence and the stream position it reaches are stored on the cursor (with the ``Package`` row of
   direction *sent*) — *before* anything leaves the node.
2. *Deliver* — the stored bytes are pushed to the peer's service (``POST …/api/v1/exchange/packages``) or written
   to its exchange directory (file interface; the receipt comes back as a file). A crash anywhere before the
   receipt is stored leaves the package outstanding: the next run sends the *same* bytes and GUID, and the receiver
   answers "duplicate" instead of applying it twice.
3. *Acknowledge* — only a receipt that says applied (fully, partly — rejected rows are the sender's to correct — or
   already, as a duplicate) moves the cursor to the package's position and frees the slot for the next package. A
   refused or held package stays outstanding, with the reason, and is retried.

A peer that does not answer is retried with exponential backoff (``BACKOFF_BASE`` × 2^attempts, at most
``BACKOFF_MAX``); nothing after the outstanding package is sent meanwhile, so packages of an item apply in order.

Full snapshots (mode *full*) are sent on the subscription's schedule once the incremental stream has caught up (and
stops at no hole): a snapshot is taken as of the cursor's position — every version id up to it is settled —, every
record in force streamed into one package (record id order, read in chunks), in the same sequence as the
incremental packages; the receiver compares it with what it holds from this sender (ingest's snapshot mode,
decision 057). The incremental stream resumes after it.

Outstanding packages are files under ``<data dir>/exchange/outgoing/``, removed once acknowledged.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from gongxin.core import clock
from gongxin.exchange import stream
from gongxin.exchange.choices import PackageDirection, PackageMode, PackageStatus
from gongxin.exchange.models import Package, Peer, Receipt
from gongxin.exchange.packages import package_write
from gongxin.exchange.sending_models import SendingCursor, SnapshotSchedule, Subscription

log = logging.getLogger(__name__)

BACKOFF_BASE = 5.0  # seconds after the first failure; doubles with each further one
BACKOFF_MAX = 3600.0
DELIVER_TIMEOUT = 120.0  # seconds the peer may take to apply a package and answer with its receipt
ACKNOWLEDGING = frozenset({"applied", "partial", "duplicate"})
# A package built ahead that no cursor took (the sender stopped, or crashed) is removed this long after.
AHEAD_KEEP_SECONDS = 3600.0
UNREACHABLE = "unreachable"  # how a failed delivery's last error begins (the audit page says it in words)


@dataclass
class SendOutcome:
    """What one run did for one subscription."""

    subscription_id: int
    item_code: str
    packages: int = 0
    records: int = 0
    state: str = "caught_up"  # caught_up | settling | outstanding | retrying | refused | waiting
    error: str = ""
    receipts: list[dict[str, Any]] = field(default_factory=list)


class DeliveryFailed(Exception):
    """The peer did not answer (down, unreachable, timed out, a 5xx); the package stays outstanding."""


# --- subscriptions ---------------------------------------------------------------------------------------------

def subscription_add(*, peer: Peer, item: Any, national_item_code: str, field_mapping: dict[str, str] | None = None,
                     chunk_size: int = 1000, snapshot_every_days: int | None = 7,
                     start_at_current: bool = False) -> Subscription:
    """``peer`` receives ``item`` from this node under ``national_item_code`` (re-running updates it). With
    ``start_at_current`` the peer gets only what changes from now on (the first full snapshot brings the rest)."""
    now = clock.now()
    start = 0
    if start_at_current and not SendingCursor.objects.filter(subscription__peer=peer,
                                                             subscription__catalog_item=item).exists():
        start = stream.stream_start_position(item=item)  # waits for the writers that may hold a lower id
    with transaction.atomic():
        subscription, _created = Subscription.objects.update_or_create(
            peer=peer, catalog_item=item,
            defaults={"national_item_code": national_item_code, "field_mapping": dict(field_mapping or {}),
                      "chunk_size": max(1, int(chunk_size)), "is_active": True},
            create_defaults={"national_item_code": national_item_code, "field_mapping": dict(field_mapping or {}),
                             "chunk_size": max(1, int(chunk_size)), "is_active": True, "created_at": now},
        )
        SendingCursor.objects.get_or_create(subscription=subscription, defaults={"position": start})
        if snapshot_every_days:
            SnapshotSchedule.objects.update_or_create(
                subscription=subscription, defaults={"every_days": snapshot_every_days},
                create_defaults={"every_days": snapshot_every_days,
                                 "next_due_at": now + timedelta(days=snapshot_every_days)})
        else:
            SnapshotSchedule.objects.filter(subscription=subscription).delete()
    return subscription


def snapshot_request(*, subscription: Subscription, at: datetime | None = None) -> SnapshotSchedule:
    """A full snapshot is due now (or at ``at``): the next run sends it once the incremental stream caught up."""
    schedule, _created = SnapshotSchedule.objects.get_or_create(
        subscription=subscription, defaults={"next_due_at": at or clock.now()})
    schedule.next_due_at = at or clock.now()
    schedule.save(update_fields=["next_due_at"])
    return schedule


# --- building ----------------------------------------------------------------------------------------------------

def outgoing_dir() -> Path:
    return Path(settings.DATA_DIR) / "exchange" / "outgoing"


def _package_file_write(*, subscription: Subscription, mode: str, sequence: int, records: Iterable[dict[str, Any]],
                        folder: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """Stream a signed package into its file (synced to disk before the cursor names it); the path and header."""
    folder = folder or outgoing_dir()
    folder.mkdir(parents=True, exist_ok=True)
    guid = uuid.uuid4()
    path = folder / f"{guid}.gxp"
    with open(path, "wb") as handle:
        header = package_write(handle, receiver=subscription.peer.code, item_code=subscription.national_item_code,
                               local_item_code=subscription.catalog_item.code, mode=mode, sequence=sequence,
                               records=records, guid=guid)
        handle.flush()
        os.fsync(handle.fileno())
    return path, header


def _snapshot_due(subscription: Subscription, now: datetime) -> SnapshotSchedule | None:
    schedule = SnapshotSchedule.objects.select_for_update().filter(subscription=subscription).first()
    return schedule if schedule is not None and schedule.next_due_at <= now else None


def package_next(*, subscription: Subscription, prepared: Prepared | None = None) -> SendingCursor:
    """The subscription's outstanding package, built and stored if there is none and the stream has more (the
    cursor row is locked while it is built). Returns the cursor; ``pending_guid`` empty: nothing to send.
    ``prepared``: the package built ahead while the previous one was delivered (``package_prepare``); it becomes
    the outstanding one when it starts where the cursor now stands, else its file is removed."""
    now = clock.now()
    item, mapping = subscription.catalog_item, subscription.field_mapping or {}
    with transaction.atomic():
        cursor = SendingCursor.objects.select_for_update().get(subscription=subscription)
        if prepared is not None:
            if prepared.fits(cursor):
                path = outgoing_dir() / prepared.path.name  # out of the folder whose leftovers are removed
                os.replace(prepared.path, path)
                prepared.adopted = True
                _pending_store(subscription, cursor, now, mode=PackageMode.INCREMENTAL, path=path,
                               header=prepared.header, chunk=prepared.chunk)
            else:
                prepared.discard()
        while not cursor.pending_guid:
            chunk = stream.versions_after(item=item, position=cursor.position, limit=subscription.chunk_size,
                                          mapping=mapping, hole_seen_at=cursor.hole_seen_at)
            caught_up = chunk.read == 0 and chunk.position == cursor.position and chunk.hole_seen_at is None
            schedule = _snapshot_due(subscription, now) if caught_up else None
            if schedule is not None:
                # Caught up and a snapshot is due: every record in force as of the cursor's position, one package.
                mode: str = PackageMode.FULL
                records: Iterable[dict[str, Any]] = stream.snapshot_records(item=item, upto=cursor.position,
                                                                            mapping=mapping)
                schedule.last_taken_at = now
                schedule.next_due_at = now + timedelta(days=schedule.every_days)
                schedule.save(update_fields=["last_taken_at", "next_due_at"])
            elif not chunk.records:
                # Nothing to send in this stretch — only local changes, or a hole a running transaction may still
                # fill (decision 076) —: move past what was read and remember the hole.
                moved = chunk.position != cursor.position
                if moved or chunk.hole_seen_at != cursor.hole_seen_at:
                    cursor.position, cursor.hole_seen_at = chunk.position, chunk.hole_seen_at
                    cursor.save(update_fields=["position", "hole_seen_at"])
                if not moved or chunk.hole_seen_at is not None:
                    break
                continue
            else:
                mode, records = PackageMode.INCREMENTAL, chunk.records
            path, header = _package_file_write(subscription=subscription, mode=mode, sequence=cursor.sequence + 1,
                                               records=records)
            _pending_store(subscription, cursor, now, mode=mode, path=path, header=header, chunk=chunk)
        return cursor


def _pending_store(subscription: Subscription, cursor: SendingCursor, now: datetime, *, mode: str, path: Path,
                   header: dict[str, Any], chunk: stream.Chunk) -> None:
    """The built package becomes the cursor's outstanding one, with its ``Package`` row (cursor row locked)."""
    sequence = int(header["sequence"])
    cursor.sequence = sequence
    cursor.pending_guid, cursor.pending_sequence, cursor.pending_mode = header["guid"], sequence, mode
    cursor.pending_position = chunk.position
    cursor.hole_seen_at = chunk.hole_seen_at  # the hole after the pending position, if the chunk stopped at one
    cursor.pending_records = int(header["record_count"])
    cursor.pending_file = str(path)
    cursor.pending_built_at = now
    cursor.pending_newest_created_at = chunk.newest_created_at
    cursor.attempts, cursor.next_attempt_at, cursor.last_error = 0, None, ""
    cursor.save()
    Package.objects.create(
        guid=uuid.UUID(header["guid"]), direction=PackageDirection.SENT, peer=subscription.peer,
        sender_code=header["sender"], receiver_code=subscription.peer.code,
        item_code=subscription.national_item_code, local_item_code=subscription.catalog_item.code, mode=mode,
        sequence=sequence, record_count=cursor.pending_records, content_hash=header["body_sha256"], header=header,
        created_at=now, status=PackageStatus.BUILT, file_path=str(path))


# --- building ahead ------------------------------------------------------------------------------------------------

@dataclass
class Prepared:
    """The incremental package after the outstanding one, built (read, sealed, signed, written) while that one is
    delivered and applied; nothing about it is stored until ``package_next`` makes it the outstanding package."""

    start: int  # the stream position it reads after: the outstanding package's position once applied
    hole_seen_at: datetime | None  # the cursor's, when it was read
    path: Path
    header: dict[str, Any]
    chunk: stream.Chunk  # its position and times (the records are in the file)
    adopted: bool = False

    @property
    def sequence(self) -> int:
        return int(self.header["sequence"])

    def fits(self, cursor: SendingCursor) -> bool:
        """It follows what the cursor has acknowledged, as the cursor stands now: nothing is outstanding, the
        cursor reached the position the package reads after, and no package was built since it was read."""
        return (not cursor.pending_guid and cursor.position == self.start and cursor.sequence + 1 == self.sequence
                and cursor.hole_seen_at == self.hole_seen_at)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def package_prepare(*, subscription: Subscription, cursor: SendingCursor) -> Prepared | None:
    """Build the incremental package that follows the cursor's outstanding one (read after its position, with the
    next sequence), without storing anything: ``None`` when there is nothing after it yet or the outstanding one is
    no incremental package. A versions range read now stays valid: the stream reads only settled ids (decision 076),
    so nothing can appear before its end later; a package prepared for a cursor that has moved otherwise is
    discarded by ``package_next``. Reads the cursor's fields once, at the start."""
    start, sequence, hole_seen_at = cursor.pending_position, cursor.sequence + 1, cursor.hole_seen_at
    if not cursor.pending_guid or cursor.pending_mode != PackageMode.INCREMENTAL or start is None:
        return None
    chunk = stream.versions_after(item=subscription.catalog_item, position=start, limit=subscription.chunk_size,
                                  mapping=subscription.field_mapping or {}, hole_seen_at=hole_seen_at)
    if not chunk.records:
        return None  # caught up, only local changes, or a hole: the next run decides as it always does
    path, header = _package_file_write(subscription=subscription, mode=PackageMode.INCREMENTAL, sequence=sequence,
                                       records=chunk.records, folder=ahead_dir())
    chunk.records = []
    return Prepared(start=start, hole_seen_at=hole_seen_at, path=path, header=header, chunk=chunk)


def ahead_dir() -> Path:
    """Packages built ahead and not yet outstanding; one left by a crash is removed after ``AHEAD_KEEP_SECONDS``."""
    return outgoing_dir() / "ahead"


class _BuildAhead:
    """``package_prepare`` in a thread of its own (its own database connection) while the caller delivers."""

    def __init__(self, subscription: Subscription, cursor: SendingCursor) -> None:
        self._prepared: Prepared | None = None
        # A copy: the caller's cursor object changes when the receipt arrives.
        cursor = SendingCursor(**{f.attname: getattr(cursor, f.attname) for f in SendingCursor._meta.concrete_fields})
        self._thread = threading.Thread(target=self._run, args=(subscription, cursor), daemon=True,
                                        name="exchange-build-ahead")
        self._thread.start()

    def _run(self, subscription: Subscription, cursor: SendingCursor) -> None:
        try:
            self._prepared = package_prepare(subscription=subscription, cursor=cursor)
        except Exception:  # the next package is then built as usual, after the receipt
            log.exception("exchange: building the package after %s ahead failed", cursor.pending_guid)
        finally:
            connection.close()

    def result(self) -> Prepared | None:
        self._thread.join()
        return self._prepared


def _build_ahead_on() -> bool:
    """On PostgreSQL, unless turned off: SQLite serializes its writers and holds the embedded single-office
    default, where a second connection reading while the first writes gains nothing."""
    return connection.vendor == "postgresql" and bool(getattr(settings, "GONGXIN_EXCHANGE_BUILD_AHEAD", True))


def _ahead_files_clean() -> None:
    folder = ahead_dir()
    if not folder.is_dir():
        return
    cutoff = time.time() - AHEAD_KEEP_SECONDS
    for path in folder.glob("*.gxp"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < cutoff:
                path.unlink()


# --- delivering ----------------------------------------------------------------------------------------------------

def _deliver_service(peer: Peer, path: Path) -> dict[str, Any]:
    import requests

    from gongxin.exchange.pulling import PACKAGES_PATH, request_sign

    url = peer.service_url.rstrip("/") + PACKAGES_PATH
    length = path.stat().st_size
    # The request is signed over its body's length: the peer checks who pushes before it reads a byte.
    headers = {"Content-Type": "application/octet-stream", "Content-Length": str(length),
               **request_sign(method="POST", path_with_query=PACKAGES_PATH, length=length)}
    try:
        with open(path, "rb") as body:  # streamed: a snapshot package may be large
            response = requests.post(url, data=body, timeout=DELIVER_TIMEOUT, headers=headers)
    except requests.RequestException as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
    if response.status_code >= 500:
        raise DeliveryFailed(f"HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError as exc:
        raise DeliveryFailed(f"HTTP {response.status_code}: not a receipt") from exc
    # A refusal comes in the API's error shape, the signed receipt in its details.
    receipt = (body.get("details") or {}).get("receipt") if isinstance(body.get("details"), dict) else None
    return dict(receipt if isinstance(receipt, dict) else body)


def outgoing_file_name(*, sender: str, item_code: str, sequence: int, guid: str) -> str:
    return f"{sender}_{item_code}_{sequence:012d}_{guid}.gxp"


def _deliver_file(peer: Peer, path: Path, *, sender: str, item_code: str, sequence: int, guid: str) -> None:
    """Into the peer's exchange directory, atomically (a reader never sees half a file); re-writing is harmless."""
    inbox = Path(peer.directory) / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    name = outgoing_file_name(sender=sender, item_code=item_code, sequence=sequence, guid=guid)
    temporary = inbox / f".{name}.part"
    shutil.copyfile(path, temporary)
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    temporary.replace(inbox / name)


def _receipt_of_file(peer: Peer, guid: str) -> dict[str, Any] | None:
    path = Path(peer.directory) / "receipts" / f"{guid}.json"
    if not path.exists():
        return None
    return dict(json.loads(path.read_text("utf-8")))


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_MAX, BACKOFF_BASE * (2 ** max(0, attempts - 1))))


def _receipt_status(receipt: dict[str, Any]) -> str:
    document = receipt.get("document", receipt)
    return str(document.get("status") or document.get("outcome") or "")


def acknowledge(cursor: SendingCursor, receipt: dict[str, Any], now: datetime, *, verified: bool | None = None
                ) -> str:
    """Store the receipt; move the cursor when it says applied. Returns the receipt's status. A receipt that comes
    from the peer (file or response body) must carry its signature (``exchange.services.receipt_verify``) and name
    the outstanding package; one that does not is no receipt (the package stays outstanding, with the reason)."""
    if verified is None:
        from gongxin.exchange.services import receipt_verify

        document = receipt.get("document")
        verified = receipt_verify(receipt) and isinstance(document, dict) and str(
            document.get("package_guid") or "") == cursor.pending_guid
        if not verified:
            receipt = {"document": {"status": "unverified", "code": "exchange.receipt_unverified",
                                    "message": str(_("The answer is not a receipt signed by the peer for this "
                                                     "package."))}}
    status = _receipt_status(receipt)
    guid = cursor.pending_guid
    document = receipt.get("document", receipt)
    with transaction.atomic():
        locked = SendingCursor.objects.select_for_update().get(pk=cursor.pk)
        if locked.pending_guid != guid:  # another sender acknowledged it meanwhile
            return status
        Receipt.objects.update_or_create(
            direction=PackageDirection.SENT, package_guid=uuid.UUID(guid),
            defaults={"status": status, "document": document, "signature": str(receipt.get("signature", "")),
                      "key_id": str(receipt.get("key_id", "")), "issued_at": now,
                      "verified": bool(verified)})
        package = Package.objects.filter(direction=PackageDirection.SENT, guid=uuid.UUID(guid))
        counts = document.get("counts") or {}
        if status in ACKNOWLEDGING:
            package.update(status=PackageStatus.ACKNOWLEDGED, applied_at=now,
                           applied=int(counts.get("applied", 0) or 0),
                           duplicates=int(counts.get("duplicates", 0) or 0),
                           rejected=int(counts.get("rejected", 0) or 0))
            locked.position = max(locked.position, locked.pending_position or 0)
            locked.applied_version_created_at = locked.pending_newest_created_at or locked.applied_version_created_at
            locked.pending_guid, locked.pending_sequence, locked.pending_mode = "", None, ""
            finished_file = locked.pending_file
            locked.pending_position, locked.pending_records, locked.pending_file = None, 0, ""
            locked.pending_built_at, locked.pending_newest_created_at = None, None
            locked.attempts, locked.next_attempt_at, locked.last_error = 0, None, ""
            locked.last_applied_at = now
        else:
            package.update(error_code=str(document.get("code", "") or status)[:60],
                           error_message=str(document.get("message", "") or ""))
            locked.attempts += 1
            locked.next_attempt_at = now + _backoff(locked.attempts)
            locked.last_error = f"{status}: {document.get('message') or document.get('code') or ''}".strip()
        locked.save()
        if status in ACKNOWLEDGING:
            transaction.on_commit(lambda: Path(finished_file).unlink(missing_ok=True))
        cursor.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return status


def _deliver(subscription: Subscription, cursor: SendingCursor, outcome: SendOutcome, now: datetime) -> bool:
    """Send the outstanding package once; True when the cursor moved (the next package may follow)."""
    from gongxin.exchange.keys import local_node

    peer = subscription.peer
    path = Path(cursor.pending_file)
    try:
        if peer.service_url:
            receipt: dict[str, Any] | None = _deliver_service(peer, path)
        else:
            receipt = _receipt_of_file(peer, cursor.pending_guid)
            if receipt is None:
                _deliver_file(peer, path, sender=local_node().code, item_code=subscription.national_item_code,
                              sequence=cursor.pending_sequence or 0, guid=cursor.pending_guid)
    except (DeliveryFailed, OSError) as exc:
        with transaction.atomic():
            locked = SendingCursor.objects.select_for_update().get(pk=cursor.pk)
            locked.attempts += 1
            locked.next_attempt_at = now + _backoff(locked.attempts)
            locked.last_error = f"{UNREACHABLE}: {exc}"[:2000]
            locked.save(update_fields=["attempts", "next_attempt_at", "last_error"])
        outcome.state, outcome.error = "retrying", str(exc)
        log.warning("exchange: %s did not take package %s: %s", peer.code, cursor.pending_guid, exc)
        return False
    SendingCursor.objects.filter(pk=cursor.pk).update(last_sent_at=now)
    Package.objects.filter(direction=PackageDirection.SENT, guid=uuid.UUID(cursor.pending_guid),
                           status=PackageStatus.BUILT).update(status=PackageStatus.DELIVERED, received_at=now,
                                                              via="service" if peer.service_url else "file")
    if receipt is None:
        outcome.state = "waiting"  # file interface: the receipt comes back as a file
        return False
    records = cursor.pending_records
    status = acknowledge(cursor, receipt, now)
    outcome.receipts.append({"status": status, **{k: receipt.get(k) for k in ("code", "message") if k in receipt}})
    if status in ACKNOWLEDGING:
        outcome.packages += 1
        outcome.records += records
        return True
    outcome.state, outcome.error = ("refused" if status == "refused" else "outstanding"), cursor.last_error
    return False


def subscription_send(*, subscription: Subscription, max_packages: int | None = None,
                      force: bool = False) -> SendOutcome:
    """Send the subscription's due packages until it has caught up, a package is not acknowledged, or
    ``max_packages`` were acknowledged. ``force`` ignores the backoff's next attempt time. While a package is
    delivered (the peer applies it before it answers), the next one is built ahead in a thread (PostgreSQL): the
    two sides work at once instead of taking turns."""
    outcome = SendOutcome(subscription_id=subscription.pk, item_code=subscription.national_item_code)
    prepared: Prepared | None = None
    try:
        while max_packages is None or outcome.packages < max_packages:
            now = clock.now()
            cursor = package_next(subscription=subscription, prepared=prepared)
            prepared = None
            if not cursor.pending_guid:
                # settling: stopped at a version id a running transaction may still commit (decision 076)
                outcome.state = "settling" if cursor.hole_seen_at is not None else "caught_up"
                return outcome
            if not force and cursor.next_attempt_at is not None and cursor.next_attempt_at > now:
                outcome.state, outcome.error = "retrying", cursor.last_error
                return outcome
            more = max_packages is None or outcome.packages + 1 < max_packages
            ahead = _BuildAhead(subscription, cursor) if more and _build_ahead_on() and subscription.peer.service_url \
                else None
            try:
                delivered = _deliver(subscription, cursor, outcome, now)
            finally:
                prepared = ahead.result() if ahead is not None else None
            if not delivered:
                return outcome
        outcome.state = "outstanding"
        return outcome
    finally:
        if prepared is not None and not prepared.adopted:
            prepared.discard()


def packages_send(*, peer: Peer, max_packages: int | None = None, force: bool = False) -> list[SendOutcome]:
    """Send everything due to ``peer``, item by item (set-based reads, a package per chunk)."""
    subscriptions = (Subscription.objects.filter(peer=peer, is_active=True).select_related("peer", "catalog_item")
                     .order_by("pk"))
    _ahead_files_clean()
    return [subscription_send(subscription=s, max_packages=max_packages, force=force) for s in subscriptions]


def receipts_collect(*, peer: Peer) -> int:
    """File interface: acknowledge the outstanding packages whose receipts the peer has written back."""
    if peer.service_url or not peer.directory:
        return 0
    done = 0
    for cursor in SendingCursor.objects.filter(subscription__peer=peer).exclude(pending_guid=""):
        receipt = _receipt_of_file(peer, cursor.pending_guid)
        if receipt is not None and acknowledge(cursor, receipt, clock.now()) in ACKNOWLEDGING:
            done += 1
    return done
