"""Batches of ingested records and the issues of their rows.

A batch is one file (uploaded, or given to ``gongxin ingest``) or one API push. Its counters and
``rows_done`` are written in the same transaction as each chunk of records, so after a crash the batch
says exactly how far it got and a re-run resumes there (ingest.pipeline). ``BatchIssue`` rows are the
error report: every rejected row with its column, value and reason, and the flags that do not reject
(late double publicity, a subject created from the row, a name that differs from the known name).
"""

from __future__ import annotations

from pathlib import PureWindowsPath

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.ingest.choices import BatchChannel, BatchStatus, FileFormat, IssueLevel


class Batch(models.Model):
    source_unit = models.ForeignKey("catalog.SourceUnit", verbose_name=_("source unit"), on_delete=models.PROTECT,
                                    related_name="batches")
    catalog_item = models.ForeignKey("catalog.CatalogItem", verbose_name=_("catalog item"),
                                     on_delete=models.PROTECT, related_name="batches")
    channel = models.CharField(_("channel"), max_length=10, choices=BatchChannel.choices)
    status = models.CharField(_("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    file = models.FileField(_("file"), upload_to="batches/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True, db_index=True)
    file_format = models.CharField(_("format"), max_length=8, choices=FileFormat.choices, blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, blank=True)
    # A full snapshot of (source unit, item): records it no longer contains are revoked once confirmed
    # (ingest.snapshot, decision 057). ``missing`` counts them; ``snapshot_plan`` holds the count of records in
    # force, the share, the limit, the id bounds the revocation keeps to and the decision (who, when).
    snapshot = models.BooleanField(_("full snapshot"), default=False)
    missing = models.PositiveIntegerField(_("missing from the snapshot"), default=0)
    snapshot_plan = models.JSONField(_("snapshot plan"), null=True, blank=True)
    # Counters (written with each committed chunk).
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    received = models.PositiveIntegerField(_("received"), default=0)
    inserted = models.PositiveIntegerField(_("inserted"), default=0)
    corrected = models.PositiveIntegerField(_("corrected"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    revoked = models.PositiveIntegerField(_("revoked"), default=0)
    duplicate = models.PositiveIntegerField(_("duplicate in file"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    flagged = models.PositiveIntegerField(_("flagged"), default=0)
    # Quality figures of the rows (ingest.quality): timeliness in working days, filled optional fields.
    stats = models.JSONField(_("statistics"), default=dict)
    # API pushes keep their per-row results so that a repeated idempotency key returns them.
    results = models.JSONField(_("row results"), null=True, blank=True)
    failure = models.TextField(_("failure"), blank=True)
    # The run loading the batch ("host:pid:start", ingest.locking) and when it last committed a chunk.
    owner = models.CharField(_("run by"), max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    actor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("actor"), max_length=200)
    created_at = models.DateTimeField(_("created at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source_unit", "idempotency_key"], name="uniq_batch_idempotency_key",
                                    condition=~models.Q(idempotency_key="")),
        ]
        indexes = [models.Index(fields=["source_unit", "catalog_item", "created_at"])]

    def __str__(self) -> str:
        return f"batch {self.pk} ({self.file_name or self.channel})"

    @property
    def file_shown(self) -> str:
        """The file's own name, as its sender named it: a batch loaded by ``gongxin ingest`` keeps the server
        path it was read from (to resume it), which pages and the API never show."""
        return PureWindowsPath(self.file_name).name if self.file_name else ""

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class BatchIssue(models.Model):
    """One problem of one row: a rejection (error) or a flag (warning)."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="issues")
    row_number = models.PositiveIntegerField(_("row"))  # as the source unit sees it: the line/row in its file
    level = models.CharField(_("level"), max_length=8, choices=IssueLevel.choices)
    column = models.CharField(_("column"), max_length=200, blank=True)
    value = models.TextField(_("value"), blank=True)
    code = models.CharField(_("code"), max_length=60)
    reason_zh = models.TextField(_("reason (Chinese)"))
    reason_en = models.TextField(_("reason (English)"))

    class Meta:
        verbose_name = _("batch issue")
        verbose_name_plural = _("batch issues")
        ordering = ["batch", "row_number", "pk"]
        indexes = [models.Index(fields=["batch", "level", "code"])]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number} {self.code}"
