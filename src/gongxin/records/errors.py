from datetime import date

from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class RecordNotFound(NotFound):
    code = "record.not_found"
    default_message = _("No such record.")


class NotOwnSourceUnit(PermissionDenied):
    code = "record.not_own_source_unit"
    default_message = _("You may act only on your own source unit's records.")


class WrongSubjectKind(ValidationFailed):
    code = "record.wrong_subject_kind"
    default_message = _("This catalog item does not apply to this kind of subject.")


class RecordRevoked(Conflict):
    code = "record.revoked"
    default_message = _("The record has been revoked and cannot change.")


class ItemNotProvidedByUnit(PermissionDenied):
    code = "record.item_not_provided_by_unit"
    default_message = _("This source unit does not provide this catalog item.")


class SubjectRequired(ValidationFailed):
    code = "record.subject_required"
    default_message = _("Name the subject by its USCC (organization) or RIN (person).")


class IdentityMissing(ValidationFailed):
    code = "record.identity_missing"
    default_message = _("Give the source record id, or fill every natural-key field of the catalog item.")


class FutureDay(ValidationFailed):
    """The daily clocks (records.expiry) asked to run for a day after today."""

    code = "clocks.future_day"

    def __init__(self, day: date) -> None:
        super().__init__(_("The clocks cannot run for a day in the future (%(day)s).") % {"day": day.isoformat()},
                         details={"day": day.isoformat()})
