"""The one place the commitments app calls the credit check of #6 (gongxin.rewards), for instant payouts.

``payout_check`` runs ``rewards.services.check_perform(*, subject, matter, actor, name)`` with the matter's
code. The check records itself (and the subject's inquiry) and returns a ``rewards.models.Check`` whose
``decision`` is ``pass``, ``intercept``, ``warn`` or ``reward`` and whose ``hits`` list the measures that
apply with their legal basis. Its own errors (unknown matter, a caller that is not the matter's business
system, a person checked without the sharing scope) propagate unchanged to the paying system. What the
payout keeps of the check is the small ``CheckOutcome`` below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gongxin.accounts.viewer import Viewer
from gongxin.subjects.models import Subject


@dataclass(frozen=True)
class CheckOutcome:
    check_id: int | None
    decision: str  # pass | intercept | warn | reward
    hits: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)


def payout_check(*, subject: Subject, matter_code: str, actor: Viewer, name: str = "") -> CheckOutcome:
    from gongxin.rewards.services import check_perform  # the rewards app imports nothing of ours

    check = check_perform(subject=subject, matter=matter_code, actor=actor, name=name)
    hits = [{"measure": h.get("measure"), "name": h.get("name"), "kind": h.get("kind"), "class": h.get("class"),
             "legal_basis": h.get("legal_basis"), "basis": h.get("basis", [])} for h in (check.hits or [])]
    return CheckOutcome(check_id=check.pk, decision=str(check.decision), hits=hits, warnings=list(check.warnings or []))
