"""``{% load actors %}``: ``{% actor_name event.actor_label %}`` shows a stored actor label as the signed-in viewer
may see it (accounts.actors: a name, never the ``user:…`` code), for pages that list steps one by one."""

from __future__ import annotations

from typing import Any

from django import template

from gongxin.accounts.actors import actor_shown
from gongxin.accounts.viewer import viewer_for_user

register = template.Library()


@register.simple_tag(takes_context=True)
def actor_name(context: Any, label: str, subject_id: int | None = None) -> str:
    request = context.get("request")
    viewer = viewer_for_user(getattr(request, "user", None))
    return actor_shown(label=str(label or ""), viewer=viewer, subject_id=subject_id)
