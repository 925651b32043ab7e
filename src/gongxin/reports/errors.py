"""Errors of the reports app, with stable codes (docs/api.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class ReportNotFound(NotFound):
    code = "report.not_found"
    default_message = _("No credit report has this number.")


class ReportKindInvalid(ValidationFailed):
    code = "report.kind_invalid"
    default_message = _("This kind of report does not apply to this subject.")


class ReportPurposeNotAllowed(PermissionDenied):
    code = "report.purpose_not_allowed"
    default_message = _("This kind of report cannot be issued for this purpose.")


class ReportRangeInvalid(ValidationFailed):
    code = "report.range_invalid"
    default_message = _("The report period is not valid.")


class ReportRangeTooLong(ValidationFailed):
    code = "report.range_too_long"
    default_message = _("A special credit report covers at most 5 years.")


class ReportRangeInFuture(ValidationFailed):
    code = "report.range_in_future"
    default_message = _("The report period cannot end in the future.")


class ReportRangeNotApplicable(ValidationFailed):
    code = "report.range_not_applicable"
    default_message = _("Only special credit reports cover a chosen period.")


class ReportSubjectInvalid(ValidationFailed):
    code = "report.subject_invalid"
    default_message = _("Name the subject by its USCC (organization) or RIN (person), not both.")


class ReportAlreadyRevoked(Conflict):
    code = "report.already_revoked"
    default_message = _("This report has already been revoked.")


class ReportReasonRequired(ValidationFailed):
    code = "report.reason_required"
    default_message = _("Give the reason for revoking the report.")


class ReportListNotAllowed(PermissionDenied):
    """A subject's list of reports is for the subject itself and the credit office."""

    code = "report.list_not_allowed"


class ReportRevokeNotAllowed(PermissionDenied):
    code = "report.revoke_not_allowed"
    default_message = _("Only credit office staff may revoke a report.")
