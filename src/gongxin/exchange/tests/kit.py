"""Helpers of the exchange tests: in-memory remote nodes, their registration as peers, package rewriting."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gongxin.accounts.viewer import SYSTEM
from gongxin.exchange.keys import KeyPair, NodeIdentity
from gongxin.exchange.nodes import PublicKeys, peer_register
from gongxin.exchange.packages import PackageRecipient


def remote_node(code: str, name: str, level: str) -> NodeIdentity:
    return NodeIdentity(code=code, level=level, name=name, pairs=(KeyPair.generate(),))


def register(node: NodeIdentity, *, direction: str, directory: str = "", service_url: str = "") -> None:
    """Register ``node`` as a peer of this platform with all its public keys (older ones retired)."""
    keys = []
    for index, pair in enumerate(node.pairs):
        following = node.pairs[index + 1] if index + 1 < len(node.pairs) else None
        keys.append(PublicKeys.of_pair(pair, valid_until=following.created_at if following else None))
    peer_register(code=node.code, name=node.name, direction=direction, keys=keys, actor=SYSTEM,
                  directory=directory, service_url=service_url)


def recipient(node: NodeIdentity) -> PackageRecipient:
    pair = node.current
    return PackageRecipient(code=node.code, sealing_key_id=pair.key_id, sealing_public=pair.sealing_public)


def zip_rewrite(data: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    """The package with each member passed through ``change`` (None drops the member)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = change(name, source.read(name))
            if content is not None:
                target.writestr(name, content)
    return out.getvalue()


def signed_headers(node: NodeIdentity, *, method: str, path: str, length: int | None = None,
                   ahead: int = 2, key: Ed25519PrivateKey | None = None) -> dict[str, str]:
    """Headers of a request signed by ``node`` as exchange.pulling.request_sign signs (``ahead`` seconds on: a key
    made this second is valid from its whole second; ``key``: another key signs under the node's key id).
    Django test client spelling (``HTTP_X_EXCHANGE_…``)."""
    from datetime import timedelta

    from gongxin.core import clock
    from gongxin.exchange.keys import b64
    from gongxin.exchange.pulling import request_signature_text

    at = (clock.now() + timedelta(seconds=ahead)).isoformat(timespec="seconds")
    signature = (key or node.current.signing).sign(request_signature_text(method=method, path_with_query=path, at=at,
                                                                 length=length))
    return {"HTTP_X_EXCHANGE_NODE": node.code, "HTTP_X_EXCHANGE_KEY": node.current.key_id,
            "HTTP_X_EXCHANGE_TIME": at, "HTTP_X_EXCHANGE_SIGNATURE": b64(signature)}


def push_headers(node: NodeIdentity, data: bytes) -> dict[str, str]:
    """A push of ``data`` signed by ``node`` (over the body's length)."""
    return signed_headers(node, method="POST", path="/api/v1/exchange/packages", length=len(data))
