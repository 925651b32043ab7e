"""What this node receives and where it lands (the receiving side's mirror of ``Subscription``, decision 079).

``ReceivingMapping``: packages of a national catalog item code — from one peer, or from any peer when ``peer`` is
empty — land on the local catalog item with the code ``local_item_code`` (the current edition's active item of that
code), their body's field names renamed national → local by ``field_mapping`` (a name not listed is taken as the
local field code). A peer's own mapping wins over the any-peer one; with neither, the national code is looked up as
a local item code (the platform's codes are the national catalog's), then the sender's local code.

Defined outside ``models.py`` and registered by ``apps.py``, like the sending side's models.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReceivingMapping(models.Model):
    peer = models.ForeignKey("exchange.Peer", verbose_name=_("peer"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="receiving_mappings",
                             help_text=_("Empty: packages of this item from any peer"))
    national_item_code = models.CharField(_("national catalog item code"), max_length=60)
    # A code, not a row: the item of that code in the catalog's current edition (editions replace item rows).
    local_item_code = models.CharField(_("local catalog item code"), max_length=60)
    # National field name -> local field code; a name not listed is taken as the local field code.
    field_mapping = models.JSONField(_("field mapping"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.CharField(_("created by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("receiving mapping")
        verbose_name_plural = _("receiving mappings")
        constraints = [
            models.UniqueConstraint(fields=["peer", "national_item_code"], condition=Q(peer__isnull=False),
                                    name="uniq_exchange_receiving_mapping_peer"),
            models.UniqueConstraint(fields=["national_item_code"], condition=Q(peer__isnull=True),
                                    name="uniq_exchange_receiving_mapping_any"),
        ]

    def __str__(self) -> str:
        return f"{self.peer_id or '*'}:{self.national_item_code}->{self.local_item_code}"
