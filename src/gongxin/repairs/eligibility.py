"""Whether a negative record may be repaired, condition by condition, each explained.

The conditions (Order 36, 国办发〔2025〕22号; credit-rules.md) are read from the ``repair`` policy in
force on the day of the check (repairs.seed documents its parameters) and from the record's own
clocks, which the ``publicity`` policy computed when the record came in:

- a negative record in effect, not repaired yet;
- a severity class the policy lets be repaired;
- not a kind someone else removes (the policy's ``removed_by``, read by ``catalog.policy.removal_authorities``:
  a dishonest judgment debtor is removed by the court after performance), and some serious
  acts not before the maximum publicity period has ended;
- the minimum publicity period served: from ``publicity_min_end`` on (the date the subject's own
  profile names; decisions/018);
- the act corrected and the obligations performed: evidence files, or — when none is attached — the
  source unit confirms it from its own files when it decides (the condition is then "to be confirmed");
- a signed credit commitment (its text comes from the policy);
- no pending application for the record.

A condition is met (True), not met (False) or to be done/confirmed (None). A record is eligible when no
condition is unmet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from gongxin.catalog.choices import Polarity, Severity
from gongxin.catalog.errors import PolicyNotFound
from gongxin.catalog.models import Policy
from gongxin.catalog.policy import penalty_types_split, policy_select, removal_authorities, removal_label
from gongxin.records.choices import RecordStatus
from gongxin.records.counting import within_publicity
from gongxin.records.models import Record
from gongxin.repairs.choices import Condition, RepairStatus
from gongxin.repairs.errors import RepairPolicyMissing
from gongxin.repairs.models import RepairApplication
from gongxin.repairs.seed import REPAIR_KIND


@dataclass(frozen=True)
class ConditionResult:
    code: str
    label: str
    met: bool | None
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "label": self.label, "met": self.met, "explanation": self.explanation}


@dataclass(frozen=True)
class Eligibility:
    record_id: int
    day: date
    policy: Policy
    conditions: list[ConditionResult]

    @property
    def eligible(self) -> bool:
        return all(c.met is not False for c in self.conditions)

    @property
    def unmet(self) -> list[ConditionResult]:
        return [c for c in self.conditions if c.met is False]

    def as_list(self) -> list[dict[str, Any]]:
        return [c.as_dict() for c in self.conditions]


def repair_policy(*, day: date) -> Policy:
    """The ``repair`` policy in force on ``day`` in the platform's jurisdiction."""
    try:
        return policy_select(kind=REPAIR_KIND, day=day, jurisdiction=settings.GONGXIN_JURISDICTION)
    except PolicyNotFound:
        raise RepairPolicyMissing(details={"day": day.isoformat()}) from None


def _matches(penalty_type: str, term: str) -> bool:
    return penalty_type == term or (len(term) >= 2 and (term in penalty_type or penalty_type in term))


def _c(code: Condition, met: bool | None, explanation: str) -> ConditionResult:
    return ConditionResult(code=str(code), label=str(code.label), met=met, explanation=explanation)


def _severity_label(severity: str) -> str:
    return str(Severity(severity).label) if severity in Severity.values else severity or "—"


