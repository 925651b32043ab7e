"""The peers page: this node, its public keys to hand to peers, and the peers registered here (the credit office
reads; its deciders register a peer or a peer's new keys)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongxin.accounts.capabilities import decides_for_office, is_office
from gongxin.accounts.doors import page_requires, page_viewer
from gongxin.core.errors import GongxinError, PermissionDenied
from gongxin.exchange.choices import NodeLevel, PeerDirection
from gongxin.exchange.forms import PeerForm
from gongxin.exchange.mappings import receiving_mappings
from gongxin.exchange.models import LocalNode, Peer
from gongxin.exchange.nodes import node_public_keys, peer_register, public_keys_json, public_keys_parse


@page_requires(is_office)
def peers(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    deciding = decides_for_office(viewer)
    if request.method == "POST" and not deciding:
        raise PermissionDenied()
    form = PeerForm(request.POST if request.method == "POST" else None)
    error: GongxinError | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            peer = peer_register(code=data["code"], name=data["name"], direction=data["direction"],
                                 keys=public_keys_parse(data["keys"]), actor=viewer,
                                 service_url=data["service_url"], directory=data["directory"])
        except GongxinError as exc:
            error = exc
        else:
            messages.success(request, _("Peer %(code)s %(name)s registered.") % {"code": peer.code,
                                                                               "name": peer.name})
            return redirect("exchange:peers")
    node = LocalNode.objects.first()
    rows = []
    for peer in Peer.objects.prefetch_related("keys").order_by("code"):
        keys = list(peer.keys.all())
        rows.append({"peer": peer, "level": NodeLevel(peer.level).label,
                     "direction": PeerDirection(peer.direction).label,
                     "current_keys": [k.key_id for k in keys if k.valid_until is None],
                     "retired_keys": len([k for k in keys if k.valid_until is not None])})
    return render(request, "exchange/peers.html", {
        "node": node, "node_level": NodeLevel(node.level).label if node else "",
        "keys_json": public_keys_json(node_public_keys()) if node else "", "rows": rows, "form": form,
        "deciding": deciding, "error": error, "mappings": receiving_mappings(),
    })
