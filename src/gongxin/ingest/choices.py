from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    # A snapshot whose rows are loaded and whose missing records wait for a decision (ingest.snapshot).
    AWAITING = "awaiting", _("Awaiting confirmation")
    HELD = "held", _("Held for review")


class BatchChannel(models.TextChoices):
    UPLOAD = "upload", _("File upload")
    COMMAND = "command", _("Command line")
    PUSH = "push", _("API push")


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (.xlsx)"
    JSONL = "jsonl", "JSON Lines"


class IssueLevel(models.TextChoices):
    ERROR = "error", _("Rejected")
    WARNING = "warning", _("Flagged")


class RowOutcome(models.TextChoices):
    INSERTED = "inserted", _("Inserted")
    CORRECTED = "corrected", _("Corrected")
    UNCHANGED = "unchanged", _("Unchanged")
    REVOKED = "revoked", _("Revoked")
    DUPLICATE = "duplicate", _("Duplicate in file")
    REJECTED = "rejected", _("Rejected")
