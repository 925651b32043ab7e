"""Receiving mappings (docs/exchange.md "Receiving mappings", decision 079): which local catalog item a package of a
national catalog item lands on, and under which local field codes its body's field names are read.

- ``receiving_target(sender=…, item_code=…, local_item_code=…)``: the item and the national → local field names
  for a package — the sender's own active mapping, else the any-peer one, else today's rule (the national code as a
  local item code, then the sender's local code, fields by their own names). One query for the mapping, one for
  the item: looked up once per package, never per record.
- ``receiving_mapping_set(…)`` adds or changes a mapping (the credit office's deciders or the system);
  ``receiving_mappings()`` lists them for ``gongxin exchange map --list`` and the peers page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gongxin.accounts.capabilities import decides_for_office
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.models import CatalogItem
from gongxin.catalog.selectors import items_current
from gongxin.core import clock
from gongxin.core.errors import PermissionDenied
from gongxin.exchange.errors import ReceivingMappingInvalid
from gongxin.exchange.models import Peer
from gongxin.exchange.receiving_models import ReceivingMapping

__all__ = ["ReceivingTarget", "current_item", "receiving_mapping_set", "receiving_mappings", "receiving_target"]


@dataclass(frozen=True)
class ReceivingTarget:
    """Where a package lands: the local item and its body's field names renamed national → local (empty: the
    names are the local field codes)."""

    item: CatalogItem
    fields: Mapping[str, str] = field(default_factory=dict)
    mapping_id: int | None = None

    def row(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """A record's fields under the local field codes (a name not mapped is kept)."""
        if not self.fields:
            return dict(fields)
        return {self.fields.get(name, name): value for name, value in fields.items()}


def current_item(code: str) -> CatalogItem | None:
    """The active catalog item of the current edition with this code (catalog's one list of current items)."""
    if not code:
        return None
    return items_current().filter(code=code).first()


def receiving_target(*, sender: str, item_code: str, local_item_code: str = "") -> ReceivingTarget | None:
    """The target of a package of ``item_code`` from ``sender`` (None: unmapped, the package is refused). A mapping
    found decides alone: its item missing from the current edition refuses the package rather than guessing."""
    mapping = (ReceivingMapping.objects.filter(national_item_code=item_code, is_active=True)
               .filter(peer__code=sender).first()
               or ReceivingMapping.objects.filter(national_item_code=item_code, is_active=True,
                                                  peer__isnull=True).first()) if item_code else None
    if mapping is not None:
        item = current_item(mapping.local_item_code)
        return ReceivingTarget(item, dict(mapping.field_mapping or {}), mapping.pk) if item is not None else None
    item = current_item(item_code) or current_item(local_item_code)
    return ReceivingTarget(item) if item is not None else None


def receiving_mapping_set(*, national_item_code: str, local_item_code: str, actor: Viewer, peer_code: str = "",
                          field_mapping: Mapping[str, str] | None = None,
                          is_active: bool = True) -> ReceivingMapping:
    """Packages of ``national_item_code`` (from ``peer_code``, or from any peer) land on the local item
    ``local_item_code`` with ``field_mapping`` (national field name → local field code); re-running replaces the
    mapping. The local item must be in the current edition and each local field one of its fields."""
    if not (decides_for_office(actor) or actor.label == "system"):
        raise PermissionDenied()
    national_item_code, local_item_code = national_item_code.strip(), local_item_code.strip()
    if not national_item_code or len(national_item_code) > 60:
        raise ReceivingMappingInvalid(_("The national catalog item code is empty or longer than 60 characters."))
    item = current_item(local_item_code)
    if item is None:
        raise ReceivingMappingInvalid(
            _("No active catalog item %(code)s in the current edition.") % {"code": local_item_code},
            details={"local_item_code": local_item_code})
    fields = {str(k).strip(): str(v).strip() for k, v in (field_mapping or {}).items()}
    codes = {f["code"] for f in item.fields}
    unknown = sorted(local for national, local in fields.items() if not national or local not in codes)
    if unknown or "" in fields:
        raise ReceivingMappingInvalid(
            _("Each mapping is national field name=local field code, with a field of %(item)s: %(fields)s.")
            % {"item": item.code, "fields": ", ".join(unknown) or "="},
            details={"fields": unknown})
    peer = None
    if peer_code:
        peer = Peer.objects.filter(code=peer_code.strip()).first()
        if peer is None:
            raise ReceivingMappingInvalid(_("No peer %(code)s is registered.") % {"code": peer_code},
                                          details={"peer": peer_code})
    values = {"local_item_code": item.code, "field_mapping": fields, "is_active": is_active}
    with transaction.atomic():
        mapping, _created = ReceivingMapping.objects.update_or_create(
            peer=peer, national_item_code=national_item_code, defaults=values,
            create_defaults={**values, "created_at": clock.now(), "created_by": actor.label[:200]})
    return mapping


def receiving_mappings() -> list[dict[str, Any]]:
    """Every mapping, by national code then peer (the any-peer one first), with its peer's name."""
    rows = (ReceivingMapping.objects.select_related("peer")
            .order_by("national_item_code", F("peer__code").asc(nulls_first=True)))
    return [{"national_item_code": m.national_item_code, "peer_code": m.peer.code if m.peer else "",
             "peer_name": m.peer.name if m.peer else "", "local_item_code": m.local_item_code,
             "field_mapping": dict(m.field_mapping or {}), "is_active": m.is_active} for m in rows]
