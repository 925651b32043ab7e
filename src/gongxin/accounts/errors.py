from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import NotAuthenticated, RateLimited, ValidationFailed


class InvalidApiKey(NotAuthenticated):
    code = "auth.invalid_api_key"
    default_message = _("The API key is not valid or has been disabled.")


class ClientRateLimited(RateLimited):
    code = "auth.rate_limited"
    default_message = _("This API client has made too many requests this minute; try again shortly.")


class UnknownScope(ValidationFailed):
    code = "auth.unknown_scope"
    default_message = _("Unknown API scope.")
