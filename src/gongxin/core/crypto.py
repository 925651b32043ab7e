"""Personal data at rest: AES-256-GCM encryption and keyed hashes for lookup.

A sealed value is ``<key id>:<base64(nonce || ciphertext+tag)>`` so keys can be rotated: a new key
gets a new id and old values stay readable while they are re-encrypted. The lookup hash is
HMAC-SHA256 under a separate key, so equality search works without the plaintext and a stolen
database alone reveals neither.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

NONCE_BYTES = 12


def seal(plaintext: str, *, context: bytes) -> str:
    """Encrypt ``plaintext``; ``context`` (e.g. b"person.rin") is bound as associated data."""
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(settings.GONGXIN_DATA_KEY).encrypt(nonce, plaintext.encode("utf-8"), context)
    return f"{settings.GONGXIN_DATA_KEY_ID}:{base64.b64encode(nonce + ciphertext).decode('ascii')}"


def unseal(sealed: str, *, context: bytes) -> str:
    key_id, _, payload = sealed.partition(":")
    if key_id != settings.GONGXIN_DATA_KEY_ID:
        raise ValueError(f"unknown data key id {key_id!r}")
    raw = base64.b64decode(payload)
    plaintext = AESGCM(settings.GONGXIN_DATA_KEY).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context)
    return plaintext.decode("utf-8")


def seal_bytes(plaintext: bytes, *, context: bytes) -> bytes:
    """``seal`` for files: ``<key id>:`` then nonce || ciphertext+tag, raw (no base64)."""
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(settings.GONGXIN_DATA_KEY).encrypt(nonce, plaintext, context)
    return f"{settings.GONGXIN_DATA_KEY_ID}:".encode("ascii") + nonce + ciphertext


def unseal_bytes(sealed: bytes, *, context: bytes) -> bytes:
    key_id, _, raw = sealed.partition(b":")
    if key_id.decode("ascii", "replace") != settings.GONGXIN_DATA_KEY_ID:
        raise ValueError(f"unknown data key id {key_id!r}")
    return AESGCM(settings.GONGXIN_DATA_KEY).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context)


def lookup_hash(value: str, *, context: bytes) -> str:
    digest = hmac.new(settings.GONGXIN_LOOKUP_KEY, context + b"\x00" + value.encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()
