"""The lending app's errors, each with a stable code (see gongxin.core.errors)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class NotLender(PermissionDenied):
    code = "lending.not_lender"
    default_message = _("Only a registered lender may do this.")


class NotAuthorized(PermissionDenied):
    # The same answer whether the firm exists or not.
    code = "lending.not_authorized"
    default_message = _("The firm has not authorized you; nothing can be disclosed.")


class NotFirmAgent(PermissionDenied):
    code = "lending.not_firm_agent"
    default_message = _("Only an agent of the firm may authorize lenders.")


class LenderNotFound(NotFound):
    code = "lending.lender_not_found"
    default_message = _("No such lender.")


class LoanNotFound(NotFound):
    code = "lending.loan_not_found"
    default_message = _("No such loan.")


class LoanDuplicate(Conflict):
    code = "lending.loan_duplicate"
    default_message = _("A loan with this reference has already been reported.")


class LoanWrongState(Conflict):
    code = "lending.loan_wrong_state"
    default_message = _("The loan is not in a state that allows this.")


class AmountInvalid(ValidationFailed):
    code = "lending.amount_invalid"
    default_message = _("The amount is not valid.")


class TooManyFirms(ValidationFailed):
    code = "lending.too_many_firms"
    default_message = _("Too many firms in one request.")


class ClaimNotAllowed(Conflict):
    code = "lending.claim_not_allowed"
    default_message = _("A claim is paid once, for a covered loan in default, while the fund can pay it.")


class StaffOnly(PermissionDenied):
    code = "lending.staff_only"
    default_message = _("Only credit office staff may do this.")


class FundNotFound(NotFound):
    code = "lending.fund_not_found"
    default_message = _("No risk-sharing fund is in force.")
