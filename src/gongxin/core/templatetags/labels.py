"""Codes as a person reads them, for templates: ``{{ event.action|topic_label }}`` (an outbox topic or an audit
action code → its translated label, core.events.topic_label)."""

from __future__ import annotations

from django import template

from gongxin.core.events import topic_label as _topic_label

register = template.Library()


@register.filter
def topic_label(name: str) -> str:
    return _topic_label(str(name))
