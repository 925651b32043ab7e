"""One exception family for the whole platform, mapped once to one JSON error shape.

Each app raises subclasses with a stable ``code`` (``record.not_found``) and a translatable message;
the API turns them into ``{"code": ..., "message": ..., "details": ...}`` with ``status``; pages show
the message. Codes never change once published: clients branch on them.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class GongxinError(Exception):
    code: str = "error"
    status: int = 400
    default_message: Any = _("The request could not be processed.")

    def __init__(self, message: Any = None, *, code: str | None = None, details: Any = None) -> None:
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        self.details = details
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.details is not None:
            body["details"] = self.details
        return body


class ValidationFailed(GongxinError):
    code = "validation_failed"
    status = 422
    default_message = _("The input is not valid.")


class NotFound(GongxinError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class PermissionDenied(GongxinError):
    code = "permission_denied"
    status = 403
    default_message = _("You are not allowed to do this.")


class NotAuthenticated(GongxinError):
    code = "not_authenticated"
    status = 401
    default_message = _("Authentication is required.")


class Conflict(GongxinError):
    code = "conflict"
    status = 409
    default_message = _("The request conflicts with the current state.")


class RateLimited(GongxinError):
    code = "rate_limited"
    status = 429
    default_message = _("Too many requests; try again later.")


class Throttled(RateLimited):
    """A rate_limited refusal of a throttle (core.throttle) that knows when to come back (Retry-After)."""

    def __init__(self, message: Any = None, *, retry_after: int, code: str | None = None,
                 details: Any = None) -> None:
        super().__init__(message, code=code, details=details)
        self.retry_after = max(1, int(retry_after))


# Rules (core.cel): a staff-written CEL expression that cannot be compiled or evaluated.
class RuleError(GongxinError):
    code = "rule.invalid"
    status = 422
    default_message = _("The rule is not valid.")


class RuleSyntaxError(RuleError):
    code = "rule.syntax"
    default_message = _("The rule is not a valid expression.")


class RuleUnknownName(RuleError):
    code = "rule.unknown_name"
    default_message = _("The rule uses a name that is not a known fact.")


class RuleTypeError(RuleError):
    code = "rule.type"
    default_message = _("The rule does not evaluate to true or false.")


class RuleEvaluationError(RuleError):
    code = "rule.evaluation"
    status = 500
    default_message = _("The rule could not be evaluated.")


class RuleFails(RuleError):
    code = "rule.fails"
    default_message = _("The rule fails when evaluated (a division by zero, an index out of range ...).")


class RuleTooCostly(RuleError):
    code = "rule.too_costly"
    default_message = _("The rule is too costly to evaluate.")


class RuleBudgetExceeded(RuleError):
    code = "rule.budget_exceeded"
    default_message = _("Evaluating the rule took longer than its time budget; nothing was counted.")


class RuleUnknownType(RuleError):
    """A fact declared with a type label CEL does not know (the message names the label)."""

    code = "rule.unknown_type"


# Signing (core.signing): the platform's public keys, published under /.well-known/.
class SigningKeyNotFound(NotFound):
    """No current or retired signing key has this key id."""

    code = "signing.key_not_found"


# Signed documents (core.documents): their verification address is signed into them.
class PublicAddressUnset(GongxinError):
    """No public address is configured (``GONGXIN_PUBLIC_URL``): a signed report or certificate would point
    its QR code at an address nobody can reach, so none is issued (``gongxin check --deploy`` says so too)."""

    code = "documents.public_address_unset"
    status = 503
    default_message = _("Reports and certificates cannot be issued yet: the platform's public address is not "
                        "configured. Please tell the platform's administrator.")


# Paging (core.paging): keyset cursors handed out by the lists.
class CursorInvalid(ValidationFailed):
    """A cursor that this list did not give out (edited, cut, of another list or of an older order)."""

    code = "paging.cursor_invalid"
    status = 400
    default_message = _("This page link is not valid (it may be cut or altered); start from the first page.")


def retry_after_apply(response: Any, exc: BaseException) -> Any:
    """Say when to come back (``Retry-After``, seconds) on ``response`` when ``exc`` knows it (the rate limits
    of core.throttle and accounts); the API's and the pages' error answers both go through here."""
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(int(retry_after))
    return response
