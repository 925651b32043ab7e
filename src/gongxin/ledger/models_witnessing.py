"""Signed checkpoints of this platform's log, the co-signatures its witnesses returned, the state of the logs this
platform witnesses, and the alerts of a split view (decisions 064, 065). Imported by ledger.models."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.ledger.choices_witnessing import AlertKind, AlertSide, AlertStatus, CheckpointCause


class Checkpoint(models.Model):
    """One signed tree head of this platform's log: the C2SP checkpoint note signed with the platform key.
    At most one per tree size (the tree of a size never changes); never updated."""

    tree_size = models.BigIntegerField(_("tree size"), unique=True)
    root_hash = models.BinaryField(_("root hash"), max_length=32)
    origin = models.CharField(_("origin"), max_length=200)
    note_text = models.TextField(_("signed note"))  # the checkpoint text and the log's own signature line
    key_id = models.CharField(_("signing key"), max_length=16)  # core.signing key id of the key that signed
    cause = models.CharField(_("cause"), max_length=10, choices=CheckpointCause.choices)
    created_at = models.DateTimeField(_("signed at"))

    class Meta:
        app_label = "ledger"
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["-tree_size"]

    def __str__(self) -> str:
        return f"{self.origin} {self.tree_size}"


class Cosignature(models.Model):
    """A witness's timestamped cosignature line (c2sp.org/tlog-cosignature, type 0x04) of one checkpoint."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="cosignatures")
    witness = models.CharField(_("witness"), max_length=200)  # the witness key's name
    key_id = models.CharField(_("key id"), max_length=8)  # hex of the note key id
    line = models.TextField(_("signature line"))
    cosigned_at = models.DateTimeField(_("cosigned at"))  # the cosignature's own timestamp
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        app_label = "ledger"
        verbose_name = _("cosignature")
        verbose_name_plural = _("cosignatures")
        ordering = ["checkpoint", "witness"]
        constraints = [models.UniqueConstraint(fields=["checkpoint", "witness", "key_id"], name="one_cosignature")]

    def __str__(self) -> str:
        return f"{self.witness} {self.checkpoint_id}"


class WitnessedLog(models.Model):
    """A log this platform witnesses: the largest consistent checkpoint it has verified and cosigned."""

    origin = models.CharField(_("origin"), max_length=200, unique=True)
    tree_size = models.BigIntegerField(_("tree size"), default=0)
    root_hash = models.BinaryField(_("root hash"), max_length=32, null=True, blank=True)
    note_text = models.TextField(_("last checkpoint"), blank=True, default="")  # as cosigned, with our line
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    cosigned_at = models.DateTimeField(_("cosigned at"), null=True, blank=True)
    last_problem = models.CharField(_("last problem"), max_length=40, blank=True, default="")

    class Meta:
        app_label = "ledger"
        verbose_name = _("witnessed log")
        verbose_name_plural = _("witnessed logs")
        ordering = ["origin"]

    def __str__(self) -> str:
        return f"{self.origin} {self.tree_size}"


class LedgerAlert(models.Model):
    """A split view or a refused checkpoint, on the log's side (a witness reported it, or a cosignature named a
    checkpoint this platform never signed) or on the witness's side (it refused the checkpoint). The evidence is
    kept as the notes themselves, which anyone can verify again."""

    side = models.CharField(_("side"), max_length=10, choices=AlertSide.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    origin = models.CharField(_("origin"), max_length=200)
    reported_by = models.CharField(_("reported by"), max_length=200, blank=True, default="")
    tree_size = models.BigIntegerField(_("tree size"), null=True, blank=True)
    seen_size = models.BigIntegerField(_("size seen before"), null=True, blank=True)
    seen_note = models.TextField(_("checkpoint seen before"), blank=True, default="")
    offered_note = models.TextField(_("checkpoint offered"), blank=True, default="")
    raised_at = models.DateTimeField(_("raised at"))

    class Meta:
        app_label = "ledger"
        verbose_name = _("ledger alert")
        verbose_name_plural = _("ledger alerts")
        ordering = ["-raised_at", "-id"]

    def __str__(self) -> str:
        return f"{self.side} {self.kind} {self.origin}"
