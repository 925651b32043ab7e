"""Helpers of the exchange tests: in-memory remote nodes, their registration as peers, package rewriting."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

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
