"""The receiving side: a data package arrives (file, push or pull), is verified, applied once and in order, and
answered with a signed receipt (docs/exchange.md "Receipts" and "Applying", decision 067).

``package_receive(*, data, via)``:

1. **Verify** (``exchange.packages.package_open``): a package that is unsigned, tampered, badly signed, from an
   unregistered node or for another node is refused; the receipt names the code and says why in words.
2. **Once**: a package is known by its GUID. The same GUID again returns the receipt already issued (a package
   still being applied is resumed first); nothing is applied twice.
3. **In order**: the packages of one (sender, item) apply by their sequence number, 1, 2, 3 … A package whose
   predecessor is not applied yet is *held* (stored, receipt "held") and applied as soon as it is; a package whose
   sequence number is taken by another GUID is refused.
4. **Apply** through ingest's batches (resumable by chunks): the records are written as a JSON-lines file of
   the fields of the catalog item the receiving mapping names (``exchange.mappings``: the body's field names
   renamed national → local; ``source_record_id``, ``revoked``), one batch per source unit:

   - from a downstream peer (upward: a district to the city), the source unit of that peer;
   - from an upstream peer (downward: national and provincial lists), the source unit of each issuing body named in
     the body (a court, a ministry), created on first use and marked external (``ExternalSourceUnit``).

   Every version written carries the actor label ``exchange:<sender code>:<package GUID>`` — the provenance (node
   and package) of the record, shown to people as the platform's. Subjects unknown here are registered by ingest
   (needing enrichment) and marked ``ExchangedSubject`` with the node and the package. A revocation ends the record
   (and its list entry). Killed midway, ``packages_resume`` (or the same package again) finishes the batch from
   its last committed chunk; the package is marked applied once, with its receipt.
5. **Receipt**: per record, applied, duplicate (already held unchanged) or rejected with the reason in words and a
   code; the receipt lists the records that are not applied and counts all, and is signed by this node.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import uuid
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongxin.accounts.choices import Role
from gongxin.accounts.models import Department
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.choices import FieldType
from gongxin.catalog.models import CatalogItem, SourceUnit
from gongxin.core import clock
from gongxin.core.errors import GongxinError
from gongxin.core.signing import canonical_json
from gongxin.exchange.choices import PackageDirection, PackageStatus, PeerDirection
from gongxin.exchange.errors import (
    PackageMalformed,
    PackageNotApplied,
    PackageNotFromPusher,
    PackageRefused,
    PackageSequenceReused,
    PackageUnknownItem,
)
from gongxin.exchange.keys import NodeIdentity, b64, local_node, unb64
from gongxin.exchange.mappings import ReceivingTarget, receiving_target
from gongxin.exchange.models import ExchangedSubject, ExternalSourceUnit, Package, Peer, Receipt
from gongxin.exchange.packages import OpenedPackage, header_peek, package_open
from gongxin.ingest.choices import BatchStatus, IssueLevel
from gongxin.ingest.errors import BatchRunning
from gongxin.ingest.locking import owner_alive
from gongxin.ingest.models import Batch, BatchIssue
from gongxin.ingest.services import batch_for_file, batch_run, batch_snapshot_confirm
from gongxin.records.models import Record

logger = logging.getLogger(__name__)

RECEIPT_FORMAT = "gongxin-exchange-receipt"
RECEIPT_VERSION = 1
ACTOR_PREFIX = "exchange:"
OUTCOME_LOOKUP_CHUNK = 5000
# A package's rows are applied in ingest chunks of this many: a package of a few thousand records is then several
# chunks, and the ingest's reader process checks the next chunk while this process writes the last one.
APPLY_CHUNK_SIZE = 1000
_TEN_THOUSAND = Decimal(10000)
# Receipt statuses: the package is applied fully, partly (some records rejected), held (waiting for an earlier
# package, or a full snapshot held for the credit office's review) or refused as a whole.
APPLIED, PARTIAL, HELD, REFUSED = "applied", "partial", "held", "refused"
# Refusals that mean the sender is not authenticated (the push answers them 401); only the others are stored.
UNAUTHENTICATED = frozenset({"exchange.package_malformed", "exchange.package_unsupported_version",
                             "exchange.package_unsigned", "exchange.package_bad_signature",
                             "exchange.package_unknown_sender", "exchange.package_not_from_pusher"})

__all__ = ["ACTOR_PREFIX", "package_receive", "packages_resume", "receipt_for_peer", "receipt_verify", "receipt_wire"]


def exchange_dir(*parts: str) -> Path:
    """``<data dir>/exchange/<parts>``, created owner-only (received packages and apply files hold personal data)."""
    path = Path(settings.DATA_DIR, "exchange", *parts)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def provenance_label(*, sender: str, guid: uuid.UUID | str) -> str:
    """The actor label of everything a received package writes: its node and its GUID."""
    return f"{ACTOR_PREFIX}{sender}:{guid}"


def provenance_of(label: str) -> tuple[str, str] | None:
    """(node code, package GUID) of a version's actor label written by the exchange, else None."""
    if not label.startswith(ACTOR_PREFIX):
        return None
    node, _sep, guid = label.removeprefix(ACTOR_PREFIX).partition(":")
    return (node, guid) if node and guid else None


