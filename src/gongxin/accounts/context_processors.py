"""What templates may ask about the signed-in person: ``can.<capability>`` (e.g. ``{% if can.is_office %}``).

Templates show links and buttons by the same named capabilities the doors check (accounts.capabilities), never
by comparing ``user.role`` with a list of roles: a page's link appears exactly for those its door lets in. The
values are computed once per request, when a template first asks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from gongxin.accounts import capabilities
from gongxin.accounts.doors import has_account, page_viewer
from gongxin.accounts.viewer import Viewer

# The capabilities of one viewer alone (those about an object, such as writes_for_unit, are the views' to ask).
TEMPLATE_CAPABILITIES: dict[str, Callable[[Viewer], bool]] = {
    "has_account": has_account,
    "is_office": capabilities.is_office,
    "decides_for_office": capabilities.decides_for_office,
    "audits": capabilities.audits,
    "reveals_rin": capabilities.reveals_rin,
    "looks_up_persons": capabilities.looks_up_persons,
    "shares_records": capabilities.shares_records,
    "is_official": capabilities.is_official,
    "acts_for_source_unit": capabilities.acts_for_source_unit,
    "acts_for_organization": capabilities.acts_for_organization,
    "reads_supervision": capabilities.reads_supervision,
}


def viewer_capabilities(viewer: Viewer) -> dict[str, bool]:
    """Each template capability's answer for ``viewer``."""
    return {name: capability(viewer) for name, capability in TEMPLATE_CAPABILITIES.items()}


def can(request: HttpRequest) -> dict[str, Any]:
    """The context processor: ``can`` maps each capability's name to whether the request's viewer has it."""
    return {"can": SimpleLazyObject(lambda: viewer_capabilities(page_viewer(request)))}
