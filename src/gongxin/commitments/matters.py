"""The matters a subject picks when it makes a commitment: the registry of matters (rewards: each matter of a
business system, by name, with its department), so the signing page never asks for a matter code.

A matter the registry does not list (a department that checks no matter through the platform) is named by the
subject in words; its name is then its code as well, so "one open commitment per subject, type and matter"
still holds for it. Payouts (``commitments.payouts``) need a registered matter: the check runs on its code.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from gongxin.rewards.models import Matter
from gongxin.rewards.selectors import matters_of

# The most matters one search answers (the page's list narrows as the subject types).
SEARCH_LIMIT = 20
MATTER_CODE_MAX = 60  # Commitment.matter_code


@dataclass(frozen=True)
class MatterChoice:
    value: str  # the matter's code: the form's value, never shown
    label: str  # its name
    detail: str  # the department that handles it


def _listed(*, department_code: str = "") -> QuerySet[Matter]:
    matters = matters_of().filter(is_active=True, system__is_active=True)
    if department_code:
        matters = matters.filter(system__department__code=department_code)
    return matters.order_by("system__department__name", "name", "code")


def _choice(matter: Matter) -> MatterChoice:
    return MatterChoice(value=matter.code, label=matter.name, detail=matter.system.department.name)


def matters_listed(*, department_code: str = "") -> list[MatterChoice]:
    """Every active matter by department and name (the page's plain list without script)."""
    return [_choice(m) for m in _listed(department_code=department_code)]


def matters_search(*, text: str, department_code: str = "", limit: int = SEARCH_LIMIT) -> list[MatterChoice]:
    """Active matters whose name holds ``text`` (of one department when given); nothing for an empty text."""
    text = " ".join((text or "").split())[:100]
    if not text:
        return []
    return [_choice(m) for m in _listed(department_code=department_code).filter(name__icontains=text)[:limit]]


def matter_chosen(*, code: str = "", name: str = "") -> tuple[str, str] | None:
    """(matter code, matter name) of a listed matter chosen by its code, or of a matter named in words; None
    when the code names no active matter (or neither is given)."""
    if code:
        matter = _listed().filter(code=code).first()
        return (matter.code, matter.name) if matter is not None else None
    name = " ".join((name or "").split())
    return (name[:MATTER_CODE_MAX], name) if name else None
