"""The one clock every legal deadline uses.

Always timezone-aware, in the platform's zone (Asia/Shanghai). Tests move it with time-machine;
nothing else in the code calls ``datetime.now()`` or ``date.today()`` (ruff DTZ enforces it).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def today(at: datetime | None = None) -> date:
    """The platform's date now, or at the instant ``at``: a legal day is the platform zone's, whoever
    asks (and reading the default zone skips the per-request lookup of an activated one)."""
    return (timezone.now() if at is None else at).astimezone(timezone.get_default_timezone()).date()


def local(at: datetime | None = None) -> datetime:
    """The instant ``at`` (default: now) in the platform's zone (settings.TIME_ZONE, whatever zone a request
    activated): the time a person reads — file names, certificates, notices, the command's output. API
    timestamps may keep another offset; they are the same instant."""
    return (timezone.now() if at is None else at).astimezone(timezone.get_default_timezone())


def add_months(start: date, months: int) -> date:
    """Calendar months, clamped to the month's last day (2025-08-31 + 6 months = 2026-02-28)."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)
