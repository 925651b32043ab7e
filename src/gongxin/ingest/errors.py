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


class UnknownSourceUnit(NotFound):
    code = "ingest.unknown_source_unit"
    default_message = _("No such source unit.")


class UnknownItem(NotFound):
    code = "ingest.unknown_item"
    default_message = _("No such catalog item in the current catalog.")
