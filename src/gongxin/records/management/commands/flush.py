"""Django's ``flush``, allowed to empty the record history (which the database otherwise refuses)."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand

from gongxin.records.maintenance import history_purge


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        with history_purge(reason="flush", using=options["database"]):
            super().handle(**options)
