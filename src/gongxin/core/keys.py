"""The platform's secrets: Django's secret key and the keys for personal data at rest.

Taken from environment variables when set (production); otherwise generated once into
``<data dir>/keys.json`` with mode 0600, so the embedded platform is safe by default and stable
across restarts. Losing that file makes encrypted personal data unreadable: back it up (docs/operations.md).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PlatformKeys:
    secret_key: str
    data_key: bytes
    data_key_id: str
    lookup_key: bytes


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode("ascii"))


def load_or_create_keys(data_dir: Path, *, environ: Mapping[str, str]) -> PlatformKeys:
    if environ.get("GONGXIN_DATA_KEY") and environ.get("GONGXIN_LOOKUP_KEY"):
        return PlatformKeys(
            secret_key=environ.get("GONGXIN_SECRET_KEY") or _b64(secrets.token_bytes(32)),
            data_key=_unb64(environ["GONGXIN_DATA_KEY"]),
            data_key_id=environ.get("GONGXIN_DATA_KEY_ID", "k1"),
            lookup_key=_unb64(environ["GONGXIN_LOOKUP_KEY"]),
        )
    path = data_dir / "keys.json"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        stored = {
            "secret_key": _b64(secrets.token_bytes(48)),
            "data_key": _b64(secrets.token_bytes(32)),
            "data_key_id": "k1",
            "lookup_key": _b64(secrets.token_bytes(32)),
        }
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                json.dump(stored, handle)
    stored = json.loads(path.read_text())
    return PlatformKeys(
        secret_key=environ.get("GONGXIN_SECRET_KEY") or stored["secret_key"],
        data_key=_unb64(stored["data_key"]),
        data_key_id=stored["data_key_id"],
        lookup_key=_unb64(stored["lookup_key"]),
    )
