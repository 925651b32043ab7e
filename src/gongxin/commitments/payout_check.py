"""The one place the commitments app calls the credit check of #6 (gongxin.rewards), for instant payouts.

``payout_check`` resolves the matter by its code and runs ``rewards.services.check_perform(*, subject,
matter, actor, name)``, which records the check (and its inquiry) and returns a ``Check`` with a
``decision`` of ``pass``, ``intercept``, ``warn`` or ``reward`` and its hits. What the payout needs of it
is the small ``CheckOutcome`` below, so the rest of this app does not depend on the check's model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gongxin.accounts.viewer import Viewer
from gongxin.commitments.errors import PayoutCheckUnavailable, PayoutMatterUnknown
from gongxin.subjects.models import Subject


@dataclass(frozen=True)
class CheckOutcome:
    check_id: int | None
    decision: str  # pass | intercept | warn | reward
    hits: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _hits(check: Any) -> list[dict[str, Any]]:
    manager = getattr(check, "hits", None)
    if manager is None or not hasattr(manager, "all"):
        return []
    rows = []
    for hit in manager.all():
        measure = getattr(hit, "measure", None)
        rows.append({
            "measure": getattr(measure, "code", "") or getattr(hit, "measure_code", ""),
            "name": getattr(measure, "name", "") or getattr(hit, "measure_name", ""),
            "kind": getattr(measure, "kind", "") or getattr(hit, "kind", ""),
            "legal_basis": getattr(hit, "legal_basis", "") or getattr(measure, "legal_basis", ""),
        })
    return rows


def payout_check(*, subject: Subject, matter_code: str, actor: Viewer, name: str = "") -> CheckOutcome:
    try:
        from gongxin.rewards import services as rewards_services
        from gongxin.rewards.models import Matter
    except ImportError:
        raise PayoutCheckUnavailable() from None
    check_perform = getattr(rewards_services, "check_perform", None)
    if check_perform is None:
        raise PayoutCheckUnavailable()
    matter = Matter.objects.filter(code=matter_code).first()
    if matter is None:
        raise PayoutMatterUnknown(details={"matter": matter_code})
    check = check_perform(subject=subject, matter=matter, actor=actor, name=name)
    return CheckOutcome(check_id=check.pk, decision=str(check.decision), hits=_hits(check),
                        warnings=list(getattr(check, "warnings", None) or []))
