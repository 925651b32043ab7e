from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "gongxin.exchange"
    label = "exchange"
    verbose_name = _("Four-level exchange")

    def ready(self) -> None:
        # The sending side's models (subscriptions, cursors, snapshot schedules) and the receiving side's mappings
        # live in their own modules.
        # The pull endpoint joins the exchange's router before the API's URLs are built.
        from gongxin.exchange import (
            api_pull,  # noqa: F401
            receiving_models,  # noqa: F401
            sending_models,  # noqa: F401
        )

        # Pages and the API of the apps below name and show the exchange's provenance through registries.
        from gongxin.exchange.selectors_provenance import provenance_hooks_register

        provenance_hooks_register()