def eligibility_check(
    *,
    record: Record,
    day: date,
    evidence_count: int = 0,
    commitment_signed: bool | None = None,
    exclude_application_id: int | None = None,
) -> Eligibility:
    """Every condition for repairing ``record`` on ``day``, met or not and why.

    ``commitment_signed`` is None for a check before applying (the commitment is signed in the
    application itself); ``exclude_application_id`` leaves an application out of "no pending one"."""
    policy = repair_policy(day=day)
    params = policy.params
    version = record.current_version
    assert version is not None
    item = record.catalog_item
    conditions: list[ConditionResult] = []

    in_effect = version.polarity == Polarity.NEGATIVE and version.status == RecordStatus.ACTIVE
    if version.polarity != Polarity.NEGATIVE:
        why = _("Only negative records are repaired; this record is not negative.")
    elif version.status != RecordStatus.ACTIVE:
        why = _("The record is not in effect (revoked or archived).")
    else:
        why = _("A negative record in effect.")
    conditions.append(_c(Condition.NEGATIVE_IN_EFFECT, in_effect, why))

    conditions.append(_c(
        Condition.NOT_REPAIRED, not version.repaired,
        _("The record has already been repaired.") if version.repaired else _("The record has not been repaired."),
    ))

    severities = list(params.get("repairable_severities") or [])
    severity_ok = version.severity in severities
    conditions.append(_c(Condition.SEVERITY, severity_ok, (
        _("Severity class: %(severity)s; %(policy)s allows repair of this class.")
        if severity_ok else _("Severity class: %(severity)s; %(policy)s does not allow repair of this class.")
    ) % {"severity": _severity_label(version.severity), "policy": policy.name}))

    removed_by = removal_authorities(day=day, policy=policy)
    late = params.get("serious_not_before_max_end") or {}
    types = penalty_types_split((version.payload or {}).get("penalty_types"))
    late_kind = version.severity == Severity.SERIOUS and (
        item.record_kind in set(late.get("record_kinds") or [])
        or any(_matches(t, term) for t in types for term in late.get("penalty_types") or [])
    )
    if item.record_kind in removed_by:
        conditions.append(_c(Condition.REPAIRABLE_KIND, False, _(
            "%(removal)s: records of this kind (%(item)s) are not repaired through the platform."
        ) % {"removal": removal_label(removed_by[item.record_kind]), "item": item.name}))
    elif late_kind and version.publicity_max_end is not None and within_publicity(version, day=day):
        conditions.append(_c(Condition.REPAIRABLE_KIND, False, _(
            "This serious act may be repaired only after the maximum publicity period, which ends on %(date)s "
            "(%(policy)s)."
        ) % {"date": version.publicity_max_end.isoformat(), "policy": policy.name}))
    else:
        conditions.append(_c(Condition.REPAIRABLE_KIND, True, _("A kind of record that may be repaired.")))

    min_end = version.publicity_min_end
    if min_end is None:
        conditions.append(_c(Condition.MIN_PUBLICITY, True,
                             _("The record has no minimum publicity period (it is not published).")))
    elif day >= min_end:
        conditions.append(_c(Condition.MIN_PUBLICITY, True, _(
            "The minimum publicity period was served on %(date)s."
        ) % {"date": min_end.isoformat()}))
    else:
        conditions.append(_c(Condition.MIN_PUBLICITY, False, _(
            "The minimum publicity period is served on %(date)s (%(days)s days from now); apply from that day."
        ) % {"date": min_end.isoformat(), "days": (min_end - day).days}))

    if evidence_count:
        conditions.append(_c(Condition.OBLIGATIONS, True, _(
            "%(count)s evidence file(s) attached; the source unit verifies them when it decides."
        ) % {"count": evidence_count}))
    else:
        conditions.append(_c(Condition.OBLIGATIONS, None, _(
            "No evidence attached: attach proof of performance, or the source unit confirms it from its own "
            "files when it decides."
        )))

    if commitment_signed is None:
        conditions.append(_c(Condition.COMMITMENT, None,
                             _("To be signed in the application: you accept the credit commitment text.")))
    elif commitment_signed:
        conditions.append(_c(Condition.COMMITMENT, True, _("The credit commitment is signed.")))
    else:
        conditions.append(_c(Condition.COMMITMENT, False,
                             _("Accept and sign the credit commitment; repair is not possible without it.")))

    pending = RepairApplication.objects.filter(record=record, status=RepairStatus.FORWARDED)
    if exclude_application_id is not None:
        pending = pending.exclude(pk=exclude_application_id)
    other = pending.values_list("pk", flat=True).first()
    conditions.append(_c(Condition.NO_PENDING, other is None, (
        _("No other application for this record is being handled.") if other is None
        else _("Application %(id)s for this record is still being handled.") % {"id": other}
    )))
    return Eligibility(record_id=record.pk, day=day, policy=policy, conditions=conditions)
