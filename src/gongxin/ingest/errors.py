from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class BatchNotFound(NotFound):
    code = "ingest.batch_not_found"
    default_message = _("No such batch.")


class BatchNotYours(PermissionDenied):
    code = "ingest.batch_not_yours"
    default_message = _("Only the source unit's operators and the credit office see this batch.")


class PushTooLarge(ValidationFailed):
    code = "ingest.push_too_large"
    default_message = _("A push holds at most 10,000 records; split it.")


class PushEmpty(ValidationFailed):
    code = "ingest.push_empty"
    default_message = _("The push holds no records.")


class IdempotencyKeyReused(Conflict):
    code = "ingest.idempotency_key_reused"
    default_message = _("This idempotency key was used for another catalog item.")


class BatchRunning(Conflict):
    code = "ingest.batch_running"
    default_message = _("This batch is being loaded by another run; follow it on the batch page, or run it again "
                        "once that run has ended.")


class BatchTakenOver(Conflict):
    code = "ingest.batch_taken_over"
    default_message = _("Another run took this batch over; this run stopped without writing its last chunk.")


class UploadTooLarge(ValidationFailed):
    code = "ingest.upload_too_large"
    status = 413
    default_message = _("The file is larger than an upload may be; split it, or load it with the gongxin ingest "
                        "command on the server.")


class NulCharacter(ValidationFailed):
    code = "ingest.nul_character"
    default_message = _("The idempotency key contains a NUL character.")


class FileRefused(ValidationFailed):
    """A file that cannot be loaded at all: the batch fails (and a stored upload is removed)."""


class FileUnreadable(FileRefused):
    code = "ingest.file_unreadable"
    default_message = _("The file cannot be read as CSV, Excel (.xlsx) or JSON Lines.")


class ColumnsMissing(FileRefused):
    code = "ingest.columns_missing"
    default_message = _("The file lacks required columns of the catalog item.")


class TooManyRows(FileRefused):
    code = "ingest.too_many_rows"
    default_message = _("The file holds more rows than a batch may hold; split it.")


class XlsxTooLarge(FileRefused):
    code = "ingest.xlsx_too_large"
    default_message = _("The Excel file would unpack to more than the platform accepts (or one of its parts is "
                        "compressed far more than spreadsheets are); it was not opened.")


class SnapshotNotAwaiting(Conflict):
    code = "ingest.snapshot_not_awaiting"
    default_message = _("This batch is not a snapshot awaiting a decision on its missing records.")


class SnapshotHeldForReview(PermissionDenied):
    code = "ingest.snapshot_held_for_review"
    default_message = _("This snapshot would revoke more than the policy's share of the records in force; only "
                        "the credit office may confirm it after review.")
