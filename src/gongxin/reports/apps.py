from __future__ import annotations

import logging
import threading
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class ReportsConfig(AppConfig):
    name = "gongxin.reports"
    label = "reports"
    verbose_name = _("Credit reports")

    def ready(self) -> None:
        from django.conf import settings
        from django.core.signals import request_started

        from gongxin.reports.ledger import kinds_register

        kinds_register()  # every report issued is a leaf of the tamper-evident log (ledger)

        # The first PDF of a process costs about a second more (fontconfig, Pango, the CJK font): a web
        # process pays it in the background when it serves its first request, whatever the server
        # (runserver, gunicorn ...). Not in tests, and not in management commands, which serve nothing.
        if not settings.TESTING:
            request_started.connect(_pdf_warm_up_once, dispatch_uid="reports.pdf_warm_up")


def _pdf_warm_up_once(sender: Any, **kwargs: Any) -> None:
    from django.core.signals import request_started

    if request_started.disconnect(dispatch_uid="reports.pdf_warm_up"):  # only the first request starts it
        threading.Thread(target=_pdf_warm_up, name="reports-pdf-warm-up", daemon=True).start()


def _pdf_warm_up() -> None:
    from gongxin.reports.render import pdf_warm_up

    try:
        pdf_warm_up()
    except Exception:  # a failed warm-up only means the first PDF is slower; the build reports real errors
        logger.exception("PDF warm-up failed")
