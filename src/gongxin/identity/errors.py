"""The identity app's errors, each with a stable code (see gongxin.core.errors)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import GongxinError, PermissionDenied


class SignInRefused(PermissionDenied):
    """A sign-in through the provider that is not let in; the page says why and what to do."""

    code = "identity.sign_in_refused"
    default_message = _("The sign-in through unified identity could not be completed. Please try again.")


class ClaimChanged(SignInRefused):
    code = "identity.claim_changed"
    default_message = _("The identity number your unified identity account now carries differs from the one this "
                        "account was opened with. Nothing was changed; please contact the credit office.")


class ClaimTaken(SignInRefused):
    code = "identity.claim_taken"
    default_message = _("This identity is already bound to another unified identity account. Nothing was changed; "
                        "please contact the credit office.")


class ClaimsInvalid(SignInRefused):
    code = "identity.claims_invalid"
    default_message = _("The unified identity service did not give a valid identity number or unified social "
                        "credit code, so the sign-in cannot be bound to a credit subject.")


class OrganizationUnknown(SignInRefused):
    code = "identity.organization_unknown"
    default_message = _("Your organization is not yet in the platform's register. Please contact the credit office.")


class TokenRefused(SignInRefused):
    code = "identity.token_refused"
    default_message = _("The answer of the unified identity service failed verification (expired, not meant for "
                        "this platform, or already used). Please sign in again.")


class SignInCancelled(SignInRefused):
    code = "identity.sign_in_cancelled"
    default_message = _("The sign-in was cancelled at the unified identity service. Nothing was changed.")


class StateMismatch(SignInRefused):
    code = "identity.state_mismatch"
    default_message = _("This sign-in was not started from this browser, or it was already completed. Please sign "
                        "in again.")


class AccountDisabled(SignInRefused):
    code = "identity.account_disabled"
    default_message = _("This account has been disabled. Please contact the credit office.")


class ProviderUnavailable(GongxinError):
    code = "identity.provider_unavailable"
    status = 503
    default_message = _("The unified identity service cannot be reached. Please try again later.")


class NotConfigured(GongxinError):
    code = "identity.not_configured"
    status = 404
    default_message = _("Sign-in through unified identity is not configured on this platform.")


class AssuranceTooLow(PermissionDenied):
    """The login's assurance level is below what the assurance policy asks for this (decision 055)."""

    code = "identity.assurance_too_low"
    default_message = _("Your sign-in's identity was not verified strongly enough for this. Sign in again through "
                        "unified identity with a verified real name.")
