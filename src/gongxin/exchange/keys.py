"""This node's identity and key pairs: an Ed25519 key that signs packages and receipts and an X25519 key that
peers seal personal identifiers to (docs/exchange.md "Nodes and keys").

The private halves are kept in ``<data dir>/exchange-keys.json`` (mode 0600, written atomically like
core.keys); every pair ever used stays there, so packages sealed to a retired X25519 key still open. The public
halves are ``NodeKey`` rows with their validity, which peers register. A rotation adds a pair and ends the
validity of the previous one: packages signed before it keep verifying at the peers that know both keys.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.conf import settings
from django.db import transaction

from gongxin.core import clock
from gongxin.exchange.errors import NodeNotConfigured

KEYS_FILE = "exchange-keys.json"


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _raw(key: object) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)  # type: ignore[attr-defined]


def key_id_of(signing_public: bytes) -> str:
    """A node key's id: the first 16 hex digits of SHA-256 of the raw Ed25519 public key (as core.signing)."""
    return hashlib.sha256(signing_public).hexdigest()[:16]


@dataclass(frozen=True)
class KeyPair:
    """One of a node's key pairs (private halves)."""

    signing: Ed25519PrivateKey
    sealing: X25519PrivateKey
    created_at: datetime

    @classmethod
    def generate(cls, *, at: datetime | None = None) -> KeyPair:
        return cls(Ed25519PrivateKey.generate(), X25519PrivateKey.generate(), at or clock.now())

    @property
    def signing_public(self) -> bytes:
        return _raw(self.signing.public_key())

    @property
    def sealing_public(self) -> bytes:
        return _raw(self.sealing.public_key())

    @property
    def key_id(self) -> str:
        return key_id_of(self.signing_public)

    def as_stored(self) -> dict[str, str]:
        raw_signing = self.signing.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                                 serialization.NoEncryption())
        raw_sealing = self.sealing.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                                 serialization.NoEncryption())
        return {"signing": b64(raw_signing), "sealing": b64(raw_sealing), "created_at": self.created_at.isoformat()}

    @classmethod
    def from_stored(cls, stored: dict[str, str]) -> KeyPair:
        return cls(Ed25519PrivateKey.from_private_bytes(unb64(stored["signing"])),
                   X25519PrivateKey.from_private_bytes(unb64(stored["sealing"])),
                   datetime.fromisoformat(stored["created_at"]))


@dataclass(frozen=True)
class NodeIdentity:
    """A node as the package functions see it: its code, level and key pairs (the current one last)."""

    code: str
    level: str
    name: str
    pairs: tuple[KeyPair, ...] = field(default=())

    @property
    def current(self) -> KeyPair:
        if not self.pairs:
            raise NodeNotConfigured()
        return self.pairs[-1]

    def pair_for_sealing(self, key_id: str) -> KeyPair | None:
        return next((pair for pair in self.pairs if pair.key_id == key_id), None)


def _keys_path() -> Path:
    return Path(settings.DATA_DIR) / KEYS_FILE


def _read(path: Path) -> list[KeyPair]:
    if not path.exists():
        return []
    return [KeyPair.from_stored(item) for item in json.loads(path.read_text())["pairs"]]


def _write(path: Path, pairs: list[KeyPair]) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"version": 1, "pairs": [pair.as_stored() for pair in pairs]}, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def node_key_pairs() -> list[KeyPair]:
    """This node's key pairs from the data directory (the oldest first; none before the node is configured)."""
    return _read(_keys_path())


def node_keys_ensure() -> KeyPair:
    """The current key pair, created (with its ``NodeKey`` row) on first use."""
    from gongxin.exchange.models import NodeKey

    path = _keys_path()
    pairs = _read(path)
    if not pairs:
        pair = KeyPair.generate()
        _write(path, [pair])
        pairs = [pair]
    current = pairs[-1]
    NodeKey.objects.get_or_create(key_id=current.key_id, defaults={
        "signing_public": b64(current.signing_public), "sealing_public": b64(current.sealing_public),
        "valid_from": current.created_at})
    return current


def node_keys_rotate() -> KeyPair:
    """A new key pair becomes current; the previous one stays (for unsealing) and its validity ends now."""
    from gongxin.exchange.models import NodeKey

    path = _keys_path()
    pairs = _read(path)
    pair = KeyPair.generate()
    _write(path, [*pairs, pair])
    with transaction.atomic():
        NodeKey.objects.filter(valid_until__isnull=True).update(valid_until=pair.created_at)
        NodeKey.objects.create(key_id=pair.key_id, signing_public=b64(pair.signing_public),
                               sealing_public=b64(pair.sealing_public), valid_from=pair.created_at)
    return pair


def local_node() -> NodeIdentity:
    """This platform as an exchange node; ``NodeNotConfigured`` before staff configured it."""
    from gongxin.exchange.models import LocalNode

    row = LocalNode.objects.first()
    if row is None:
        raise NodeNotConfigured()
    node_keys_ensure()
    return NodeIdentity(code=row.code, level=row.level, name=row.name, pairs=tuple(node_key_pairs()))
