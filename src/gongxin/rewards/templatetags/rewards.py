"""``{% load rewards %}``: ``{{ hit.lift.how|lift_label }}`` — how a hit is lifted, in words (``LiftHow``'s label:
credit repair, removal by the court after performance, an objection, the end date); ``{{ type|fact_type }}`` — a
fact's type in words."""

from __future__ import annotations

from django import template

from gongxin.rewards.choices import LiftHow
from gongxin.rewards.facts import fact_type_label

register = template.Library()


@register.filter
def lift_label(how: str) -> str:
    return str(LiftHow(how).label) if how in LiftHow.values else str(LiftHow.OBJECTION.label)


@register.filter
def fact_type(type_name: str) -> str:
    """A fact's type as staff read it beside its name (``bool`` → "yes / no")."""
    return fact_type_label(str(type_name))
