"""``{% load commitments %}{% commitments_public subject %}``: an organization's published commitments, for
its public profile (nothing for a person)."""

from __future__ import annotations

from typing import Any

from django import template

from gongxin.commitments.selectors import commitments_public as public_commitments

register = template.Library()


@register.inclusion_tag("commitments/_public.html")
def commitments_public(subject: Any) -> dict[str, Any]:
    return {"commitments": public_commitments(subject=subject) if subject is not None else []}
