"""Errors of the rewards app, with stable codes (clients branch on them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class UnknownMatter(NotFound):
    code = "rewards.unknown_matter"
    default_message = _("No matter has this code.")


class MatterNotOfSystem(PermissionDenied):
    code = "rewards.matter_not_of_system"
    default_message = _("This matter belongs to another business system.")


class NotABusinessSystem(PermissionDenied):
    code = "rewards.not_a_business_system"
    default_message = _("Only registered business systems, credit office staff and the subject itself may check.")


class SubjectNotFound(NotFound):
    code = "rewards.subject_not_found"
    default_message = _("No subject has this code.")


class PersonCheckNotAllowed(PermissionDenied):
    code = "rewards.person_check_not_allowed"
    default_message = _("Checking natural persons needs the sharing scope.")


class SubjectCodeRequired(ValidationFailed):
    code = "rewards.subject_code_required"
    default_message = _("Give exactly one of uscc or rin.")


class BatchTooLarge(ValidationFailed):
    code = "rewards.batch_too_large"
    default_message = _("A batch holds at most 1,000 subjects.")


class CheckNotFound(NotFound):
    code = "rewards.check_not_found"
    default_message = _("No such check.")


class FeedbackNotAllowed(PermissionDenied):
    code = "rewards.feedback_not_allowed"
    default_message = _("Only the business system that made the check may report back on it.")


class FeedbackExists(Conflict):
    code = "rewards.feedback_exists"
    default_message = _("Feedback on this check has already been given.")


class MeasureNotHit(ValidationFailed):
    code = "rewards.measure_not_hit"
    default_message = _("A measure reported as applied was not among the check's hits.")


class MeasureInvalid(ValidationFailed):
    code = "rewards.measure_invalid"
    default_message = _("The measure is not valid.")


class OutcomeInvalid(MeasureInvalid):
    """Feedback naming an outcome that is not one of FeedbackOutcome."""

    code = "rewards.outcome_invalid"
    default_message = _("Unknown outcome.")


class LegalBasisRequired(ValidationFailed):
    code = "rewards.legal_basis_required"
    default_message = _("Every measure needs its legal basis.")


class MeasureNotFound(NotFound):
    code = "rewards.measure_not_found"
    default_message = _("No measure has this code.")


class RegistryInvalid(ValidationFailed):
    code = "rewards.registry_invalid"
    default_message = _("The business system or matter is not valid.")


class NotStaff(PermissionDenied):
    code = "rewards.staff_only"
    default_message = _("Only credit office staff may do this.")


class CertificateNotAllowed(PermissionDenied):
    code = "rewards.certificate_not_allowed"
    default_message = _("Only the subject, the system that made the check or staff may have it certified.")


class CertificateNotFound(NotFound):
    code = "rewards.certificate_not_found"
    default_message = _("No check certificate has this number.")

