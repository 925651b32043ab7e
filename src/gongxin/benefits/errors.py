"""The benefits app's errors, each with a stable code (see gongxin.core.errors)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class ScenarioInvalid(ValidationFailed):
    code = "benefits.scenario_invalid"
    default_message = _("The scenario's conditions or parameters are not valid.")


class ScenarioNotFound(NotFound):
    code = "benefits.scenario_not_found"
    default_message = _("No such benefit scenario.")


class NotProvider(PermissionDenied):
    code = "benefits.not_provider"
    default_message = _("Only the provider of this scenario may do this.")


class ConsentRequired(PermissionDenied):
    # The same answer whether the person exists or not: without consent nothing is disclosed.
    code = "benefits.consent_required"
    default_message = _("No consent of this subject is in force for you; nothing can be disclosed.")


class ScenarioNotForSubject(ValidationFailed):
    code = "benefits.scenario_not_for_subject"
    default_message = _("This benefit is not offered to this kind of subject.")


class NotEligible(ValidationFailed):
    code = "benefits.not_eligible"
    default_message = _("The subject does not qualify for this benefit now.")


class UsageNotFound(NotFound):
    code = "benefits.usage_not_found"
    default_message = _("No such usage.")


class UsageDuplicate(Conflict):
    code = "benefits.usage_duplicate"
    default_message = _("A usage with this reference already exists.")


class UsageNotOpen(Conflict):
    code = "benefits.usage_not_open"
    default_message = _("The usage has already ended or defaulted.")


class UsageAlreadyDefaulted(Conflict):
    code = "benefits.usage_already_defaulted"
    default_message = _("A default has already been recorded for this usage.")


class AmountInvalid(ValidationFailed):
    code = "benefits.amount_invalid"
    default_message = _("The amount must be zero or more, in yuan with at most two decimals.")


class StatisticsNotAllowed(PermissionDenied):
    code = "benefits.statistics_not_allowed"
    default_message = _("Only credit office staff may see benefit statistics.")
