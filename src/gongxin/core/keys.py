"""The platform's secrets: Django's secret key, the keys for personal data at rest, and the Ed25519
key that signs credit reports, check certificates and commitments.

Taken from environment variables when set (production); otherwise generated once into
``<data dir>/keys.json`` with mode 0600, so the embedded platform is safe by default and stable
across restarts. Losing that file makes encrypted personal data unreadable: back it up (docs/operations.md).

A ``keys.json`` without a signing key (written by an installation older than the key) gets one
added (under a lock, written atomically); the keys already in it are never regenerated. Production
sets ``GONGXIN_SIGNING_KEY`` (base64 of the raw 32-byte Ed25519 private key) next to the data keys;
without it the signing key lives in ``keys.json`` of the data directory, also when the data keys come
from the environment, so that every process of one installation signs with the same key.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SIGNING_KEY_BYTES = 32


@dataclass(frozen=True)
class PlatformKeys:
    secret_key: str
    data_key: bytes
    data_key_id: str
    lookup_key: bytes
    # Raw Ed25519 private key (32 bytes): core.signing uses it.
    signing_key: bytes = b""


class KeyConfigurationError(ValueError):
    pass


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode("ascii"))


def signing_key_decode(text: str) -> bytes:
    """The raw 32-byte private key from base64 (standard or URL-safe alphabet, padding optional)."""
    cleaned = "".join(text.split()).replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        raw = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyConfigurationError("GONGXIN_SIGNING_KEY is not valid base64") from exc
    if len(raw) != SIGNING_KEY_BYTES:
        raise KeyConfigurationError(
            f"GONGXIN_SIGNING_KEY must be the raw {SIGNING_KEY_BYTES}-byte Ed25519 private key (got {len(raw)} bytes)"
        )
    return raw


def _generated(name: str) -> str:
    if name == "data_key_id":
        return "k1"
    return _b64(secrets.token_bytes(48 if name == "secret_key" else 32))


def _write_new(path: Path, stored: dict[str, str]) -> None:
    """Create ``path`` with mode 0600 unless another process created it first (then theirs is used)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as handle:
        json.dump(stored, handle)


def _replace(path: Path, stored: dict[str, str]) -> None:
    """Rewrite ``path`` atomically (a temporary file with mode 0600, then rename)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(stored, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def data_dir_prepare(data_dir: Path) -> None:
    """Create the data directory readable by its owner only (0700): it holds the keys, the SQLite database and
    uploaded files. An existing directory keeps its mode (a proxy may need to traverse it to static files)."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)


def private_file_ensure(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if missing, or take group and other access away from it if this
    process owns it: for the SQLite database (SQLite gives its -wal and -shm files the same mode)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        status = path.stat()
        if status.st_uid == os.getuid() and status.st_mode & 0o077:
            path.chmod(0o600)
        return
    os.close(fd)


def _stored_keys(data_dir: Path, names: tuple[str, ...]) -> dict[str, str]:
    """``keys.json`` with at least ``names`` in it: created once; an older file missing some of them gets
    them added under a lock, and the keys already in it are never touched."""
    data_dir_prepare(data_dir)
    path = data_dir / "keys.json"
    _write_new(path, {name: _generated(name) for name in names})
    stored: dict[str, str] = json.loads(path.read_text())
    if all(stored.get(name) for name in names):
        return stored
    import fcntl  # POSIX; the platform runs on Linux

    with os.fdopen(os.open(data_dir / ".keys.lock", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            stored = json.loads(path.read_text())  # again, under the lock: another process may have added them
            missing = [name for name in names if not stored.get(name)]
            if missing:
                stored.update({name: _generated(name) for name in missing})
                _replace(path, stored)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return stored


def _signing_key(data_dir: Path, environ: Mapping[str, str]) -> bytes:
    if environ.get("GONGXIN_SIGNING_KEY"):
        return signing_key_decode(environ["GONGXIN_SIGNING_KEY"])
    return _unb64(_stored_keys(data_dir, ("signing_key",))["signing_key"])


def load_or_create_keys(data_dir: Path, *, environ: Mapping[str, str]) -> PlatformKeys:
    if environ.get("GONGXIN_DATA_KEY") and environ.get("GONGXIN_LOOKUP_KEY"):
        return PlatformKeys(
            secret_key=environ.get("GONGXIN_SECRET_KEY") or _b64(secrets.token_bytes(32)),
            data_key=_unb64(environ["GONGXIN_DATA_KEY"]),
            data_key_id=environ.get("GONGXIN_DATA_KEY_ID", "k1"),
            lookup_key=_unb64(environ["GONGXIN_LOOKUP_KEY"]),
            signing_key=_signing_key(data_dir, environ),
        )
    names: tuple[str, ...] = ("secret_key", "data_key", "data_key_id", "lookup_key")
    if not environ.get("GONGXIN_SIGNING_KEY"):
        names += ("signing_key",)
    stored = _stored_keys(data_dir, names)
    return PlatformKeys(
        secret_key=environ.get("GONGXIN_SECRET_KEY") or stored["secret_key"],
        data_key=_unb64(stored["data_key"]),
        data_key_id=stored["data_key_id"],
        lookup_key=_unb64(stored["lookup_key"]),
        signing_key=_signing_key(data_dir, environ),
    )