# --- receipts ----------------------------------------------------------------------------------------------------

def _both(message: Any) -> tuple[str, str]:
    """A message (lazy, or a function formatting one) in Chinese and in English."""
    with translation.override("zh-hans"):
        zh = str(message() if callable(message) else message)
    with translation.override("en"):
        en = str(message() if callable(message) else message)
    return zh, en


def _receipt_document(*, guid: str | None, sender: str, node: NodeIdentity, status: str, counts: dict[str, int],
                      outcomes: list[dict[str, Any]] | None = None, code: str = "", message: Any = "",
                      sequence: int | None = None, item_code: str = "") -> dict[str, Any]:
    zh, en = _both(message) if message else ("", "")
    return {
        "format": RECEIPT_FORMAT, "version": RECEIPT_VERSION, "package_guid": guid, "sender": sender,
        "receiver": node.code, "item_code": item_code, "sequence": sequence, "status": status, "code": code,
        "message": zh, "message_en": en, "counts": counts, "outcomes": outcomes or [],
        "issued_at": clock.local().isoformat(timespec="seconds"),
    }


def _receipt_signed(document: dict[str, Any], node: NodeIdentity) -> Receipt:
    pair = node.current
    # A package without a readable GUID gets a receipt that is returned, never stored (no GUID to store it by).
    guid: Any = uuid.UUID(document["package_guid"]) if document.get("package_guid") else None
    return Receipt(package_guid=guid,
                   direction=PackageDirection.RECEIVED, status=document["status"], document=document,
                   signature=b64(pair.signing.sign(canonical_json(document))), key_id=pair.key_id,
                   issued_at=clock.now(), verified=True)


def _receipt_store(receipt: Receipt) -> Receipt:
    stored, _created = Receipt.objects.update_or_create(
        direction=PackageDirection.RECEIVED, package_guid=receipt.package_guid,
        defaults={"status": receipt.status, "document": receipt.document, "signature": receipt.signature,
                  "key_id": receipt.key_id, "issued_at": receipt.issued_at, "verified": True})
    return stored


def receipt_wire(receipt: Receipt) -> dict[str, Any]:
    """A receipt as it travels (file or response body): the signed document, the signature and its key id."""
    return {"document": receipt.document, "signature": receipt.signature, "key_id": receipt.key_id,
            "algorithm": "Ed25519"}


