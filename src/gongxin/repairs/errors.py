"""The repairs app's errors, each with a stable code (see gongxin.core.errors)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class RepairNotFound(NotFound):
    code = "repair.not_found"
    default_message = _("No such repair application.")


class RepairNotSubject(PermissionDenied):
    code = "repair.not_subject"
    default_message = _("Only the subject of the record may apply for its repair.")


class RepairNotDecider(PermissionDenied):
    code = "repair.not_decider"
    default_message = _("Only the operators of the source unit that decided the record may decide its repair.")


class RepairNotEligible(ValidationFailed):
    code = "repair.not_eligible"
    default_message = _("The record is not eligible for repair; see the conditions.")


class RepairNotPending(Conflict):
    code = "repair.not_pending"
    default_message = _("The application has already been decided or withdrawn.")


class RepairPending(Conflict):
    code = "repair.pending"
    default_message = _("An application for this record is already being handled.")


class RepairReasonsMissing(ValidationFailed):
    code = "repair.reasons_missing"
    default_message = _("A rejection needs at least one reason and an explanation.")


class RepairObligationsUnconfirmed(ValidationFailed):
    code = "repair.obligations_unconfirmed"
    default_message = _("Confirm that the act has been corrected and the obligations performed before approving.")


class RepairEvidenceInvalid(ValidationFailed):
    code = "repair.evidence_invalid"
    default_message = _("An evidence file is not acceptable (type or size).")


class RepairPolicyMissing(NotFound):
    code = "repair.policy_missing"
    default_message = _("No credit repair policy is in force for this date.")


class RepairStatementInvalid(ValidationFailed):
    """The statement of correction is empty or too long (the message names the limit)."""

    code = "repair.statement_invalid"
    default_message = _("Describe how the act was corrected.")


class RepairSignerMissing(ValidationFailed):
    code = "repair.signer_missing"
    default_message = _("Sign the credit commitment with your name.")
