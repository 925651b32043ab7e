"""The log's storage (docs/ledger.md, decision 062).

- ``QueuedEntry`` — the unsequenced queue: a writer adds one row per logged object (a record version, a report,
  a check certificate) in the transaction that writes the object, without any global lock.
- ``Leaf`` — the sequenced log: ``ledger integrate`` (one process at a time, under the ``TreeHead`` row lock)
  moves queued rows here with consecutive indexes; rows are never changed or removed.
- ``Node`` — every perfect subtree of two or more leaves, keyed ``index << 6 | level`` (level 1…63): an inclusion
  or consistency proof reads at most 2·log2(n) rows by primary key whatever the size (level 0 is ``Leaf``).
- ``TreeHead`` — the one row with the integrated size and root.
- ``AuditRun`` — each run of ``ledger.audit.audit_run`` with what it found.

Only hashes are stored: an object's leaf content is recomputed from the object by its kind's function
(``ledger.kinds``), so the log holds no personal data and outlives the objects it logs.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

NODE_LEVEL_BITS = 6


def node_key(level: int, index: int) -> int:
    """The primary key of the perfect subtree of ``2**level`` leaves starting at leaf ``index << level``."""
    return (index << NODE_LEVEL_BITS) | level


class QueuedEntry(models.Model):
    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(_("kind"), max_length=32)
    ref = models.BigIntegerField(_("reference"))
    sub = models.IntegerField(_("sub-reference"), default=0)
    leaf_hash = models.BinaryField(_("leaf hash"), max_length=32)
    queued_at = models.DateTimeField(_("queued at"))

    class Meta:
        verbose_name = _("queued log entry")
        verbose_name_plural = _("queued log entries")
        constraints = [models.UniqueConstraint(fields=["kind", "ref", "sub"], name="ledger_queue_uniq_ref")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref}/{self.sub}"


class Leaf(models.Model):
    index = models.BigIntegerField(_("leaf index"), primary_key=True)
    kind = models.CharField(_("kind"), max_length=32)
    ref = models.BigIntegerField(_("reference"))
    sub = models.IntegerField(_("sub-reference"), default=0)
    leaf_hash = models.BinaryField(_("leaf hash"), max_length=32)

    class Meta:
        verbose_name = _("log leaf")
        verbose_name_plural = _("log leaves")
        # Not unique: a second leaf of one object is a finding of the audit, not a failed integration.
        indexes = [models.Index(fields=["kind", "ref", "sub"], name="ledger_leaf_ref")]

    def __str__(self) -> str:
        return f"#{self.index} {self.kind}:{self.ref}/{self.sub}"


class Node(models.Model):
    id = models.BigIntegerField(primary_key=True)  # node_key(level, index)
    hash = models.BinaryField(_("hash"), max_length=32)

    class Meta:
        verbose_name = _("tree node")
        verbose_name_plural = _("tree nodes")

    def __str__(self) -> str:
        return f"level {self.id & ((1 << NODE_LEVEL_BITS) - 1)} index {self.id >> NODE_LEVEL_BITS}"


class TreeHead(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(_("tree size"), default=0)
    root = models.BinaryField(_("root hash"), max_length=32)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("tree head")
        verbose_name_plural = _("tree heads")

    def __str__(self) -> str:
        return f"{self.size} leaves"


class AuditStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    PASSED = "passed", _("No difference")
    FAILED = "failed", _("Differences found")


class AuditRun(models.Model):
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=AuditStatus.choices, default=AuditStatus.RUNNING)
    tree_size = models.BigIntegerField(_("tree size"), default=0)
    root = models.BinaryField(_("root hash"), max_length=32, default=b"")
    leaves_checked = models.BigIntegerField(_("leaves checked"), default=0)
    objects_checked = models.BigIntegerField(_("objects checked"), default=0)
    queued = models.BigIntegerField(_("entries not yet integrated"), default=0)
    differences = models.BigIntegerField(_("differences"), default=0)
    # The first differences found (kind, ref, sub, what), at most AUDIT_FINDINGS_KEPT of them.
    findings = models.JSONField(_("findings"), default=list)
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("log audit run")
        verbose_name_plural = _("log audit runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"audit {self.pk} {self.status}"

# Checkpoints, cosignatures, witnessed logs and the ledger's alerts (decisions 064, 065) live in their own module.
from gongxin.ledger.models_witnessing import Checkpoint, Cosignature, LedgerAlert, WitnessedLog  # noqa: E402

__all__ = [
    "AuditRun",
    "Checkpoint",
    "Cosignature",
    "Leaf",
    "LedgerAlert",
    "Node",
    "QueuedEntry",
    "TreeHead",
    "WitnessedLog",
    "node_key",
]
