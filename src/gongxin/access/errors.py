"""The access app's errors, each with a stable code (see gongxin.core.errors)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class ConsentRequired(PermissionDenied):
    code = "disclosure.consent_required"
    default_message = _("Querying these records needs the subject's consent.")


class PurposeNotAllowed(PermissionDenied):
    code = "disclosure.purpose_not_allowed"
    default_message = _("You may not view records for this purpose.")


class NoSubject(PermissionDenied):
    code = "access.no_subject"
    default_message = _("Your account does not act for a credit subject.")


class ConsentNotSubject(PermissionDenied):
    code = "consent.not_subject"
    default_message = _("Only the subject itself may grant or revoke its consents.")


class ConsentGranteeInvalid(ValidationFailed):
    code = "consent.grantee_invalid"
    default_message = _("Name exactly one requester: a user, an API client or a department.")


class ConsentGranteeNotFound(NotFound):
    code = "consent.grantee_not_found"
    default_message = _("No such requester.")


class ConsentGranteeIsSubject(ValidationFailed):
    code = "consent.grantee_is_subject"
    default_message = _("A subject cannot grant a consent to itself.")


class ConsentPurposeRequired(ValidationFailed):
    code = "consent.purpose_required"
    default_message = _("State the purpose of the consent.")


class ConsentValidityInvalid(ValidationFailed):
    code = "consent.invalid_validity"
    default_message = _("A consent must end in the future and at most one year from now.")


class ConsentScopeInvalid(ValidationFailed):
    code = "consent.unknown_scope_item"
    default_message = _("The scope names catalog items that do not exist.")


class ConsentNotFound(NotFound):
    code = "consent.not_found"
    default_message = _("No such consent.")


class ConsentAlreadyRevoked(Conflict):
    code = "consent.already_revoked"
    default_message = _("This consent has already been revoked.")


class QuerySubjectRequired(ValidationFailed):
    code = "consent.query_subject_required"
    default_message = _("Name the subject by either its USCC (organization) or its RIN (person).")


class InquiriesNotAllowed(PermissionDenied):
    code = "access.inquiries_not_allowed"
    default_message = _("Only the subject itself and credit office staff may read its inquiry log.")
