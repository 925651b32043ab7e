from typing import Any

from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import NotAuthenticated, NotFound, PermissionDenied, RateLimited, ValidationFailed


class InvalidApiKey(NotAuthenticated):
    code = "auth.invalid_api_key"
    default_message = _("The API key is not valid or has been disabled.")


class ClientRateLimited(RateLimited):
    code = "auth.rate_limited"
    default_message = _("This API client has made too many requests this minute; try again shortly.")

    def __init__(self, message: Any = None, *, retry_after: int = 60, details: Any = None) -> None:
        super().__init__(message, details=details)
        self.retry_after = max(1, int(retry_after))  # seconds to the next minute (the Retry-After header)


class CsrfFailed(PermissionDenied):
    """A signed-in person's API write without a valid CSRF token (the session alone does not authorize it)."""

    code = "auth.csrf_failed"


class UnknownScope(ValidationFailed):
    code = "auth.unknown_scope"
    default_message = _("Unknown API scope.")


class NotLegalRepresentative(PermissionDenied):
    """Only the firm's registered legal representative, signed in as that person, authorizes its agents."""

    code = "accounts.not_legal_representative"
    default_message = _("Only the organization's registered legal representative may authorize its agents.")


class AgentNotFound(ValidationFailed):
    """The same answer whether the person is unknown, the name does not match, or the code is wrong or used: the
    page tells nobody whether a person with that identity number exists."""

    code = "accounts.agent_not_found"
    default_message = _("No person matches this name and identity number, or the invitation code is wrong, "
                        "expired or already used.")


class MandateInvalid(ValidationFailed):
    code = "accounts.mandate_invalid"


class MandateNotFound(NotFound):
    code = "accounts.mandate_not_found"
    default_message = _("No such authorization of an agent.")


class SecondFactorRequired(NotAuthenticated):
    """A government user's session without a verified second factor (decision 060)."""

    code = "auth.second_factor_required"
    default_message = _("Confirm your sign-in with the code of your authenticator app first.")


class ReauthenticationRequired(NotAuthenticated):
    """A sensitive act (decision 060) needs the password and a fresh code, entered within the last minutes."""

    code = "auth.reauthentication_required"
    default_message = _("Confirm your password and a fresh authenticator code before this action.")


class SecondFactorInvalid(ValidationFailed):
    code = "auth.second_factor_invalid"
    default_message = _("The code is not valid. Enter the current six-digit code of your authenticator app.")
