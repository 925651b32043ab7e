"""Errors of the catalog app, each with a stable code (see gongxin.core.errors)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import GongxinError, NotFound, ValidationFailed


class CatalogItemNotFound(NotFound):
    code = "catalog.item_not_found"
    default_message = _("No such catalog item in the current catalog.")


class SourceUnitNotFound(NotFound):
    code = "catalog.source_unit_not_found"
    default_message = _("No such source unit.")


class PolicyNotFound(GongxinError):
    """No policy row applies: a configuration gap, reported with what was asked for in ``details``."""

    code = "policy.not_found"
    status = 404
    default_message = _("No policy applies to this jurisdiction, domain and date.")


class PolicyInvalid(GongxinError):
    """A stored policy lacks a parameter the clocks need: a configuration fault, not the caller's."""

    code = "policy.invalid"
    status = 500
    default_message = _("A policy's parameters are incomplete.")


class SeverityInvalid(ValidationFailed):
    code = "record.invalid_severity"
    default_message = _("Unknown severity class.")


class CatalogValidationFailed(ValidationFailed):
    """A payload does not fit its catalog item. ``details`` lists every problem found, not just the first:
    ``[{"field", "label", "value", "code", "reason"}]``."""

    code = "record.invalid_payload"
    default_message = _("The record's content does not match its catalog item.")


class DecisionDateMissing(ValidationFailed):
    code = "record.decision_date_missing"
    default_message = _("A negative record needs its decision date to compute its publicity and retention.")
