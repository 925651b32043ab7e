"""``{% unified_identity_enabled as enabled %}``: whether the login page offers the provider's sign-in."""

from __future__ import annotations

from django import template

from gongxin.identity.config import identity_settings

register = template.Library()


@register.simple_tag
def unified_identity_enabled() -> bool:
    return identity_settings().enabled
