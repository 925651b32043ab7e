"""Errors of the sharing app (stable codes; messages translated)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import NotFound, PermissionDenied, ValidationFailed


class SubscriptionNotFound(NotFound):
    code = "sharing.subscription_not_found"
    default_message = _("No such subscription.")


class NotAClient(PermissionDenied):
    code = "sharing.not_a_client"
    default_message = _("Subscriptions belong to API clients: call with the business system's API key.")


class WebhookUrlInvalid(ValidationFailed):
    code = "sharing.webhook_url_invalid"
    default_message = _("The webhook URL must be an https URL (http only to 127.0.0.1 in development).")


class WebhookTargetNotAllowed(ValidationFailed):
    code = "sharing.webhook_target_not_allowed"
    default_message = _("The webhook host resolves to an internal address (private, loopback, link-local or "
                        "reserved), which webhooks may not reach unless the platform's operators allow it.")


class UnknownFilter(ValidationFailed):
    code = "sharing.unknown_filter"
    default_message = _("Some catalog items, record kinds or lists are unknown.")


class PersonsNotAllowed(PermissionDenied):
    code = "sharing.persons_not_allowed"
    default_message = _("Following natural persons (by RIN) needs the records:share scope.")


class TooManyCodes(ValidationFailed):
    code = "sharing.too_many_codes"
    default_message = _("Too many subject codes in one call.")


class CursorInvalid(ValidationFailed):
    code = "sharing.cursor_invalid"
    default_message = _("The cursor is not valid.")
