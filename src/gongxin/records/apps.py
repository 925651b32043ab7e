from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "gongxin.records"
    label = "records"
    verbose_name = _("Records")

    def ready(self) -> None:
        from gongxin.records.ledger import kinds_register

        kinds_register()  # record versions are leaves of the tamper-evident log (ledger)
