"""Configuring this node and registering peers (writes; staff of the credit office or the system).

GB/T 2260 has no code for the nation itself: the national node uses ``100000`` (the provinces are
``XX0000``, cities ``XXXX00``, districts the rest), docs/exchange.md "Nodes and keys".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from gongxin.accounts.capabilities import decides_for_office
from gongxin.accounts.viewer import Viewer
from gongxin.core import clock
from gongxin.core.errors import PermissionDenied
from gongxin.exchange.choices import NodeLevel, PeerDirection
from gongxin.exchange.errors import PeerInvalid
from gongxin.exchange.keys import KeyPair, NodeIdentity, b64, key_id_of, local_node, node_keys_ensure, unb64
from gongxin.exchange.models import LocalNode, NodeKey, Peer, PeerKey

NATIONAL_CODE = "100000"
_CODE = re.compile(r"^\d{6}$")


def level_of_code(code: str) -> str:
    """The level a GB/T 2260 code names (100000: the nation, by this platform's choice)."""
    if code == NATIONAL_CODE:
        return NodeLevel.NATIONAL
    if code.endswith("0000"):
        return NodeLevel.PROVINCIAL
    if code.endswith("00"):
        return NodeLevel.CITY
    return NodeLevel.DISTRICT


def _code_check(code: str) -> str:
    code = (code or "").strip()
    if not _CODE.match(code):
        raise PeerInvalid(_("A node is named by its six-digit administrative division code (GB/T 2260)."),
                          details={"code": code})
    return code


def _staff_check(actor: Viewer) -> None:
    if not (decides_for_office(actor) or actor.label == "system"):
        raise PermissionDenied()


def node_configure(*, code: str, name: str, actor: Viewer) -> LocalNode:
    """This platform becomes (or stays) the exchange node ``code``; its key pair is created on first use."""
    _staff_check(actor)
    code = _code_check(code)
    with transaction.atomic():
        node = LocalNode.objects.select_for_update().first()
        if node is None:
            node = LocalNode.objects.create(code=code, level=level_of_code(code), name=name.strip()[:200],
                                            configured_at=clock.now())
        else:
            node.code, node.level, node.name = code, level_of_code(code), name.strip()[:200]
            node.save(update_fields=["code", "level", "name"])
    node_keys_ensure()
    return node


@dataclass(frozen=True)
class PublicKeys:
    """A node's public keys as it publishes them and peers register them."""

    key_id: str
    signing_public: str  # base64 of the raw 32-byte Ed25519 key
    sealing_public: str  # base64 of the raw 32-byte X25519 key
    valid_from: datetime
    valid_until: datetime | None = None

    @classmethod
    def of_pair(cls, pair: KeyPair, *, valid_until: datetime | None = None) -> PublicKeys:
        return cls(pair.key_id, b64(pair.signing_public), b64(pair.sealing_public), pair.created_at, valid_until)


def node_public_keys() -> list[PublicKeys]:
    """This node's public keys, current and retired, with their validity (what peers register)."""
    node_keys_ensure()
    return [PublicKeys(k.key_id, k.signing_public, k.sealing_public, k.valid_from, k.valid_until)
            for k in NodeKey.objects.order_by("valid_from", "pk")]


def public_keys_parse(text: str) -> list[PublicKeys]:
    """A peer's public keys as its node prints them (``gongxin exchange keys show``, the peers page): a JSON list of
    ``key_id``, ``signing_public``, ``sealing_public``, ``valid_from`` and ``valid_until`` (null: current)."""
    try:
        items = json.loads(text)
        keys = [PublicKeys(str(k["key_id"]), str(k["signing_public"]), str(k["sealing_public"]),
                           datetime.fromisoformat(str(k["valid_from"])),
                           datetime.fromisoformat(str(k["valid_until"])) if k.get("valid_until") else None)
                for k in items]
    except (ValueError, TypeError, KeyError) as exc:
        raise PeerInvalid(_("The public keys are not the JSON list a node prints with its keys."),
                          details={"reason": str(exc)[:200]}) from exc
    if any(k.valid_from.tzinfo is None or (k.valid_until is not None and k.valid_until.tzinfo is None)
           for k in keys):
        raise PeerInvalid(_("The keys' validity times must carry their time zone."))
    return keys


def public_keys_json(keys: list[PublicKeys]) -> str:
    """This node's public keys as peers register them (the format ``public_keys_parse`` reads)."""
    return json.dumps([{"key_id": k.key_id, "signing_public": k.signing_public, "sealing_public": k.sealing_public,
                        "valid_from": k.valid_from.isoformat(),
                        "valid_until": k.valid_until.isoformat() if k.valid_until else None} for k in keys], indent=2)


def node_identity() -> NodeIdentity:
    return local_node()


def peer_register(*, code: str, name: str, direction: str, keys: list[PublicKeys], actor: Viewer,
                  service_url: str = "", directory: str = "") -> Peer:
    """Register a peer (or update one) with its public keys; keys already known keep their rows, a new
    key's validity is as given (a retired key keeps verifying what it signed while it was valid)."""
    _staff_check(actor)
    code = _code_check(code)
    if direction not in PeerDirection.values:
        raise PeerInvalid(_("The direction is upstream or downstream."), details={"direction": direction})
    if not keys:
        raise PeerInvalid(_("A peer needs at least one public key."))
    for key in keys:
        try:
            signing, sealing = unb64(key.signing_public), unb64(key.sealing_public)
        except ValueError as exc:
            raise PeerInvalid(_("A public key is not valid base64."), details={"key_id": key.key_id}) from exc
        if len(signing) != 32 or len(sealing) != 32 or key_id_of(signing) != key.key_id:
            raise PeerInvalid(_("A public key is not a raw 32-byte key, or its key id does not match it."),
                              details={"key_id": key.key_id})
    with transaction.atomic():
        peer, _created = Peer.objects.update_or_create(code=code, defaults={
            "name": name.strip()[:200], "level": level_of_code(code), "direction": direction,
            "service_url": service_url.strip(), "directory": directory.strip(), "is_active": True,
            "registered_at": clock.now(), "registered_by": actor.label[:200]})
        for key in keys:
            PeerKey.objects.update_or_create(peer=peer, key_id=key.key_id, defaults={
                "signing_public": key.signing_public, "sealing_public": key.sealing_public,
                "valid_from": key.valid_from, "valid_until": key.valid_until})
    return peer


def peer_deactivate(*, code: str, actor: Viewer) -> Peer:
    _staff_check(actor)
    peer = Peer.objects.filter(code=code).first()
    if peer is None:
        from gongxin.exchange.errors import PeerNotFound

        raise PeerNotFound()
    Peer.objects.filter(pk=peer.pk).update(is_active=False)
    peer.refresh_from_db()
    return peer
