"""``{% catchup_progress as catchup %}``: the outbox consumers' backlog (core.catchup) for a page to show."""

from __future__ import annotations

from django import template

from gongxin.core.catchup import CatchUp, catchup_progress

register = template.Library()


@register.simple_tag(name="catchup_progress")
def catchup_progress_tag() -> CatchUp:
    return catchup_progress()
