"""``{% brain_public %}``: the credit brain's public section for the home page (decision 073), from the maintained
statistics (one query); the portal's home template includes it with one tag."""

from __future__ import annotations

from typing import Any

from django import template

from gongxin.monitoring.dashboards import dashboard_read

register = template.Library()


@register.inclusion_tag("monitoring/_public_dashboard.html")
def brain_public() -> dict[str, Any]:
    return {"dashboard": dashboard_read(public=True)}
