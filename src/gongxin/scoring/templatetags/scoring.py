"""``{% load scoring %}{% score_panel subject viewer %}``: a subject's score, grade, dimensions, reason codes
and what would change it — for those allowed to see it (nothing at all for the others; the look is
logged as an inquiry when the viewer is not the subject)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from gongxin.accounts.viewer import Viewer
from gongxin.scoring.selectors import score_panel as score_panel_select
from gongxin.subjects.models import Subject

register = template.Library()


@register.inclusion_tag("scoring/_panel.html")
def score_panel(subject: Subject, viewer: Viewer, channel: str = "portal") -> dict[str, Any]:
    panel = score_panel_select(subject=subject, viewer=viewer, channel=channel) if subject and viewer else None
    english = (get_language() or "").startswith("en")
    return {"panel": panel, "e": panel.explanation if panel else None, "english": english}
