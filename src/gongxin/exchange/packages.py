"""Data packages (数据包) of the exchange, format ``gongxin-exchange`` version 1 (docs/exchange.md "Packages").

A package is a ZIP file of three members:

``body.jsonl``
    one record a line (UTF-8 JSON): ``op`` (new | correction | revocation), ``source_record_id``, ``issuer``
    (``code`` and ``name`` of the issuing body), ``fields`` (the national item's field names) and ``sealed``
    (personal identifiers sealed for the receiver, by field name).
``header.json``
    ``format``, ``version``, ``guid``, ``sender``, ``receiver`` (GB/T 2260 codes), ``item_code`` (national) and
    ``local_item_code``, ``mode`` (full | incremental), ``sequence`` (per sender, receiver and item),
    ``record_count``, ``created_at`` (ISO 8601, +08:00), ``body_sha256`` (SHA-256 of the exact bytes of
    ``body.jsonl``), ``seal`` (how values are sealed, for which receiver key) and ``signing_key_id``.
``signature.json``
    ``algorithm`` (Ed25519), ``key_id`` and ``signature``: base64 of the sender's Ed25519 signature over the
    canonical JSON of the header (core.signing.canonical_json), which holds the body's hash.

Sealing: one X25519 exchange per package between a fresh ephemeral key (its public half in the header) and the
receiver's X25519 key named by ``recipient_key_id``; HKDF-SHA256 (salt: the GUID's 16 bytes, info
``gongxin-exchange/1 seal``) gives a 256-bit AES-GCM key; each value is ``base64(nonce(12) || ciphertext+tag)``
with a random nonce and the associated data ``guid NUL source_record_id NUL field``.

The body is streamed both ways: building writes records as they come from an iterator, opening reads the
member line by line (a million records never become a million dicts at once).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import uuid
import zipfile
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gongxin.core import clock
from gongxin.core.signing import canonical_json
from gongxin.exchange.errors import (
    PackageBadSignature,
    PackageMalformed,
    PackageTampered,
    PackageUnknownSender,
    PackageUnsigned,
    PackageUnsupportedVersion,
    PackageWrongReceiver,
    PeerNotFound,
    SealFailed,
)
from gongxin.exchange.keys import NodeIdentity, b64, local_node, unb64

FORMAT = "gongxin-exchange"
VERSION = 1
SEAL_ALGORITHM = "X25519-HKDF-SHA256-AES-256-GCM"
SEAL_INFO = b"gongxin-exchange/1 seal"
OPERATIONS = ("new", "correction", "revocation")
MODES = ("full", "incremental")
DEFAULT_SEALED_FIELDS = ("id_number",)
BODY, HEADER, SIGNATURE = "body.jsonl", "header.json", "signature.json"

__all__ = [
    "FORMAT", "VERSION", "OpenedPackage", "OpenedRecord", "PackageRecipient", "package_build", "package_open",
    "package_write", "seal_key_derive",
]


@dataclass(frozen=True)
class PackageRecipient:
    """Whom a package is built for: the receiver's code and its current X25519 key."""

    code: str
    sealing_key_id: str
    sealing_public: bytes

    @classmethod
    def of_peer(cls, code: str) -> PackageRecipient:
        from gongxin.exchange.models import Peer

        peer = Peer.objects.filter(code=code).first()
        key = peer.keys.filter(valid_until__isnull=True).order_by("-valid_from", "-pk").first() if peer else None
        if peer is None or key is None:
            raise PeerNotFound(details={"peer": code})
        return cls(code=peer.code, sealing_key_id=key.key_id, sealing_public=unb64(key.sealing_public))


