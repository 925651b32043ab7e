"""``{{ value|grouped }}``: an integer with a comma every three digits (1,234,567) in every language.

Django's ``intcomma`` follows the active locale's grouping, and the zh-hans locale defines none, so the home page's
figures read "1234567" in Chinese; official statistics in China group by thousands with commas.
"""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def grouped(value: Any) -> str:
    """``1234567`` → ``"1,234,567"``; what is not a number is shown as it is."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return "" if value is None else str(value)
