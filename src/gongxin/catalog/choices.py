from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    ORGANIZATION = "organization", _("Organization")
    PERSON = "person", _("Person")


class Polarity(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")


class DisclosureLevel(models.TextChoices):
    """Who may see an item's records (the disclosure policy in access.disclosure interprets it)."""

    PUBLIC = "public", _("Public")
    SHARED = "shared", _("Shared with government")
    AUTHORIZED = "authorized", _("Authorized query only")
    INTERNAL = "internal", _("Internal")


class RecordKind(models.TextChoices):
    LICENCE = "licence", _("Administrative licence")
    PENALTY = "penalty", _("Administrative penalty")
    SERIOUS_DISHONESTY = "serious_dishonesty", _("Serious dishonesty list entry")
    JUDGMENT_DEBTOR = "judgment_debtor", _("Dishonest judgment debtor")
    VOLUNTARY_PERFORMANCE = "voluntary_performance", _("Voluntary performance")
    HONOUR = "honour", _("Honour / red list")
    TAX_GRADE_A = "tax_grade_a", _("Tax credit grade A")
    COMMITMENT = "commitment", _("Credit commitment")
    BASIC = "basic", _("Basic information")
    OTHER = "other", _("Other")


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    DATE = "date", _("Date")
    DECIMAL = "decimal", _("Decimal")
    MONEY_WAN = "money_wan", _("Amount in 10,000 yuan")
    ENUM = "enum", _("Enumeration")
    USCC = "uscc", _("Unified social credit code")
    ID_NUMBER = "id_number", _("Identity document number")
    BOOLEAN = "boolean", _("Yes/no")


class PolicyKind(models.TextChoices):
    PUBLICITY = "publicity", _("Publicity period")
    RETENTION = "retention", _("Retention period")
    SEVERITY_MAP = "severity_map", _("Severity by penalty type")
    DEADLINES = "deadlines", _("Deadlines")
    REPAIR = "repair", _("Credit repair conditions")


class RemovedBy(models.TextChoices):
    """Who ends a negative record that credit repair does not reach (the ``repair`` policy's ``removed_by``,
    catalog.policy.removal_authorities): the label is what every page, report and refusal says instead of
    offering repair."""

    COURT = "court", _("Removed by the court after performance")


class UpdateFrequency(models.TextChoices):
    REALTIME = "realtime", _("Real time")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")
    ON_CHANGE = "on_change", _("On change")
