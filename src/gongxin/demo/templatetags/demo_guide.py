"""``{% demo_guide_link %}``: the home page's link to the demo's "try this" guide, shown only while the platform
runs as the demo (``GONGXIN_DEMO``, set by ``gongxin demo up``); nothing in production."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("demo/_guide_link.html")
def demo_guide_link() -> dict[str, Any]:
    return {"shown": bool(getattr(settings, "GONGXIN_DEMO", False))}
