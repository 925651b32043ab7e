"""The commitments app's errors, each with a stable code (see gongxin.core.errors)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class CommitmentNotFound(NotFound):
    code = "commitments.not_found"
    default_message = _("No such commitment.")


class CommitmentTypeUnknown(NotFound):
    code = "commitments.unknown_type"
    default_message = _("No such commitment type is in force.")


class CommitmentUnitUnknown(NotFound):
    code = "commitments.unknown_department"
    default_message = _("No such receiving department.")


class CommitmentMatterUnknown(NotFound):
    code = "commitments.unknown_matter"
    default_message = _("No such matter is listed; choose one from the list or name it.")


class CommitmentSubjectUnknown(NotFound):
    code = "commitments.unknown_subject"
    default_message = _("No such subject.")


class CommitmentNotSigner(PermissionDenied):
    code = "commitments.not_signer"
    default_message = _("Only the subject itself, or the receiving department's system with the subject's "
                        "signature, may sign a commitment.")


class CommitmentNotVerifier(PermissionDenied):
    code = "commitments.not_verifier"
    default_message = _("Only the receiving department's operators may verify this commitment.")


class CommitmentNotEligible(ValidationFailed):
    code = "commitments.not_eligible"
    default_message = _("The subject may not make this commitment; see the conditions.")


class CommitmentNotAccepted(ValidationFailed):
    code = "commitments.not_accepted"
    default_message = _("Accept the commitment text and sign it with your name.")


class CommitmentTextChanged(Conflict):
    code = "commitments.text_changed"
    default_message = _("The commitment text has changed since it was shown; read it again and sign.")


class CommitmentNotOpen(Conflict):
    code = "commitments.not_open"
    default_message = _("The commitment has already been verified.")


class CommitmentOpenExists(Conflict):
    code = "commitments.open_exists"
    default_message = _("An open commitment of this type for this matter already exists.")


class CommitmentInputInvalid(ValidationFailed):
    code = "commitments.invalid"
    default_message = _("The input is not valid.")


class PayoutForbidden(PermissionDenied):
    code = "commitments.payout_forbidden"
    default_message = _("Only a department system (API client) may request instant payouts.")
