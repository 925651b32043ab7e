"""The platform's one signing service: Ed25519 signatures over canonical JSON (reports, certificates).

The private key is ``settings.GONGXIN_SIGNING_KEY`` (raw 32 bytes, from ``GONGXIN_SIGNING_KEY`` or
``keys.json``; see core.keys). A key is named by its **key id**: the first 16 hex digits of SHA-256 of
the raw 32-byte public key, so anyone holding the public key computes the same id.

Signed documents are JSON values serialized canonically (``canonical_json``: keys sorted,
UTF-8 without ``\\u`` escapes, no whitespace), hashed with SHA-256 (``content_hash``) and signed with
Ed25519 over those exact bytes. Signatures travel as standard base64 (with padding).

The public keys — the current one and retired ones still accepted (``GONGXIN_SIGNING_RETIRED_PUBLIC_KEYS``)
— are published at ``/.well-known/gongxin-signing-key.json`` (JWK set: ``kty`` OKP, ``crv`` Ed25519) and
``/.well-known/gongxin-signing-key.pem`` (the current key, SubjectPublicKeyInfo PEM).

Anyone verifies with standard tools (OpenSSL 3)::

    openssl pkeyutl -verify -pubin -inkey gongxin-signing-key.pem -rawin -in document.bin -sigfile document.sig

where ``document.bin`` are the signed bytes and ``document.sig`` the base64-decoded signature
(``base64 -d``). core.documents says how to get both out of a downloaded report.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

ALGORITHM = "Ed25519"
SIGNATURE_BYTES = 64
PUBLIC_KEY_BYTES = 32

__all__ = [
    "ALGORITHM", "PublicKeyError", "Signature", "b64_decode_strict", "canonical_json", "content_hash", "key_id",
    "key_id_of", "pem_of", "public_key_from_pem", "public_key_jwk", "public_key_pem", "public_key_raw",
    "public_keys", "public_keys_jwks", "sign", "verify",
]


class PublicKeyError(ValueError):
    """A public key that cannot be read (not PEM, not Ed25519, wrong length)."""


@dataclass(frozen=True)
class Signature:
    key_id: str
    value_b64: str


# --- canonical form -------------------------------------------------------------------------------

def canonical_json(value: Any) -> bytes:
    """The one byte form of a JSON value that is hashed and signed (floats are not allowed: write
    amounts and ratios as strings, so that every platform re-serializes them identically)."""
    _reject_floats(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def _reject_floats(value: Any) -> None:
    # A walk with a stack, the common types compared exactly first: a signed report of 500 records holds ~200,000
    # values, and the recursive form with isinstance checks took as long as json.dumps itself.
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is str or kind is int or kind is bool or item is None:
            continue
        if kind is dict:
            pending.extend(item.values())
        elif kind is list or kind is tuple:
            pending.extend(item)
        elif isinstance(item, float):
            raise TypeError("floats have no canonical JSON form here; use a string")
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)


def content_hash(data: bytes) -> str:
    """SHA-256, lowercase hex."""
    return hashlib.sha256(data).hexdigest()


def b64_decode_strict(text: str) -> bytes:
    """Standard base64 that must be in its one canonical spelling: re-encoding gives ``text`` back.

    A lenient decoder accepts several spellings of the same bytes (the unused low bits of the last
    character), so a changed character could still verify; this one refuses them."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise ValueError("not base64") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError("not canonical base64")
    return raw


# --- the platform's keys ---------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _private_key(raw: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(raw)


def _current_private_key() -> Ed25519PrivateKey:
    raw = bytes(settings.GONGXIN_SIGNING_KEY)
    if len(raw) != 32:
        raise RuntimeError("settings.GONGXIN_SIGNING_KEY must be a raw 32-byte Ed25519 private key")
    return _private_key(raw)


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_of(raw_public_key: bytes) -> str:
    """The id of a public key: first 16 hex digits of SHA-256 of its raw 32 bytes."""
    return hashlib.sha256(raw_public_key).hexdigest()[:16]