def seal_key_derive(shared: bytes, guid: uuid.UUID) -> bytes:
    """The package's AES-256-GCM key from the X25519 shared secret (HKDF-SHA256, salt = GUID bytes)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=guid.bytes, info=SEAL_INFO).derive(shared)


def _aad(guid: uuid.UUID | str, source_record_id: str, name: str) -> bytes:
    return f"{guid}\x00{source_record_id}\x00{name}".encode()


def _dumps(line: dict[str, Any], fields: dict[str, Any]) -> bytes:
    """One body line (keys sorted, UTF-8, no whitespace). Payload fields are flat scalars: checked for floats in one
    pass; anything nested goes through the full canonical check."""
    if any(value.__class__ in (float, dict, list, tuple) for value in fields.values()):
        return canonical_json(line) + b"\n"
    return _ENCODE(line).encode("utf-8") + b"\n"


_ENCODE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def _body_line(record: Mapping[str, Any], *, aes: AESGCM, guid: str, sealed_fields: Collection[str]) -> bytes:
    op = record.get("op", "new")
    if op not in OPERATIONS:
        raise ValueError(f"operation {op!r} is not one of {OPERATIONS}")
    source_record_id = str(record["source_record_id"])
    fields = dict(record.get("fields") or {})
    sealed: dict[str, str] = {}
    for name in sealed_fields:
        value = fields.pop(name, None)
        if value is not None and value != "":
            nonce = os.urandom(12)
            sealed[name] = b64(nonce + aes.encrypt(nonce, str(value).encode("utf-8"),
                                                   _aad(guid, source_record_id, name)))
    issuer = dict(record.get("issuer") or {})
    line = {"op": op, "source_record_id": source_record_id, "issuer": issuer, "fields": fields, "sealed": sealed}
    return _dumps(line, {**fields, **issuer})


def package_write(target: str | os.PathLike[str] | IO[bytes], *, receiver: PackageRecipient | str, item_code: str,
                  mode: str, sequence: int, records: Iterable[Mapping[str, Any]], local_item_code: str = "",
                  sender: NodeIdentity | None = None, guid: uuid.UUID | None = None,
                  created_at: datetime | None = None,
                  sealed_fields: Collection[str] = DEFAULT_SEALED_FIELDS) -> dict[str, Any]:
    """Write a signed package to ``target`` (a path or a binary file), streaming ``records``; the header."""
    if mode not in MODES:
        raise ValueError(f"mode {mode!r} is not one of {MODES}")
    sender = sender or local_node()
    recipient = receiver if isinstance(receiver, PackageRecipient) else PackageRecipient.of_peer(receiver)
    guid = guid or uuid.uuid4()
    ephemeral = X25519PrivateKey.generate()
    aes = AESGCM(seal_key_derive(ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient.sealing_public)),
                                 guid))
    digest = hashlib.sha256()
    count = 0
    guid_text = str(guid)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open(BODY, "w", force_zip64=True) as body:
            for record in records:
                line = _body_line(record, aes=aes, guid=guid_text, sealed_fields=sealed_fields)
                digest.update(line)
                body.write(line)
                count += 1
        pair = sender.current
        header: dict[str, Any] = {
            "format": FORMAT, "version": VERSION, "guid": str(guid), "sender": sender.code,
            "receiver": recipient.code, "item_code": item_code, "local_item_code": local_item_code, "mode": mode,
            "sequence": int(sequence), "record_count": count,
            "created_at": clock.local(created_at).isoformat(timespec="seconds"),
            "body_sha256": digest.hexdigest(),
            "seal": {"algorithm": SEAL_ALGORITHM, "recipient_key_id": recipient.sealing_key_id,
                     "ephemeral_public": b64(ephemeral.public_key().public_bytes_raw())},
            "signing_key_id": pair.key_id,
        }
        signed = canonical_json(header)
        archive.writestr(HEADER, signed)
        archive.writestr(SIGNATURE, canonical_json({
            "algorithm": "Ed25519", "key_id": pair.key_id, "signature": b64(pair.signing.sign(signed))}))
    return header


def package_build(*, receiver: PackageRecipient | str, item_code: str, mode: str, sequence: int,
                  records: Iterable[Mapping[str, Any]], local_item_code: str = "", sender: NodeIdentity | None = None,
                  guid: uuid.UUID | None = None, created_at: datetime | None = None,
                  sealed_fields: Collection[str] = DEFAULT_SEALED_FIELDS) -> bytes:
    """A signed package as bytes (``package_write`` streams to a file for big bodies)."""
    buffer = io.BytesIO()
    package_write(buffer, receiver=receiver, item_code=item_code, mode=mode, sequence=sequence, records=records,
                  local_item_code=local_item_code, sender=sender, guid=guid, created_at=created_at,
                  sealed_fields=sealed_fields)
    return buffer.getvalue()


@dataclass(frozen=True)
class OpenedRecord:
    op: str
    source_record_id: str
    issuer: dict[str, Any]
    fields: dict[str, Any]  # with the sealed identifiers opened


@dataclass
class OpenedPackage:
    """A package whose signature, receiver and content hash were verified; its records are read on demand."""

    header: dict[str, Any]
    sender_peer_id: int
    _archive: zipfile.ZipFile
    _aes: AESGCM | None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def guid(self) -> uuid.UUID:
        return uuid.UUID(self.header["guid"])

    @property
    def sender(self) -> str:
        return str(self.header["sender"])

    @property
    def receiver(self) -> str:
        return str(self.header["receiver"])

    @property
    def item_code(self) -> str:
        return str(self.header["item_code"])

    @property
    def sequence(self) -> int:
        return int(self.header["sequence"])

    @property
    def record_count(self) -> int:
        return int(self.header["record_count"])

    @property
    def created_at(self) -> datetime:
        return datetime.fromisoformat(self.header["created_at"])

    def records(self, *, unseal: bool = True) -> Iterator[OpenedRecord]:
        """The body's records in order, personal identifiers unsealed (``SealFailed`` if one does not open);
        ``unseal=False`` leaves them out (a pass that needs only ids and issuers)."""
        guid = str(self.guid)
        with self._archive.open(BODY) as body:
            for raw in io.TextIOWrapper(body, encoding="utf-8"):
                line = json.loads(raw)
                fields = dict(line.get("fields") or {})
                source_record_id = str(line.get("source_record_id") or "")
                if unseal:
                    for name, sealed in (line.get("sealed") or {}).items():
                        fields[name] = self._unseal(sealed, _aad(guid, source_record_id, name))
                yield OpenedRecord(op=str(line.get("op") or "new"), source_record_id=source_record_id,
                                   issuer=dict(line.get("issuer") or {}), fields=fields)

    def _unseal(self, value: str, aad: bytes) -> str:
        if self._aes is None:
            raise SealFailed()
        try:
            raw = unb64(value)
            return self._aes.decrypt(raw[:12], raw[12:], aad).decode("utf-8")
        except (InvalidTag, ValueError) as exc:
            raise SealFailed() from exc

    def close(self) -> None:
        self._archive.close()


def header_peek(data_or_path: bytes | str | os.PathLike[str]) -> dict[str, Any] | None:
    """The header of a package as written, unverified (None when unreadable): to name a refused package."""
    try:
        source: Any = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path
        with zipfile.ZipFile(source) as archive:
            header = json.loads(archive.read(HEADER))
        return header if isinstance(header, dict) else None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return None


def package_open(data_or_path: bytes | str | os.PathLike[str], *, expected_receiver: str,
                 node: NodeIdentity | None = None) -> OpenedPackage:
    """Open a package for this node: signature of a registered peer (its key valid when the package was made),
    receiver, record count and content hash are verified, or a ``PackageRefused`` with its code is raised."""
    from gongxin.exchange.models import Peer

    source: Any = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else Path(data_or_path)
    try:
        archive = zipfile.ZipFile(source)
        header = json.loads(archive.read(HEADER))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise PackageMalformed() from exc
    try:
        if not isinstance(header, dict) or header.get("format") != FORMAT or BODY not in names:
            raise PackageMalformed()
        if header.get("version") != VERSION:
            raise PackageUnsupportedVersion(details={"version": header.get("version"), "supported": [VERSION]})
        try:
            signature = json.loads(archive.read(SIGNATURE)) if SIGNATURE in names else None
        except ValueError:
            signature = None
        if not isinstance(signature, dict) or not signature.get("signature"):
            raise PackageUnsigned()
        try:
            created_at = datetime.fromisoformat(str(header["created_at"]))
            uuid.UUID(str(header["guid"]))
            int(header["sequence"]), int(header["record_count"])
        except (KeyError, ValueError, TypeError) as exc:
            raise PackageMalformed() from exc
        peer = Peer.objects.filter(code=str(header.get("sender") or ""), is_active=True).first()
        if peer is None:
            raise PackageUnknownSender(details={"sender": header.get("sender")})
        key = peer.keys.filter(key_id=str(signature.get("key_id") or "")).first()
        if key is None or (key.valid_until is not None and created_at >= key.valid_until):
            raise PackageUnknownSender(details={"sender": peer.code, "key_id": signature.get("key_id")})
        try:
            Ed25519PublicKey.from_public_bytes(unb64(key.signing_public)).verify(
                unb64(str(signature["signature"])), canonical_json(header))
        except (InvalidSignature, ValueError, TypeError) as exc:
            raise PackageBadSignature() from exc
        if str(header.get("receiver")) != expected_receiver:
            raise PackageWrongReceiver(details={"receiver": header.get("receiver"), "expected": expected_receiver})
        digest, count = hashlib.sha256(), 0
        with archive.open(BODY) as body:
            for line in body:
                digest.update(line)
                count += 1
        if digest.hexdigest() != header.get("body_sha256") or count != int(header["record_count"]):
            raise PackageTampered()
        aes = _package_aes(header, node or local_node())
        return OpenedPackage(header=header, sender_peer_id=peer.pk, _archive=archive, _aes=aes)
    except BaseException:
        archive.close()
        raise


def _package_aes(header: dict[str, Any], node: NodeIdentity) -> AESGCM | None:
    seal = header.get("seal") or {}
    if not seal:
        return None
    if seal.get("algorithm") != SEAL_ALGORITHM:
        raise SealFailed(details={"algorithm": seal.get("algorithm")})
    pair = node.pair_for_sealing(str(seal.get("recipient_key_id") or ""))
    if pair is None:
        raise SealFailed(details={"recipient_key_id": seal.get("recipient_key_id")})
    try:
        shared = pair.sealing.exchange(X25519PublicKey.from_public_bytes(unb64(str(seal["ephemeral_public"]))))
    except (KeyError, ValueError) as exc:
        raise SealFailed() from exc
    return AESGCM(seal_key_derive(shared, uuid.UUID(str(header["guid"]))))
