from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "gongxin.scoring"
    label = "scoring"
    verbose_name = _("Credit evaluation")
