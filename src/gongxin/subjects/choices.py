from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    INDIVIDUAL_BUSINESS = "individual_business", _("Individual business")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")
    SOCIAL_ORGANIZATION = "social_organization", _("Social organization")
    GOVERNMENT = "government", _("Government body")
    OTHER = "other", _("Other organization")


class OrganizationStatus(models.TextChoices):
    ACTIVE = "active", _("In business")
    REVOKED = "revoked", _("Licence revoked")
    DEREGISTERED = "deregistered", _("Deregistered")


class IdentifierScheme(models.TextChoices):
    """Older codes still found in departments' data, resolved to the organization's USCC."""

    REGISTRATION_NUMBER = "registration_number", _("Business registration number")
    ORGANIZATION_CODE = "organization_code", _("Organization code")
    TAX_NUMBER = "tax_number", _("Tax registration number")
    INSTITUTION_CERTIFICATE = "institution_certificate", _("Public institution certificate number")
    SOCIAL_ORGANIZATION_CERTIFICATE = "social_organization_certificate", _(
        "Social organization registration number"
    )


class RelationKind(models.TextChoices):
    """What ``from_subject`` is of the organization ``to_subject`` (a branch: ``from_subject`` is a branch of it)."""

    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
    SHAREHOLDER = "shareholder", _("Shareholder")
    EXECUTIVE = "executive", _("Executive")
    INVESTMENT = "investment", _("Investment")
    BRANCH = "branch", _("Branch")
    ACTUAL_CONTROLLER = "actual_controller", _("Actual controller")
