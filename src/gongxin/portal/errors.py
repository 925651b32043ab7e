"""Errors of the portal app, each with a stable code (see gongxin.core.errors)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import NotFound, ValidationFailed


class InvalidListingFilter(ValidationFailed):
    """A double-publicity listing filter that cannot be applied; the message names the filter and why."""

    code = "listing.invalid_filter"


class ListingDateInvalid(InvalidListingFilter):
    """A date filter that is not YYYY-MM-DD (the message quotes it)."""

    code = "listing.invalid_date"


class ListingDateRangeInvalid(InvalidListingFilter):
    code = "listing.invalid_date_range"
    default_message = _("The start date is after the end date.")


class ListingKindUnknown(InvalidListingFilter):
    """A kind other than licence or penalty (the message quotes it)."""

    code = "listing.unknown_kind"


class ListingDepartmentUnknown(InvalidListingFilter):
    """No source unit has this department code (the message quotes it)."""

    code = "listing.unknown_department"


class ListingDistrictUnknown(InvalidListingFilter):
    """Not the six-digit code of a district of the city (the message quotes it)."""

    code = "listing.unknown_district"


class ListingTypeUnknown(InvalidListingFilter):
    """Neither a licence category nor a penalty type (the message quotes it)."""

    code = "listing.unknown_type"


class ListingTypeKindMismatch(InvalidListingFilter):
    """A licence category with the penalty kind, or a penalty type with the licence kind."""

    code = "listing.type_kind_mismatch"


class CardNotFound(NotFound):
    """No public organization's credit card under this code (persons, unknown and malformed codes alike)."""

    code = "card.not_found"
    default_message = _("No organization has this unified social credit code.")
