"""``{% load workdays %}``: ``{{ due|deadline_mark }}`` renders the provisional mark beside a working-day
deadline that runs into a year whose holiday arrangement is not known yet (decision 038)."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from gongxin.core.workdays import deadline_provisional

register = template.Library()


@register.filter
def deadline_mark(due: date | None) -> SafeString | str:
    if not deadline_provisional(due):
        return ""
    return format_html(
        ' <span class="tag tag-provisional" data-provisional title="{}">{}</span>',
        _("The State Council has not published this year's holiday arrangement yet: the date counts the "
          "statutory holidays only and may still move."),
        _("provisional"),
    )