def receipt_verify(wire: dict[str, Any]) -> bool:
    """True when a peer's receipt is signed by a key registered for the node that issued it (its ``receiver``)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    document = wire.get("document")
    if not isinstance(document, dict):
        return False
    peer = Peer.objects.filter(code=str(document.get("receiver") or "")).first()
    key = peer.keys.filter(key_id=str(wire.get("key_id") or "")).first() if peer is not None else None
    if key is None:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(unb64(key.signing_public)).verify(
            unb64(str(wire.get("signature") or "")), canonical_json(document))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


# --- receiving ---------------------------------------------------------------------------------------------------

def package_receive(*, data: bytes | str | os.PathLike[str], via: str, node: NodeIdentity | None = None,
                    pushed_by: str | None = None) -> Receipt:
    """Receive one package (bytes or a file); its signed receipt. Never raises for a bad package: the receipt
    says why it was refused. ``pushed_by``: the node code of the peer whose signed request brought it (a push);
    a peer pushes only packages it signed itself."""
    node = node or local_node()
    try:
        opened = package_open(data, expected_receiver=node.code, node=node)
    except PackageRefused as exc:
        return _refuse(data, exc, via=via, node=node)
    if pushed_by is not None and opened.sender != pushed_by:
        opened.close()
        return _refuse(data, PackageNotFromPusher(details={"pushed_by": pushed_by}), via=via, node=node)
    try:
        return _receive_opened(opened, data, via=via, node=node)
    finally:
        opened.close()


def _int(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def _refuse(data: bytes | str | os.PathLike[str], error: PackageRefused, *, via: str, node: NodeIdentity,
            header: dict[str, Any] | None = None) -> Receipt:
    """The refusal's receipt; stored with a ``refused`` package row when a registered peer's signature holds and the
    package names a GUID that is not already applied here (a tampered copy never overwrites what was applied)."""
    header = header if header is not None else (header_peek(data) or {})
    try:
        guid: uuid.UUID | None = uuid.UUID(str(header.get("guid")))
    except ValueError:
        guid = None
    sender = str(header.get("sender") or "")[:12]
    records = _int(header.get("record_count"))
    document = _receipt_document(
        guid=str(guid) if guid else None, sender=sender, node=node, status=REFUSED, code=error.code,
        message=error.message, counts={"records": records, "applied": 0, "duplicates": 0, "rejected": records},
        sequence=_int(header.get("sequence")) if header.get("sequence") is not None else None,
        item_code=str(header.get("item_code") or "")[:60])
    receipt = _receipt_signed(document, node)
    if guid is None or error.code in UNAUTHENTICATED:
        return receipt  # nothing stored for a sender nobody vouches for (no rows written by anonymous requests)
    with transaction.atomic():
        existing = Package.objects.select_for_update().filter(direction=PackageDirection.RECEIVED, guid=guid).first()
        if existing is not None and existing.status != PackageStatus.REFUSED:
            return receipt  # not stored: the GUID's own receipt stands
        values = {
            "peer": Peer.objects.filter(code=sender).first(), "sender_code": sender,
            "receiver_code": str(header.get("receiver") or "")[:12],
            "item_code": str(header.get("item_code") or "")[:60],
            "local_item_code": str(header.get("local_item_code") or "")[:60],
            "mode": str(header.get("mode") or "")[:12], "sequence": _int(header.get("sequence")),
            "record_count": records, "content_hash": str(header.get("body_sha256") or "")[:64],
            "header": header if len(json.dumps(header, default=str)) < 20_000 else {},
            "created_at": _created_at(header), "received_at": clock.now(), "status": PackageStatus.REFUSED,
            "via": via[:10], "error_code": error.code, "error_message": _both(error.message)[0],
            "rejected": records,
        }
        Package.objects.update_or_create(direction=PackageDirection.RECEIVED, guid=guid, defaults=values)
        return _receipt_store(receipt)


def _created_at(header: dict[str, Any]) -> Any:
    from datetime import datetime

    try:
        value = datetime.fromisoformat(str(header.get("created_at")))
        return value if value.tzinfo is not None else clock.now()
    except ValueError:
        return clock.now()


def item_for_national_code(*, item_code: str, local_item_code: str = "", sender: str = "") -> CatalogItem | None:
    """The active catalog item of the current edition a national item code maps to: by the receiving mapping of
    ``sender`` or of any peer (``exchange.mappings``), else by code (the platform's item codes are the national
    catalog's), else by the sender's local code."""
    target = receiving_target(sender=sender, item_code=item_code, local_item_code=local_item_code)
    return target.item if target is not None else None


def _last_applied(*, sender: str, receiver: str, item_code: str) -> int:
    return int(Package.objects.filter(direction=PackageDirection.RECEIVED, sender_code=sender, receiver_code=receiver,
                                      item_code=item_code, status=PackageStatus.APPLIED)
               .aggregate(last=Max("sequence"))["last"] or 0)


def _stored_copy(data: bytes | str | os.PathLike[str], guid: uuid.UUID) -> Path:
    """The package kept under the data directory until it is applied (written atomically)."""
    target = exchange_dir("received") / f"{guid}.gxp"
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    if isinstance(data, bytes):
        temporary.write_bytes(data)
    else:
        shutil.copyfile(data, temporary)
    os.chmod(temporary, 0o600)
    os.replace(temporary, target)
    return target


def _receive_opened(opened: OpenedPackage, data: bytes | str | os.PathLike[str], *, via: str,
                    node: NodeIdentity) -> Receipt:
    guid = opened.guid
    existing = Package.objects.filter(direction=PackageDirection.RECEIVED, guid=guid).first()
    if existing is not None and existing.status != PackageStatus.REFUSED:
        if existing.status == PackageStatus.APPLYING:
            _apply_guarded(existing, node)
        _advance(sender=existing.sender_code, item_code=existing.item_code, node=node)
        return _receipt_for(guid, node)
    header = opened.header
    if item_for_national_code(item_code=opened.item_code, local_item_code=str(header.get("local_item_code") or ""),
                              sender=opened.sender) is None:
        return _refuse(data, PackageUnknownItem.of(item_code=opened.item_code, sender=opened.sender), via=via,
                       node=node, header=header)
    stored = _stored_copy(data, guid)
    stream = {"sender_code": opened.sender, "receiver_code": opened.receiver, "item_code": opened.item_code}
    try:
        with transaction.atomic():
            Peer.objects.select_for_update().get(pk=opened.sender_peer_id)  # one stream decision at a time
            Package.objects.filter(direction=PackageDirection.RECEIVED, guid=guid,
                                   status=PackageStatus.REFUSED).delete()
            last = _last_applied(sender=opened.sender, receiver=opened.receiver, item_code=opened.item_code)
            taken = Package.objects.filter(direction=PackageDirection.RECEIVED, sequence=opened.sequence,
                                           **stream).exclude(status=PackageStatus.REFUSED).exists()
            if opened.sequence <= last or taken:
                raise PackageSequenceReused(details={"sequence": opened.sequence, "last_applied": last})
            status = PackageStatus.APPLYING if opened.sequence == last + 1 else PackageStatus.HELD
            package = Package.objects.create(
                guid=guid, direction=PackageDirection.RECEIVED, peer_id=opened.sender_peer_id,
                local_item_code=str(header.get("local_item_code") or "")[:60], mode=str(header.get("mode")),
                sequence=opened.sequence, record_count=opened.record_count,
                content_hash=str(header.get("body_sha256")), header=header, created_at=opened.created_at,
                received_at=clock.now(), status=status, via=via[:10], file_path=str(stored), **stream)
            if status == PackageStatus.HELD:
                _receipt_store(_receipt_signed(_receipt_document(
                    guid=str(guid), sender=opened.sender, node=node, status=HELD, code="exchange.package_held",
                    message=_held_message(last), sequence=opened.sequence, item_code=opened.item_code,
                    counts={"records": opened.record_count, "applied": 0, "duplicates": 0, "rejected": 0}), node))
    except PackageSequenceReused as exc:
        stored.unlink(missing_ok=True)
        return _refuse(data, exc, via=via, node=node, header=header)
    except IntegrityError:  # the same GUID or sequence received at the same moment: that one goes on
        stored.unlink(missing_ok=True)
        return _receipt_for(guid) if Receipt.objects.filter(direction=PackageDirection.RECEIVED,
                                                            package_guid=guid).exists() else _refuse(
            data, PackageSequenceReused(details={"sequence": opened.sequence}), via=via, node=node, header=header)
    if package.status == PackageStatus.APPLYING:
        _apply_guarded(package, node, opened=opened)
    _advance(sender=opened.sender, item_code=opened.item_code, node=node)
    return _receipt_for(guid, node)


def _held_message(last: int) -> Callable[[], str]:
    return lambda: _("Held until package %(number)s of this item is applied; it is applied then, in order.") % {
        "number": last + 1}


def receipt_for_peer(*, guid: uuid.UUID, peer: Peer) -> Receipt | None:
    """The receipt of a package ``peer`` sent here (None for another sender's package or an unknown GUID)."""
    if not Package.objects.filter(direction=PackageDirection.RECEIVED, guid=guid, sender_code=peer.code).exists():
        return None
    return Receipt.objects.filter(direction=PackageDirection.RECEIVED, package_guid=guid).first()


def _receipt_for(guid: uuid.UUID, node: NodeIdentity | None = None) -> Receipt:
    """The package's stored receipt; while another process is still applying it (none stored yet), a ``held``
    receipt saying so (not stored: the sender asks again and gets the final one)."""
    stored = Receipt.objects.filter(direction=PackageDirection.RECEIVED, package_guid=guid).first()
    if stored is not None or node is None:
        return stored or Receipt.objects.get(direction=PackageDirection.RECEIVED, package_guid=guid)
    package = Package.objects.get(direction=PackageDirection.RECEIVED, guid=guid)
    return _receipt_signed(_receipt_document(
        guid=str(guid), sender=package.sender_code, node=node, status=HELD, code="exchange.package_being_applied",
        message=gettext_lazy("The package is being applied; its receipt follows when it is done."),
        sequence=package.sequence, item_code=package.item_code,
        counts={"records": package.record_count, "applied": 0, "duplicates": 0, "rejected": 0}), node)


def _advance(*, sender: str, item_code: str, node: NodeIdentity) -> None:
    """Apply the held packages of (sender, item) whose turn has come, one after the other."""
    while True:
        with transaction.atomic():
            peer = Peer.objects.select_for_update().filter(code=sender).first()
            if peer is None:
                return
            stream = Package.objects.filter(direction=PackageDirection.RECEIVED, sender_code=sender,
                                            receiver_code=node.code, item_code=item_code)
            if stream.filter(status=PackageStatus.APPLYING).exists():
                return
            last = _last_applied(sender=sender, receiver=node.code, item_code=item_code)
            following = stream.filter(status=PackageStatus.HELD, sequence=last + 1).first()
            if following is None:
                return
            Package.objects.filter(pk=following.pk).update(status=PackageStatus.APPLYING)
            following.status = PackageStatus.APPLYING
        _apply_guarded(following, node)
        following.refresh_from_db()
        if following.status != PackageStatus.APPLIED:
            return


def packages_resume(*, node: NodeIdentity | None = None) -> int:
    """Finish the packages a stopped process left being applied, then the held ones whose turn came; how many
    packages were applied. Run by the file interface's every pass and by ``gongxin exchange``."""
    node = node or local_node()
    done = 0
    for package in list(Package.objects.filter(direction=PackageDirection.RECEIVED, status=PackageStatus.APPLYING)
                        .order_by("sequence")):
        _apply_guarded(package, node)
        package.refresh_from_db()
        done += package.status == PackageStatus.APPLIED
    streams = (Package.objects.filter(direction=PackageDirection.RECEIVED, status=PackageStatus.HELD)
               .values_list("sender_code", "item_code").distinct())
    for sender, item_code in list(streams):
        before = Package.objects.filter(direction=PackageDirection.RECEIVED, status=PackageStatus.APPLIED).count()
        _advance(sender=sender, item_code=item_code, node=node)
        done += Package.objects.filter(direction=PackageDirection.RECEIVED, status=PackageStatus.APPLIED).count() \
            - before
    return done


# --- applying ----------------------------------------------------------------------------------------------------

@dataclass
class _Group:
    """The records of one source unit within a package: their positions in the body (0-based), in order."""

    issuer_code: str
    issuer_name: str
    path: Path
    positions: array


def _apply_guarded(package: Package, node: NodeIdentity, *, opened: OpenedPackage | None = None) -> None:
    try:
        _apply(package, node, opened=opened)
    except BatchRunning:  # another process is applying it right now: its run finishes it
        logger.info("package %s is being applied by another process", package.guid)


def _being_applied(package: Package) -> bool:
    """A live run of another process holds one of the package's batches (it finishes the package), or a full
    snapshot of it waits for the credit office's review (its decision resumes it): checked before rewriting a big
    package's files only to find the batch taken or waiting."""
    ids = list((Package.objects.filter(pk=package.pk).values_list("batches", flat=True).first() or {}).values())
    batches = Batch.objects.filter(pk__in=ids, status__in=[BatchStatus.RUNNING, BatchStatus.HELD])
    return any(batch.status == BatchStatus.HELD or owner_alive(batch=batch) for batch in batches)


def _apply(package: Package, node: NodeIdentity, *, opened: OpenedPackage | None = None) -> None:
    if _being_applied(package):
        return
    own = opened is None
    if opened is None:
        try:
            opened = package_open(package.file_path, expected_receiver=node.code, node=node)
        except (PackageRefused, OSError) as exc:
            error = exc if isinstance(exc, PackageRefused) else PackageMalformed()
            _fail(package, error, node)
            return
    try:
        _apply_opened(package, opened, node)
    finally:
        if own:
            opened.close()


def _fail(package: Package, error: GongxinError, node: NodeIdentity) -> None:
    """The package cannot be applied at all: refused, with its receipt (the sender corrects and sends it again)."""
    with transaction.atomic():
        Package.objects.filter(pk=package.pk).update(status=PackageStatus.REFUSED, error_code=error.code,
                                                     error_message=_both(error.message)[0])
        _receipt_store(_receipt_signed(_receipt_document(
            guid=str(package.guid), sender=package.sender_code, node=node, status=REFUSED, code=error.code,
            message=error.message, sequence=package.sequence, item_code=package.item_code,
            counts={"records": package.record_count, "applied": 0, "duplicates": 0,
                    "rejected": package.record_count}), node))
    Path(package.file_path).unlink(missing_ok=True)


def _apply_opened(package: Package, opened: OpenedPackage, node: NodeIdentity) -> None:
    target = receiving_target(sender=package.sender_code, item_code=package.item_code,
                              local_item_code=package.local_item_code)
    if target is None:  # the mapping was removed while the package was held
        _fail(package, PackageUnknownItem.of(item_code=package.item_code, sender=package.sender_code), node)
        return
    item = target.item
    peer = Peer.objects.get(code=package.sender_code)
    label = provenance_label(sender=package.sender_code, guid=package.guid)
    groups = _groups_write(package, opened, upward=peer.direction == PeerDirection.DOWNSTREAM, target=target)
    batches: dict[str, int] = dict(package.batches or {})
    for group in groups:
        unit = _unit_for(peer=peer, issuer_code=group.issuer_code, issuer_name=group.issuer_name)
        actor = Viewer(label=label, role=Role.OPERATOR, department_id=unit.pk)
        known_id = batches.get(group.issuer_code)
        known = Batch.objects.filter(pk=known_id).first() if known_id is not None else None
        if known is not None and known.status == BatchStatus.DONE:
            continue
        batch = known or batch_for_file(path=group.path, source_unit=unit, item=item, actor=actor,
                                        snapshot=package.mode == "full")
        if batches.get(group.issuer_code) != batch.pk:
            batches[group.issuer_code] = batch.pk
            Package.objects.filter(pk=package.pk).update(batches=batches)
        batch = batch_run(batch_id=batch.pk, path=group.path, actor=actor, chunk_size=APPLY_CHUNK_SIZE)
        if batch.status == BatchStatus.AWAITING:  # a full snapshot: what the sender no longer holds is revoked
            batch_snapshot_confirm(batch_id=batch.pk, actor=actor, background=False)
            batch = batch_run(batch_id=batch.pk, path=group.path, actor=actor)
        if batch.status == BatchStatus.HELD:
            _hold_for_review(package, node, batch)
            return
        if batch.status == BatchStatus.FAILED:
            _fail(package, PackageNotApplied(details={"failure": batch.failure[:500]}), node)
            _groups_drop(groups)
            return
        if batch.status != BatchStatus.DONE:
            return  # taken over by another run: that run finishes it
    counts, outcomes = _outcomes(package, opened, groups, batches, item=item, label=label)
    _subjects_mark(package, opened, groups, batches, item=item)
    status = PARTIAL if counts["rejected"] else APPLIED
    with transaction.atomic():
        Peer.objects.select_for_update().get(pk=peer.pk)
        finished = Package.objects.filter(pk=package.pk, status=PackageStatus.APPLYING).update(
            status=PackageStatus.APPLIED, applied_at=clock.now(), applied=counts["applied"],
            duplicates=counts["duplicates"], rejected=counts["rejected"], batches=batches, file_path="")
        if not finished:  # another process finished it meanwhile, with its receipt
            return
        _receipt_store(_receipt_signed(_receipt_document(
            guid=str(package.guid), sender=package.sender_code, node=node, status=status, counts=counts,
            outcomes=outcomes, sequence=package.sequence, item_code=package.item_code), node))
    package.status = PackageStatus.APPLIED
    _groups_drop(groups)
    Path(package.file_path).unlink(missing_ok=True)


def _hold_for_review(package: Package, node: NodeIdentity, batch: Batch) -> None:
    def message() -> str:
        return _("The full snapshot would revoke more records than the policy allows at once; it waits for the "
                 "credit office's review (batch %(batch)s).") % {"batch": batch.pk}

    _receipt_store(_receipt_signed(_receipt_document(
        guid=str(package.guid), sender=package.sender_code, node=node, status=HELD,
        code="exchange.snapshot_held_for_review", message=message, sequence=package.sequence,
        item_code=package.item_code,
        counts={"records": package.record_count, "applied": 0, "duplicates": 0, "rejected": 0}), node))


def _wan(value: Any) -> Any:
    """An amount in yuan (how payloads and packages hold it) as the 10,000-yuan figure ingest reads for a
    ``money_wan`` field (ingest multiplies it back: the record gets the same yuan amount)."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value  # ingest rejects it with its reason
    return format(amount / _TEN_THOUSAND, "f") if amount.is_finite() else value


def _row_of(record: Any, money_wan: frozenset[str], target: ReceivingTarget) -> dict[str, Any]:
    row = target.row(record.fields)  # the body's (national) field names as the local item's field codes
    for name in money_wan & row.keys():
        if row[name] not in (None, ""):
            row[name] = _wan(row[name])
    row["source_record_id"] = record.source_record_id
    if record.op == "revocation":
        row["revoked"] = "1"
    return row


def _groups_write(package: Package, opened: OpenedPackage, *, upward: bool, target: ReceivingTarget) -> list[_Group]:
    """The package's records as JSON-lines files of the item's fields (the body's field names renamed by the
    receiving mapping), one per source unit (the peer's for an upward package, each issuing body's for a downward
    one), and each line's position in the body. The files
    are the same bytes however often they are written, so that a resumed apply finds its batch (by the file's
    hash) and continues after its last committed chunk."""
    item = target.item
    directory = exchange_dir("applying")
    # The names a money_wan field may travel under (ingest matches keys by code, labels and aliases).
    money_wan = frozenset(name for f in item.fields if f.get("type") == FieldType.MONEY_WAN
                          for name in (f["code"], f.get("label"), f.get("label_en"), *f.get("aliases", [])) if name)
    groups: dict[str, _Group] = {}
    handles: dict[str, IO[bytes]] = {}
    try:
        for position, record in enumerate(opened.records()):
            code = "" if upward else str(record.issuer.get("code") or "").strip()[:40]
            group = groups.get(code)
            if group is None:
                name = str(record.issuer.get("name") or "").strip()[:200]
                path = directory / f"{package.guid}-{code or 'peer'}.jsonl"
                group = groups[code] = _Group(code, name, path, array("q"))
                # A name of its own: two processes resuming the same package write the same bytes side by side.
                handles[code] = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp").open("wb")
                os.chmod(handles[code].name, 0o600)
            group.positions.append(position)
            line = json.dumps(_row_of(record, money_wan, target), ensure_ascii=False, sort_keys=True)
            handles[code].write(line.encode("utf-8") + b"\n")
    finally:
        for handle in handles.values():
            handle.close()
    for code, group in groups.items():
        os.replace(handles[code].name, group.path)
    return [groups[code] for code in sorted(groups)]


def _groups_drop(groups: list[_Group]) -> None:
    for group in groups:
        group.path.unlink(missing_ok=True)


def _unit_for(*, peer: Peer, issuer_code: str, issuer_name: str) -> SourceUnit:
    """The source unit a received record is written as: the peer's own (``issuer_code`` blank) or an issuing
    body's of a higher level, created on first use and marked external."""
    found = ExternalSourceUnit.objects.filter(peer=peer, issuer_code=issuer_code).select_related(
        "source_unit__department").first()
    if found is not None:
        return found.source_unit
    department_code = f"X{peer.code}" + (f"-{issuer_code}" if issuer_code else "")
    name = (issuer_name or issuer_code) if issuer_code else peer.name
    try:
        with transaction.atomic():
            department, _created = Department.objects.get_or_create(code=department_code[:40], defaults={
                "name": name[:200] or department_code, "level": peer.level, "region_code": peer.code,
                "uscc": issuer_code if len(issuer_code) == 18 else ""})
            unit, _created = SourceUnit.objects.get_or_create(department=department)
            ExternalSourceUnit.objects.create(source_unit=unit, peer=peer, issuer_code=issuer_code,
                                              created_at=clock.now())
    except IntegrityError:  # created by a concurrent receive
        return ExternalSourceUnit.objects.get(peer=peer, issuer_code=issuer_code).source_unit
    return unit


def _outcomes(package: Package, opened: OpenedPackage, groups: list[_Group], batches: dict[str, int], *,
              item: CatalogItem, label: str) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Each record's outcome: rejected (the batch's error for its line), applied (its record's current version
    was written by this package) or duplicate (the record already held that content, or that revocation)."""
    rejected: dict[int, dict[str, Any]] = {}
    for group in groups:
        issues = BatchIssue.objects.filter(batch_id=batches[group.issuer_code], level=IssueLevel.ERROR).order_by(
            "row_number", "pk").values_list("row_number", "code", "reason_zh", "reason_en")
        for row_number, code, zh, en in issues.iterator():
            position = group.positions[row_number - 1]
            if position in rejected:
                rejected[position]["message"] += f"；{zh}"
                rejected[position]["message_en"] += f"; {en}"
            else:
                rejected[position] = {"code": f"ingest.{code}", "message": zh, "message_en": en}
    of_group = {group.issuer_code: Batch.objects.get(pk=batches[group.issuer_code]) for group in groups}
    units = {code: batch.source_unit_id for code, batch in of_group.items()}
    # A batch that found no row unchanged and none repeated wrote every row it did not reject: those records'
    # current versions are this package's without looking them up (the common case, a package of new records).
    all_written = {code for code, batch in of_group.items() if batch.unchanged == 0 and batch.duplicate == 0}
    group_of = {} if len(groups) == 1 else {position: group.issuer_code for group in groups
                                            for position in group.positions}
    only = groups[0].issuer_code if len(groups) == 1 else None
    counts = {"records": 0, "applied": 0, "duplicates": 0, "rejected": 0}
    outcomes: list[dict[str, Any]] = []
    for chunk in _chunks(opened, OUTCOME_LOOKUP_CHUNK):
        wanted: dict[str, list[str]] = {}
        for position, source_record_id in chunk:
            if position not in rejected:
                code = only if only is not None else group_of[position]
                if code not in all_written:
                    wanted.setdefault(code, []).append(source_record_id.strip())
        written: set[tuple[str, str]] = set()
        for code, ids in wanted.items():
            rows = Record.objects.filter(source_unit_id=units[code], catalog_item=item, source_record_id__in=ids,
                                         current_version__actor_label=label).values_list("source_record_id",
                                                                                         flat=True)
            written.update((code, value) for value in rows)
        for position, source_record_id in chunk:
            counts["records"] += 1
            if position in rejected:
                counts["rejected"] += 1
                outcomes.append({"index": position, "source_record_id": source_record_id, "outcome": "rejected",
                                 **rejected[position]})
                continue
            code = only if only is not None else group_of[position]
            if code in all_written or (code, source_record_id.strip()) in written:
                counts["applied"] += 1
            else:
                counts["duplicates"] += 1
                outcomes.append({"index": position, "source_record_id": source_record_id, "outcome": "duplicate",
                                 "code": "exchange.record_duplicate", "message": "", "message_en": ""})
    for outcome in outcomes:
        if outcome["outcome"] == "duplicate":
            outcome["message"], outcome["message_en"] = _duplicate_words()
    return counts, outcomes


def _duplicate_words() -> tuple[str, str]:
    return _both(gettext_lazy("This record is already held here with the same content (or already revoked): "
                              "nothing changed."))


def _chunks(opened: OpenedPackage, size: int) -> Iterator[list[tuple[int, str]]]:
    chunk: list[tuple[int, str]] = []
    for position, record in enumerate(opened.records(unseal=False)):
        chunk.append((position, record.source_record_id))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _subjects_mark(package: Package, opened: OpenedPackage, groups: list[_Group], batches: dict[str, int], *,
                   item: CatalogItem) -> None:
    """Subjects this package's batches registered (unknown here before) are marked as from the exchange."""
    wanted: dict[int, int] = {}  # body position -> source unit id
    for group in groups:
        batch = Batch.objects.get(pk=batches[group.issuer_code])
        for row_number in BatchIssue.objects.filter(batch_id=batch.pk, code="subject_created").values_list(
                "row_number", flat=True):
            wanted[group.positions[row_number - 1]] = batch.source_unit_id
    if not wanted:
        return
    by_unit: dict[int, list[str]] = {}
    for position, record in enumerate(opened.records(unseal=False)):
        if position in wanted:
            by_unit.setdefault(wanted[position], []).append(record.source_record_id.strip())
    subject_ids: set[int] = set()
    for unit_id, ids in by_unit.items():
        subject_ids.update(Record.objects.filter(source_unit_id=unit_id, catalog_item=item,
                                                 source_record_id__in=ids).values_list("subject_id", flat=True))
    ExchangedSubject.objects.bulk_create(
        [ExchangedSubject(subject_id=subject_id, node_code=package.sender_code, package_guid=package.guid,
                          registered_at=clock.now()) for subject_id in sorted(subject_ids)], ignore_conflicts=True)
