"""``{% load rewards %}``: ``{{ hit.lift.how|lift_label }}`` — how a hit is lifted, in words (``LiftHow``'s label:
credit repair, removal by the court after performance, an objection, the end date)."""

from __future__ import annotations

from django import template

from gongxin.rewards.choices import LiftHow

register = template.Library()


@register.filter
def lift_label(how: str) -> str:
    return str(LiftHow(how).label) if how in LiftHow.values else str(LiftHow.OBJECTION.label)
