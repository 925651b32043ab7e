"""Provenance of what the exchange brought, for the pages and the API of the apps below it (decision 077).

A received package writes every version under the actor label ``exchange:<node code>:<package GUID>``
(``services.provenance_label``) and marks the subjects it registered (``ExchangedSubject``). This module reads
them back:

- ``exchange_actors_named``: the label in words, for the credit office "数据交换：浙江省（330000），数据包 1a2b3c4d"
  (the node's name from its registered peer); everyone else gets nothing from here, so the role-level name of
  ``accounts.actors`` ("the platform") stands — the public sees the issuing body as the record's source unit and
  nothing of packages;
- ``records_exchanged``: the records whose *first* version came by exchange, with node, package and receipt time;
- ``subjects_exchanged``: the subjects a package registered, with node, package and time.

``provenance_hooks_register`` (from ``apps.ready``) registers them with ``accounts.actors`` and
``core.provenance``, through which the lower apps ask.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from gongxin.accounts.actors import actor_namer_register
from gongxin.accounts.viewer import Viewer
from gongxin.core.provenance import Provenance, provenance_register
from gongxin.exchange.choices import PackageDirection
from gongxin.exchange.models import ExchangedSubject, Package, Peer
from gongxin.exchange.services import ACTOR_PREFIX, provenance_of
from gongxin.records.models import RecordVersion

VIA = "exchange"
GUID_SHOWN = 8  # hex digits of a package GUID shown in words (the whole GUID is in the API and the audit)


def _guid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def peers_named(codes: Iterable[str]) -> dict[str, str]:
    """The registered names of the peers of ``codes`` (a code no longer registered is left out)."""
    wanted = set(codes)
    if not wanted:
        return {}
    return dict(Peer.objects.filter(code__in=wanted).values_list("code", "name"))


def node_shown(*, code: str, name: str) -> str:
    """A node in words: its name with its division code beside it, or the code alone when it is not known here."""
    return _("%(name)s (%(code)s)") % {"name": name, "code": code} if name else code


def exchange_actors_named(labels: set[str], viewer: Viewer, office: bool) -> dict[str, str]:
    """``accounts.actors``' namer of ``exchange:…`` labels: node and short package GUID, for the office only."""
    if not office:
        return {}
    parsed = {label: provenance_of(label) for label in labels}
    names = peers_named(found[0] for found in parsed.values() if found is not None)
    shown: dict[str, str] = {}
    for label, found in parsed.items():
        if found is None:
            continue
        code, guid = found
        shown[label] = _("Data exchange: %(node)s, package %(package)s") % {
            "node": node_shown(code=code, name=names.get(code, "")), "package": guid[:GUID_SHOWN]}
    return shown


def _audit_url() -> str:
    # The audit page accounts for every package per peer and item; there is no page per package.
    return reverse("exchange:audit")


def records_exchanged(record_ids: Collection[int]) -> dict[int, Provenance]:
    """The records of ``record_ids`` whose first version a received package wrote: node, package, received at.
    Three queries whatever the number of records (versions, peers, packages)."""
    firsts = RecordVersion.objects.filter(record_id__in=list(record_ids), number=1,
                                          actor_label__startswith=ACTOR_PREFIX).values_list("record_id", "actor_label")
    origin: dict[int, tuple[str, str]] = {}
    for record_id, label in firsts:
        found = provenance_of(label)
        if found is not None:
            origin[record_id] = found
    if not origin:
        return {}
    names = peers_named(code for code, _guid_text in origin.values())
    guids = {g for _code, text in origin.values() if (g := _guid(text)) is not None}
    received: dict[str, datetime | None] = {
        str(guid): at or applied for guid, at, applied in Package.objects.filter(
            direction=PackageDirection.RECEIVED, guid__in=guids).values_list("guid", "received_at", "applied_at")}
    audit = _audit_url()
    return {
        record_id: Provenance(via=VIA, node=code, node_name=names.get(code, ""), package=guid,
                              at=received.get(guid), audit_url=audit)
        for record_id, (code, guid) in origin.items()
    }


def subjects_exchanged(subject_ids: Collection[int]) -> dict[int, Provenance]:
    """The subjects of ``subject_ids`` registered here because a received package named them. Two queries."""
    marks = list(ExchangedSubject.objects.filter(subject_id__in=list(subject_ids)))
    if not marks:
        return {}
    names = peers_named(mark.node_code for mark in marks)
    audit = _audit_url()
    return {
        mark.subject_id: Provenance(via=VIA, node=mark.node_code, node_name=names.get(mark.node_code, ""),
                                    package=str(mark.package_guid), at=mark.registered_at, audit_url=audit)
        for mark in marks
    }


def provenance_hooks_register() -> None:
    """Called by ``ExchangeConfig.ready``: the lower apps name and show the exchange's provenance through these."""
    actor_namer_register(prefix=ACTOR_PREFIX, namer=exchange_actors_named)
    provenance_register(records=records_exchanged, subjects=subjects_exchanged)