def public_key_raw() -> bytes:
    """The current public key, raw 32 bytes."""
    return _raw_public(_current_private_key().public_key())


def key_id() -> str:
    """The id of the current signing key."""
    return key_id_of(public_key_raw())


def public_key_pem() -> str:
    """The current public key as PEM (SubjectPublicKeyInfo), as OpenSSL reads it with ``-pubin``."""
    return _current_private_key().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def pem_of(raw_public_key: bytes) -> str:
    """A raw 32-byte Ed25519 public key as PEM (SubjectPublicKeyInfo)."""
    return Ed25519PublicKey.from_public_bytes(raw_public_key).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def public_key_from_pem(pem: str | bytes) -> bytes:
    """The raw 32 bytes of an Ed25519 public key given as PEM (or a PEM private key: its public half)."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        key: Any = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError) as exc:
            raise PublicKeyError("not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise PublicKeyError("not an Ed25519 key")
    return _raw_public(key)


def public_keys() -> dict[str, bytes]:
    """Every public key the platform accepts, by key id: the current one first, then retired ones."""
    keys = {key_id(): public_key_raw()}
    for text in settings.GONGXIN_SIGNING_RETIRED_PUBLIC_KEYS:
        cleaned = text.replace("-", "+").replace("_", "/")
        try:
            raw = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
        except (binascii.Error, ValueError):
            continue
        if len(raw) == PUBLIC_KEY_BYTES:
            keys.setdefault(key_id_of(raw), raw)
    return keys


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def public_key_jwk(raw: bytes | None = None, *, current: bool = True) -> dict[str, Any]:
    """A public key as a JWK (RFC 8037: ``kty`` OKP, ``crv`` Ed25519, ``x`` base64url of the raw key),
    with ``kid`` = key id; ``raw`` defaults to the current key. ``status`` says current or retired."""
    raw = public_key_raw() if raw is None else raw
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "alg": "EdDSA",
        "use": "sig",
        "kid": key_id_of(raw),
        "x": _b64url(raw),
        "status": "current" if current else "retired",
    }


def public_keys_jwks() -> dict[str, Any]:
    """The published key set: ``{"keys": [<current JWK>, <retired JWKs>...]}``."""
    current = key_id()
    return {"keys": [public_key_jwk(raw, current=kid == current) for kid, raw in public_keys().items()]}


# --- sign and verify -------------------------------------------------------------------------------

def sign(data: bytes) -> Signature:
    """Sign ``data`` with the current key."""
    value = _current_private_key().sign(data)
    return Signature(key_id=key_id(), value_b64=base64.b64encode(value).decode("ascii"))


def verify(
    data: bytes,
    signature_b64: str,
    *,
    public_key_pem: str | bytes | None = None,
    public_key_raw: bytes | None = None,
    key_id: str | None = None,
) -> bool:
    """True when ``signature_b64`` is a valid Ed25519 signature of ``data``.

    The key: ``public_key_pem`` or ``public_key_raw`` when given; otherwise the platform key named by
    ``key_id`` (current or retired); otherwise the current key. When both a key and ``key_id`` are
    given, the key must have that id. A signature not in canonical base64 is invalid.
    """
    if public_key_pem is not None:
        raw = public_key_from_pem(public_key_pem)
    elif public_key_raw is not None:
        raw = bytes(public_key_raw)
    else:
        known = public_keys()
        if key_id is None:
            raw = next(iter(known.values()))
        elif key_id in known:
            raw = known[key_id]
        else:
            return False
    if len(raw) != PUBLIC_KEY_BYTES or (key_id is not None and key_id_of(raw) != key_id):
        return False
    try:
        signature = b64_decode_strict(signature_b64)
    except ValueError:
        return False
    if len(signature) != SIGNATURE_BYTES:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, data)
    except InvalidSignature:
        return False
    return True
