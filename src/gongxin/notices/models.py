"""Notices: what the platform tells a subject about its affairs (objections, repairs, ...).

One row per message, shown in the subject's inbox (``/notices/``) and e-mailed after commit to the
users who act for the subject. Titles and bodies are stored already rendered in the platform's
language, because they are legal notices: what was sent is what stays on record.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    subject = models.ForeignKey("subjects.Subject", verbose_name=_("subject"), on_delete=models.PROTECT,
                                related_name="notices")
    code = models.CharField(_("code"), max_length=60, help_text=_("What happened, e.g. objections.objection.accepted"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_to = models.PositiveIntegerField(_("e-mails sent"), default=0)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [models.Index(fields=["subject", "read_at", "-created_at"], name="notice_inbox")]

    def __str__(self) -> str:
        return f"{self.code} → {self.subject_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
