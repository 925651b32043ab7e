"""The receiving interfaces: the file interface (前置机 way) and the entry point every interface calls.

File interface, per peer with an exchange directory ``D`` (``Peer.directory``):

- ``D/inbox/`` — packages for this node (``*.gxp`` or ``*.zip``; names starting with ``.`` are files still being
  written: writers write ``.<name>.part`` and rename, so a reader never sees half a file);
- ``D/receipts/<guid>.json`` — the receipt this node writes back for each package (atomically, the same way);
- ``D/inbox/done/`` — where a handled package is moved once its receipt is written.

A directory shared by both nodes of a pair works too: a node leaves alone the packages it sent itself. A pass
first finishes what a stopped process left being applied (``packages_resume``); a package whose receipt was not
written yet when the process stopped is received again, and its GUID returns the receipt already issued.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from pathlib import Path

from gongxin.exchange.keys import NodeIdentity, local_node
from gongxin.exchange.models import Peer, Receipt
from gongxin.exchange.packages import header_peek
from gongxin.exchange.services import package_receive, packages_resume, receipt_wire

logger = logging.getLogger(__name__)

PACKAGE_SUFFIXES = (".gxp", ".zip")

__all__ = ["file_write_atomic", "inbox_receive", "package_receive", "peer_inbox_receive"]


def file_write_atomic(path: Path, data: bytes) -> None:
    """Write ``path`` so that no reader sees it half written: a hidden temporary file, fsync, rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def inbox_receive(*, node: NodeIdentity | None = None) -> list[Receipt]:
    """One pass of the file interface over every active peer's exchange directory; the receipts issued."""
    node = node or local_node()
    packages_resume(node=node)
    receipts: list[Receipt] = []
    for peer in Peer.objects.filter(is_active=True).exclude(directory="").order_by("code"):
        receipts.extend(peer_inbox_receive(peer=peer, node=node))
    return receipts


def peer_inbox_receive(*, peer: Peer, node: NodeIdentity) -> list[Receipt]:
    base = Path(peer.directory)
    inbox = base / "inbox"
    if not inbox.is_dir():
        return []
    receipts: list[Receipt] = []
    for path in sorted(inbox.iterdir(), key=lambda p: p.name):
        if not path.is_file() or path.name.startswith(".") or path.suffix not in PACKAGE_SUFFIXES:
            continue
        header = header_peek(path)
        if header is not None and header.get("sender") == node.code:
            continue  # a package this node sent, in a directory the pair shares
        receipt = package_receive(data=path, via="file", node=node)
        name = f"{receipt.package_guid}.json" if receipt.package_guid else f"{path.stem}.json"
        file_write_atomic(base / "receipts" / name,
                          json.dumps(receipt_wire(receipt), ensure_ascii=False, sort_keys=True).encode("utf-8"))
        done = inbox / "done"
        done.mkdir(exist_ok=True)
        os.replace(path, done / path.name)
        receipts.append(receipt)
        logger.info("package %s from %s: %s", receipt.package_guid, peer.code, receipt.status)
    return receipts
