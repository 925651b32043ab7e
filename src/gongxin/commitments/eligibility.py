"""Whether a subject may make a commitment of a type for a matter, condition by condition, each explained.

The rules (credit-rules.md, "Credit commitments"): subjects with an unrepaired serious negative record, or
with a past false or broken commitment, cannot use approval-type commitments (the types whose
``eligibility_applies`` is set). "Past" means still a basis for measures: the negative record of the
serious act or of the breach is in effect (not revoked or archived), not repaired, and within its
retention period. For every type, one subject keeps at most one open commitment per type and matter.

A condition is met (True) or not (False); the subject is eligible when every condition is met.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongxin.catalog.choices import Polarity, Severity
from gongxin.commitments.choices import CommitmentStatus, Condition
from gongxin.commitments.models import Commitment, CommitmentType
from gongxin.core import clock
from gongxin.records.counting import counts_q
from gongxin.records.models import Record
from gongxin.subjects.models import Subject

EXAMPLES_SHOWN = 3


@dataclass(frozen=True)
class ConditionResult:
    code: str
    label: str
    met: bool
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "label": self.label, "met": self.met, "explanation": self.explanation}


@dataclass(frozen=True)
class Eligibility:
    subject_id: int
    type_code: str
    matter_code: str
    day: date
    conditions: list[ConditionResult]

    @property
    def eligible(self) -> bool:
        return all(c.met for c in self.conditions)

    @property
    def unmet(self) -> list[ConditionResult]:
        return [c for c in self.conditions if not c.met]

    def as_list(self) -> list[dict[str, Any]]:
        return [c.as_dict() for c in self.conditions]


def _c(code: Condition, met: bool, explanation: str) -> ConditionResult:
    return ConditionResult(code=str(code), label=str(code.label), met=met, explanation=explanation)


def in_effect(prefix: str, day: date) -> Q:
    """Records (``prefix`` = path to a Record) still a basis for measures on ``day``: they count
    (records.counting), and a repaired one does not."""
    return counts_q(day=day, prefix=prefix, repaired_counts=False)


def unrepaired_serious(*, subject_ids: Any, day: date) -> QuerySet[Record]:
    return Record.objects.filter(
        in_effect("", day), subject_id__in=subject_ids, current_version__polarity=Polarity.NEGATIVE,
        current_version__severity=Severity.SERIOUS,
    )


def breaches_in_effect(*, subject_ids: Any, day: date) -> QuerySet[Commitment]:
    """Breached commitments whose negative record still counts (a repaired or archived one no longer does)."""
    return Commitment.objects.filter(in_effect("breach_record__", day), subject_id__in=subject_ids,
                                     status=CommitmentStatus.BREACHED)


def eligibility_check(*, subject: Subject, type: CommitmentType, matter_code: str, day: date) -> Eligibility:
    """Every condition for ``subject`` to commit ``type`` for ``matter_code`` on ``day``, met or not and why."""
    conditions: list[ConditionResult] = []
    if type.eligibility_applies:
        serious = list(unrepaired_serious(subject_ids=[subject.pk], day=day)
                       .select_related("catalog_item", "current_version").order_by("-current_version__decision_date")
                       [:EXAMPLES_SHOWN])
        if serious:
            shown = "；".join(
                f"{r.catalog_item.name}（{r.current_version.decision_date or '—'}）" for r in serious  # type: ignore[union-attr]
            )
            conditions.append(_c(Condition.NO_UNREPAIRED_SERIOUS, False, _(
                "A serious negative record is in effect and not repaired: %(records)s. Approval-type commitments "
                "are not available until it is repaired or its retention period ends."
            ) % {"records": shown}))
        else:
            conditions.append(_c(Condition.NO_UNREPAIRED_SERIOUS, True,
                                 _("No serious negative record in effect that is not repaired.")))
        breach = breaches_in_effect(subject_ids=[subject.pk], day=day).order_by("-verified_at").first()
        if breach is not None:
            conditions.append(_c(Condition.NO_BREACH, False, _(
                "Commitment %(number)s (%(matter)s) was found false or broken on %(date)s; its negative record is "
                "still in effect."
            ) % {"number": breach.number, "matter": breach.matter_name,
                 "date": clock.local(breach.verified_at).date().isoformat() if breach.verified_at else "—"}))
        else:
            conditions.append(_c(Condition.NO_BREACH, True, _("No false or broken commitment in effect.")))
    else:
        why = _("Not required for commitments of the type %(type)s.") % {"type": type.name}
        conditions.append(_c(Condition.NO_UNREPAIRED_SERIOUS, True, why))
        conditions.append(_c(Condition.NO_BREACH, True, why))
    open_one = (Commitment.objects.filter(subject=subject, type=type, matter_code=matter_code,
                                          status=CommitmentStatus.SIGNED).values_list("number", flat=True).first())
    conditions.append(_c(Condition.NO_DUPLICATE, open_one is None, (
        _("No open commitment of this type for this matter.") if open_one is None
        else _("Commitment %(number)s of this type for this matter is still open.") % {"number": open_one}
    )))
    return Eligibility(subject_id=subject.pk, type_code=type.code, matter_code=matter_code, day=day,
                       conditions=conditions)
