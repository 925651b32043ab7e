"""Exchange nodes, peers and their keys, data packages received and sent, and receipts (docs/exchange.md).

This platform's own node (its GB/T 2260 division code and level) is one ``LocalNode`` row; its private keys
live in the data directory (``exchange.keys``), their public halves in ``NodeKey`` with their validity so that
peers keep verifying packages signed before a rotation. Peers are registered by staff with their public keys
(``PeerKey``, also with validity).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.exchange.choices import NodeLevel, PackageDirection, PackageMode, PackageStatus, PeerDirection


class LocalNode(models.Model):
    """This platform as an exchange node (one row)."""

    code = models.CharField(_("division code"), max_length=12, unique=True)
    level = models.CharField(_("level"), max_length=12, choices=NodeLevel.choices)
    name = models.CharField(_("name"), max_length=200)
    configured_at = models.DateTimeField(_("configured at"))

    class Meta:
        verbose_name = _("this exchange node")
        verbose_name_plural = _("this exchange node")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class NodeKey(models.Model):
    """The public halves of this node's key pairs, current and retired (the private halves: data directory)."""

    key_id = models.CharField(_("key id"), max_length=16, unique=True)
    signing_public = models.CharField(_("Ed25519 public key (base64)"), max_length=64)
    sealing_public = models.CharField(_("X25519 public key (base64)"), max_length=64)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("node key")
        verbose_name_plural = _("node keys")
        ordering = ["valid_from", "pk"]

    def __str__(self) -> str:
        return self.key_id



class Peer(models.Model):
    """Another exchange node this one exchanges with, registered by staff."""

    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=12, choices=NodeLevel.choices)
    direction = models.CharField(_("direction"), max_length=12, choices=PeerDirection.choices)
    service_url = models.CharField(_("service address"), max_length=500, blank=True)
    directory = models.CharField(_("exchange directory"), max_length=500, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    registered_at = models.DateTimeField(_("registered at"))
    registered_by = models.CharField(_("registered by"), max_length=200)

    class Meta:
        verbose_name = _("exchange peer")
        verbose_name_plural = _("exchange peers")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PeerKey(models.Model):
    """A public key pair of a peer; a signature verifies with a key valid when the package was created."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="keys")
    key_id = models.CharField(_("key id"), max_length=16)
    signing_public = models.CharField(_("Ed25519 public key (base64)"), max_length=64)
    sealing_public = models.CharField(_("X25519 public key (base64)"), max_length=64)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("peer key")
        verbose_name_plural = _("peer keys")
        ordering = ["valid_from", "pk"]
        constraints = [models.UniqueConstraint(fields=["peer", "key_id"], name="exchange_peerkey_unique")]

    def __str__(self) -> str:
        return f"{self.peer_id}:{self.key_id}"



class Package(models.Model):
    """A data package received or sent: its header fields, where it stands and, once applied, its batch."""

    guid = models.UUIDField(_("package GUID"))
    direction = models.CharField(_("direction"), max_length=10, choices=PackageDirection.choices)
    peer = models.ForeignKey(Peer, null=True, blank=True, on_delete=models.PROTECT, related_name="packages")
    sender_code = models.CharField(_("sender"), max_length=12)
    receiver_code = models.CharField(_("receiver"), max_length=12)
    item_code = models.CharField(_("national item code"), max_length=60)
    local_item_code = models.CharField(_("local item code"), max_length=60, blank=True)
    mode = models.CharField(_("mode"), max_length=12, choices=PackageMode.choices)
    sequence = models.PositiveBigIntegerField(_("sequence"))
    record_count = models.PositiveBigIntegerField(_("records"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    header = models.JSONField(_("header"), default=dict)
    created_at = models.DateTimeField(_("created at"))  # the header's time
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=14, choices=PackageStatus.choices)
    via = models.CharField(_("interface"), max_length=10, blank=True)  # file | service | pull
    source_unit_id = models.BigIntegerField(_("source unit"), null=True, blank=True)
    # A received package waiting for its turn (or being applied) is kept as a file until it is applied.
    file_path = models.CharField(_("stored file"), max_length=500, blank=True)
    # The ingest batches that applied it: {issuing body's code ("" upward): batch id}.
    batches = models.JSONField(_("ingest batches"), default=dict, blank=True)
    applied = models.PositiveBigIntegerField(_("applied records"), default=0)
    duplicates = models.PositiveBigIntegerField(_("duplicate records"), default=0)
    rejected = models.PositiveBigIntegerField(_("rejected records"), default=0)
    error_code = models.CharField(_("error code"), max_length=60, blank=True)
    error_message = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("data package")
        verbose_name_plural = _("data packages")
        constraints = [
            models.UniqueConstraint(fields=["direction", "guid"], name="exchange_package_guid_unique"),
            models.UniqueConstraint(
                fields=["direction", "sender_code", "receiver_code", "item_code", "sequence"],
                condition=~models.Q(status="refused"), name="exchange_package_sequence_unique",
            ),
        ]
        indexes = [models.Index(fields=["direction", "status"], name="exchange_package_status")]

    def __str__(self) -> str:
        return f"{self.direction} {self.guid}"



class Receipt(models.Model):
    """The receipt (回执) of one package: issued here for a received package, or stored as the peer sent it."""

    package_guid = models.UUIDField(_("package GUID"))
    direction = models.CharField(_("direction"), max_length=10, choices=PackageDirection.choices)
    status = models.CharField(_("outcome"), max_length=12)  # applied | partial | refused | held
    document = models.JSONField(_("receipt"))  # the signed document, exactly as signed
    signature = models.TextField(_("signature"))
    key_id = models.CharField(_("key id"), max_length=16)
    issued_at = models.DateTimeField(_("issued at"))
    verified = models.BooleanField(_("signature verified"), default=False)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            models.UniqueConstraint(fields=["direction", "package_guid"], name="exchange_receipt_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.package_guid}"


class ExternalSourceUnit(models.Model):
    """A source unit the exchange created: one per downstream peer (its records arrive as that unit's) or one
    per issuing body of a higher level (a court, a ministry), marked external: nobody here operates it."""

    source_unit = models.OneToOneField("catalog.SourceUnit", on_delete=models.PROTECT, primary_key=True,
                                       related_name="exchange_origin")
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="source_units")
    issuer_code = models.CharField(_("issuing body's code"), max_length=40, blank=True)  # blank: the peer itself
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("external source unit")
        verbose_name_plural = _("external source units")
        constraints = [models.UniqueConstraint(fields=["peer", "issuer_code"], name="exchange_external_unit")]

    def __str__(self) -> str:
        return f"{self.peer_id}:{self.issuer_code}"


class ExchangedSubject(models.Model):
    """A subject first registered here by a received package (unknown locally until then)."""

    subject = models.OneToOneField("subjects.Subject", on_delete=models.CASCADE, primary_key=True,
                                   related_name="exchange_origin")
    node_code = models.CharField(_("from node"), max_length=12)
    package_guid = models.UUIDField(_("package GUID"))
    registered_at = models.DateTimeField(_("registered at"))

    class Meta:
        verbose_name = _("subject from the exchange")
        verbose_name_plural = _("subjects from the exchange")

    def __str__(self) -> str:
        return f"{self.subject_id} {self.node_code}"
