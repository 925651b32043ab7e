from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.core import events


class Role(models.TextChoices):
    PUBLIC = "public", _("Member of the public")
    PERSON = "person", _("Person subject")
    ORG_AGENT = "org_agent", _("Organization agent")
    OPERATOR = "operator", _("Source unit operator")
    STAFF = "staff", _("Credit office staff")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


class Level(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")


class Scope(models.TextChoices):
    """What an API client may do. Checked by the API layer on every call."""

    RECORDS_READ_PUBLIC = "records:read_public", _("Read public records")
    RECORDS_SHARE = "records:share", _("Read records shared with government departments")
    RECORDS_WRITE = "records:write", _("Submit, correct and revoke the own source unit's records")
    SUBJECTS_READ = "subjects:read", _("Look up subjects")
    CATALOG_READ = "catalog:read", _("Read the catalog")


class AgentCapability(models.TextChoices):
    """What a firm's legal representative may authorize an agent (经办人) to do for the firm, one by one."""

    REPORTS = "reports", _("Credit reports")
    OBJECTIONS = "objections", _("Objections")
    REPAIRS = "repairs", _("Credit repair")
    COMMITMENTS = "commitments", _("Commitments")
    LENDING = "lending", _("Query and lending authorizations")


class MandateAction(models.TextChoices):
    """The steps of an agent's authorization, as its audit rows name them (``accounts.agent.<action>``)."""

    AUTHORIZED = events.AGENT_AUTHORIZED, _("Agent authorized")
    REVOKED = events.AGENT_REVOKED, _("Agent's authorization revoked")
