"""Errors of the portal app, each with a stable code (see gongxin.core.errors)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import NotFound, ValidationFailed


class InvalidListingFilter(ValidationFailed):
    """A double-publicity listing filter that cannot be applied; the message names the filter and why."""

    code = "listing.invalid_filter"


class CardNotFound(NotFound):
    """No public organization's credit card under this code (persons, unknown and malformed codes alike)."""

    code = "card.not_found"
    default_message = _("No organization has this unified social credit code.")
