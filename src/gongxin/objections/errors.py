"""The objections app's errors, each with a stable code (see gongxin.core.errors)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class ObjectionNotFound(NotFound):
    code = "objection.not_found"
    default_message = _("No such objection.")


class EvidenceNotFound(NotFound):
    code = "objection.evidence_not_found"
    default_message = _("No such evidence file.")


class NotOwnRecord(PermissionDenied):
    code = "objection.not_own_record"
    default_message = _("You may object only to your own records.")


class NotStaff(PermissionDenied):
    code = "objection.not_staff"
    default_message = _("Only credit office staff may do this.")


class NotSourceUnit(PermissionDenied):
    code = "objection.not_source_unit"
    default_message = _("Only operators of the record's source unit may decide this objection.")


class NotSubject(PermissionDenied):
    code = "objection.not_subject"
    default_message = _("Only the subject who filed the objection may do this.")


class AlreadyOpen(Conflict):
    code = "objection.already_open"
    default_message = _("An objection to this record is already being handled.")


class WrongStatus(Conflict):
    code = "objection.wrong_status"
    default_message = _("The objection is not in a state that allows this step.")


class ReviewUsed(Conflict):
    code = "objection.review_used"
    default_message = _("A review has already been requested for this objection; it can be asked once.")


class RecordGone(Conflict):
    code = "objection.record_gone"
    default_message = _("The record has been deleted; there is nothing left to object to.")


class ExtensionTooLong(ValidationFailed):
    code = "objection.extension_too_long"
    default_message = _("The extension would exceed the longest time allowed in all.")


class ReasonRequired(ValidationFailed):
    code = "objection.reason_required"
    default_message = _("Give a reason.")


class DecisionNotApplicable(ValidationFailed):
    code = "objection.decision_not_applicable"
    default_message = _("This decision does not apply to this record.")


class PayloadRequired(ValidationFailed):
    code = "objection.payload_required"
    default_message = _("A correction or supplement needs the record's corrected content.")


class EvidenceInvalid(ValidationFailed):
    code = "objection.evidence_invalid"
    default_message = _("The evidence file is not accepted.")
