"""The portal's own read model: the home page's headline figures, kept by ``portal.statistics``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlatformFigure(models.Model):
    """One headline figure (``records``, ``organizations``, ``records:penalty``, ``list:judgment_debtor`` …) as
    counted at ``as_of``. Recomputed set-based by ``portal.statistics.figures_refresh`` (an outbox consumer and
    ``gongxin figures refresh``), so that no page counts a whole table."""

    key = models.CharField(_("key"), max_length=80, primary_key=True)
    value = models.BigIntegerField(_("value"))
    as_of = models.DateTimeField(_("as of"))

    class Meta:
        verbose_name = _("platform figure")
        verbose_name_plural = _("platform figures")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
