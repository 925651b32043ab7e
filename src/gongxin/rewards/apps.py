from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RewardsConfig(AppConfig):
    name = "gongxin.rewards"
    label = "rewards"
    verbose_name = _("Joint rewards and punishments")

    def ready(self) -> None:
        from gongxin.rewards.ledger import kinds_register

        kinds_register()  # every check certificate issued is a leaf of the tamper-evident log (ledger)
