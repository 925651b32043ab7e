from typing import Any

from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import NotAuthenticated, PermissionDenied, RateLimited, ValidationFailed


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
