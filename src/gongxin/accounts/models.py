"""People, departments and API clients."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxin.accounts.choices import Level, MandateAction, Role


class Department(models.Model):
    """A government department. Source units (catalog.SourceUnit) are departments that provide records."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.CITY)
    region_code = models.CharField(_("region code"), max_length=6, help_text=_("GB/T 2260 division code"))
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PUBLIC)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="users",
    )
    # The subject a person or an organization agent acts for (subjects.Subject).
    subject = models.ForeignKey(
        "subjects.Subject", verbose_name=_("subject"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="users",
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class ApiClient(models.Model):
    """A business system calling the API. The key is shown once; only its SHA-256 is stored."""

    name = models.CharField(_("name"), max_length=200)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="api_clients"
    )
    key_prefix = models.CharField(_("key prefix"), max_length=12, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    rate_limit_per_minute = models.PositiveIntegerField(_("requests per minute"), default=600)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return self.name

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class ApiClientUsage(models.Model):
    """Requests per client per minute window: the rate limiter's counter, shared by all processes."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="usage")
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "window_start"], name="uniq_client_window")]

    def __str__(self) -> str:
        return f"{self.client_id} @ {self.window_start}: {self.count}"


class AgentInvitation(models.Model):
    """A code a person hands to a firm's legal representative so that it can name them its agent without
    typing their identity number. The code is shown once to the person; only its SHA-256 is kept."""

    person = models.ForeignKey(
        "subjects.Subject", verbose_name=_("person"), on_delete=models.CASCADE, related_name="agent_invitations",
    )
    code_hash = models.CharField(_("code hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("agent invitation")
        verbose_name_plural = _("agent invitations")

    def __str__(self) -> str:
        return f"invitation of {self.person_id}"


class AgentMandate(models.Model):
    """A firm's authorization of a person as its agent (经办人): which capabilities, for which period, given by
    the legal representative. Never edited after it is granted but for its revocation; a change of scope or
    period is a new mandate. Every step has an ``AgentMandateEvent`` and an outbox event."""

    organization = models.ForeignKey(
        "subjects.Subject", verbose_name=_("organization"), on_delete=models.PROTECT, related_name="agent_mandates",
    )
    agent = models.ForeignKey(
        "subjects.Subject", verbose_name=_("agent"), on_delete=models.PROTECT, related_name="mandates_as_agent",
    )
    capabilities = models.JSONField(_("capabilities"), default=list)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    granted_by = models.ForeignKey(
        User, verbose_name=_("granted by"), on_delete=models.PROTECT, related_name="mandates_granted",
    )
    granted_at = models.DateTimeField(_("granted at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, verbose_name=_("revoked by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="mandates_revoked",
    )

    class Meta:
        verbose_name = _("agent authorization")
        verbose_name_plural = _("agent authorizations")
        indexes = [models.Index(fields=["agent", "organization"], name="accounts_mandate_agent_org")]

    def __str__(self) -> str:
        return f"{self.agent_id} for {self.organization_id}"


class AgentMandateEvent(models.Model):
    """The audit row of one step of a mandate (authorized, revoked), written in the step's transaction."""

    mandate = models.ForeignKey(AgentMandate, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=40, choices=MandateAction.choices)
    actor_label = models.CharField(_("actor"), max_length=200)
    at = models.DateTimeField(_("at"))
    details = models.JSONField(_("details"), default=dict)

    class Meta:
        verbose_name = _("agent authorization event")
        verbose_name_plural = _("agent authorization events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} #{self.mandate_id}"
