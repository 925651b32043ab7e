"""The witness's client of a log it witnesses (style §7: an outside party behind an interface chosen by settings).

``GONGXIN_LEDGER_PEER_CLIENT`` names the class (default ``HttpLogPeer``); it is built with the log's base URL.
A log publishes what a witness reads at its well-known address and answers the consistency proof through its
public API; the witness hands its cosignature or its refusal back through the log's API (docs/ledger.md).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Protocol

import requests
from django.conf import settings
from django.utils.module_loading import import_string

CHECKPOINT_PATH = "/.well-known/gongxin-ledger/checkpoint"
CONSISTENCY_PATH = "/api/v1/ledger/proofs/consistency"
COSIGNATURES_PATH = "/api/v1/ledger/cosignatures"
ALERTS_PATH = "/api/v1/ledger/witness-alerts"


class PeerError(Exception):
    """The log could not be reached or answered something unreadable."""


class LogPeer(Protocol):
    def checkpoint(self) -> str:
        """The log's latest published checkpoint note."""

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        """The consistency proof between the log's trees of sizes ``first`` and ``second``."""

    def cosignature_deliver(self, note_text: str) -> None:
        """Hand the log its checkpoint with this witness's cosignature."""

    def alert_deliver(self, note_text: str) -> None:
        """Tell the log this witness refused a checkpoint (a signed alert note)."""


def _hash_of(value: Any) -> bytes:
    text = str(value)
    try:
        raw = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise PeerError("unreadable proof") from exc
    if len(raw) != 32:
        raise PeerError("unreadable proof")
    return raw


class HttpLogPeer:
    """A log reached over HTTP(S) at ``base_url``."""

    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def _get(self, path: str, **params: Any) -> requests.Response:
        try:
            response = self.session.get(self.base_url + path, params=params or None, timeout=self.timeout)
        except requests.RequestException as exc:
            raise PeerError(str(exc)) from exc
        if response.status_code != 200:
            raise PeerError(f"{path}: HTTP {response.status_code}")
        return response

    def _post(self, path: str, body: dict[str, Any]) -> None:
        try:
            response = self.session.post(self.base_url + path, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise PeerError(str(exc)) from exc
        if response.status_code >= 300:
            raise PeerError(f"{path}: HTTP {response.status_code} {response.text[:200]}")

    def checkpoint(self) -> str:
        return self._get(CHECKPOINT_PATH).content.decode("utf-8")

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        body = self._get(CONSISTENCY_PATH, first=first, second=second).json()
        hashes = body.get("proof", body.get("hashes")) if isinstance(body, dict) else body
        if not isinstance(hashes, list):
            raise PeerError("unreadable proof")
        return [_hash_of(h) for h in hashes]

    def cosignature_deliver(self, note_text: str) -> None:
        self._post(COSIGNATURES_PATH, {"note": note_text})

    def alert_deliver(self, note_text: str) -> None:
        self._post(ALERTS_PATH, {"note": note_text})


def peer_for(base_url: str) -> LogPeer:
    """The configured client class, built for the log at ``base_url``."""
    factory = import_string(getattr(settings, "GONGXIN_LEDGER_PEER_CLIENT", "gongxin.ledger.peers.HttpLogPeer"))
    peer: LogPeer = factory(base_url)
    return peer
