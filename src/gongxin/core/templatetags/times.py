"""``{% load times %}``: ``{{ stamp|local_time }}`` shows an ISO 8601 timestamp kept as text (in a signed
document's content) in the platform's zone, as ``2026-12-08 01:30:00`` — whatever offset it was written with
(certificates issued before they carried +08:00 held UTC), so a person reads one zone everywhere."""

from __future__ import annotations

from datetime import datetime

from django import template

from gongxin.core import clock

register = template.Library()


@register.filter
def local_time(stamp: str | datetime | None) -> str:
    if not stamp:
        return ""
    try:
        moment = stamp if isinstance(stamp, datetime) else datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    if moment.tzinfo is None:  # a naive stamp is already the platform's time
        return f"{moment:%Y-%m-%d %H:%M:%S}"
    return f"{clock.local(moment):%Y-%m-%d %H:%M:%S}"
