"""Policy as data: choosing the rule that applies, and computing a record's two clocks from it.

A ``Policy`` row applies in its jurisdiction and every jurisdiction below it ("CN" ⊃ "CN-ZJ" ⊃
"CN-ZJ-NB"), from ``effective_from`` to ``effective_to`` inclusive (open when empty), in one regulatory
domain or (blank domain) in all. When several apply, the one with the matching domain wins over a
blank-domain one, then the deepest jurisdiction, then the latest ``effective_from``.

Parameters by kind (``Policy.params``; numbers of the law live only there):

``publicity`` — publicity window of negative records, chosen by the decision date::

    {"minor":   {"publish": false},
     "general": {"publish": true, "min_months": 3, "max_months": 12},
     "serious": {"publish": true, "min_months": 6, "max_months": 36},
     "unpublished_penalty_types": ["警告"]}          # optional

  Both ends count calendar months from the decision date (``clock.add_months``, clamped to month end).
  ``publish: false`` means the record is not published at all (both ends empty). A penalty whose types
  are *all* in ``unpublished_penalty_types`` is not published (a warning alone is not; warning + fine is).

``retention`` — how long negative information is kept and used: ``{"years": 5}``, counted from the
decision date, or from ``payload["sentence_end_date"]`` when the payload has one (custodial sentence).

``severity_map`` — severity class from penalty types::

    {"minor": ["警告", ...], "general": ["罚款", ...], "serious": ["吊销许可证件", ...],
     "aliases": {"吊销营业执照": "吊销许可证件"}}     # optional: other wordings of a type

  A type matches a term when they are equal or one contains the other; the most serious match wins,
  and across several types of one decision the most serious type wins (its period is the longest).

``deadlines`` — working-day deadlines::

    {"objection_decide_working_days": 5, "objection_max_working_days": 20,
     "repair_department_working_days": 3, "repair_platform_working_days": 10,
     "double_publicity_working_days": 7}

``repair`` — the conditions of credit repair (repairs.seed documents them); among them ``removed_by``, the
record kinds repair does not reach, each with who removes them instead (``RemovedBy``)::

    {"removed_by": {"judgment_debtor": "court"}, ...}

  ``removal_authorities`` reads it for every app that would otherwise offer repair (decision 048).

Bulk paths load every policy once into a ``PolicyBook`` and pass it as ``policies=``; without it each
call reads the few candidate rows from the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from gongxin.catalog.choices import DisclosureLevel, Polarity, PolicyKind, RemovedBy, Severity
from gongxin.catalog.errors import DecisionDateMissing, PolicyInvalid, PolicyNotFound, SeverityInvalid
from gongxin.catalog.models import CatalogItem, Policy
from gongxin.core.clock import add_months

__all__ = [
    "Clocks",
    "PolicyBook",
    "clocks_compute",
    "deadline_working_days",
    "jurisdiction_ancestors",
    "penalty_types_split",
    "policy_select",
    "publicity_decided_since",
    "severity_classify",
]

PENALTY_TYPES_FIELD = "penalty_types"
PROCEDURE_FIELD = "procedure"
SUMMARY_PROCEDURE = "summary"
SENTENCE_END_FIELD = "sentence_end_date"
# Every payload field the clocks read besides the item's decision date (PolicyBook.clocks keys on them).
_CLOCK_FIELDS = (PENALTY_TYPES_FIELD, PROCEDURE_FIELD, SENTENCE_END_FIELD)

_SEVERITY_RANK: dict[str, int] = {Severity.MINOR: 1, Severity.GENERAL: 2, Severity.SERIOUS: 3}
_TYPE_SEPARATORS = re.compile(r"[;；、,，\n]+")


@dataclass(frozen=True)
class Clocks:
    """What a record version stores about its polarity, severity and the two clocks, with the policies
    that produced them (ids are ``None`` when no clock applies)."""

    polarity: str
    severity: str
    decision_date: date | None
    published: bool
    publicity_min_end: date | None
    publicity_max_end: date | None
    retention_end: date | None
    publicity_policy_id: int | None
    retention_policy_id: int | None


class _Selector(Protocol):
    def __call__(self, *, kind: str, day: date, jurisdiction: str, domain: str = "") -> Policy: ...


def jurisdiction_ancestors(jurisdiction: str) -> list[str]:
    """``"CN-ZJ-NB"`` -> ``["CN", "CN-ZJ", "CN-ZJ-NB"]`` (the jurisdiction and all above it)."""
    parts = [p for p in jurisdiction.split("-") if p]
    return ["-".join(parts[: i + 1]) for i in range(len(parts))]


def _choose(candidates: Iterable[Policy], *, kind: str, day: date, jurisdiction: str, domain: str) -> Policy:
    ancestors = set(jurisdiction_ancestors(jurisdiction))
    applicable = [
        p for p in candidates
        if p.kind == kind and p.jurisdiction in ancestors and p.domain in {domain, ""} and p.applies_on(day)
    ]
    if not applicable:
        raise PolicyNotFound(details={
            "kind": kind, "day": day.isoformat(), "jurisdiction": jurisdiction, "domain": domain,
        })
    return max(
        applicable,
        key=lambda p: (bool(p.domain), p.jurisdiction.count("-"), p.effective_from, p.code),
    )


def policy_select(*, kind: str, day: date, jurisdiction: str, domain: str = "") -> Policy:
    """The policy of ``kind`` that applies on ``day`` in ``jurisdiction`` and ``domain``.

    Raises ``PolicyNotFound`` (code ``policy.not_found``) when none does."""
    candidates = Policy.objects.filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=day),
        kind=kind,
        jurisdiction__in=jurisdiction_ancestors(jurisdiction),
        domain__in={domain, ""},
        effective_from__lte=day,
    )
    return _choose(candidates, kind=kind, day=day, jurisdiction=jurisdiction, domain=domain)


class PolicyBook:
    """Every policy row in memory, for bulk paths (one query per batch instead of several per row)."""

    def __init__(self, policies: Iterable[Policy]) -> None:
        self._by_kind: dict[str, list[Policy]] = {}
        for policy in policies:
            self._by_kind.setdefault(policy.kind, []).append(policy)
        self._clocks: dict[tuple[Any, ...], Clocks] = {}

    @classmethod
    def load(cls) -> PolicyBook:
        return cls(Policy.objects.all())

    def select(self, *, kind: str, day: date, jurisdiction: str, domain: str = "") -> Policy:
        return _choose(self._by_kind.get(kind, []), kind=kind, day=day, jurisdiction=jurisdiction, domain=domain)

    def clocks(self, *, item: CatalogItem, domain: str, payload: Mapping[str, Any],
               severity: str | None = None) -> Clocks:
        """``clocks_compute`` with this book, remembered by what the clocks depend on (the item, domain,
        severity override and the payload fields the policies read): a batch of 1M penalties decided on a few
        hundred days with a few dozen penalty-type spellings computes a few thousand clocks, not a million."""
        key = (item.pk, domain, severity, *(payload.get(name) for name in _CLOCK_FIELDS),
               payload.get(item.decision_date_field) if item.decision_date_field else None)
        found = self._clocks.get(key)
        if found is None:
            if len(self._clocks) > 100_000:
                self._clocks.clear()
            found = self._clocks[key] = clocks_compute(item=item, domain=domain, payload=payload,
                                                       severity=severity, policies=self)
        return found


def _selector(policies: PolicyBook | None) -> _Selector:
    return policies.select if policies is not None else policy_select


def penalty_types_split(value: Any) -> list[str]:
    """``"警告；罚款、没收违法所得"`` -> ``["警告", "罚款", "没收违法所得"]``."""
    if not isinstance(value, str):
        return []
    return [part.strip() for part in _TYPE_SEPARATORS.split(value) if part.strip()]


def _term_matches(penalty_type: str, term: str) -> bool:
    if penalty_type == term:
        return True
    if len(penalty_type) < 2 or len(term) < 2:
        return False
    return term in penalty_type or penalty_type in term


def _severity_of(penalty_type: str, params: Mapping[str, Any]) -> str | None:
    aliases = params.get("aliases") or {}
    penalty_type = aliases.get(penalty_type, penalty_type)
    for severity in (Severity.SERIOUS, Severity.GENERAL, Severity.MINOR):
        if any(_term_matches(penalty_type, term) for term in params.get(severity, [])):
            return str(severity)
    return None


def _default_severity(item: CatalogItem) -> str:
    if item.default_severity:
        return item.default_severity
    return str(Severity.GENERAL) if item.polarity == Polarity.NEGATIVE else ""


def _is_summary_procedure(item: CatalogItem, payload: Mapping[str, Any]) -> bool:
    return item.field(PROCEDURE_FIELD) is not None and payload.get(PROCEDURE_FIELD) == SUMMARY_PROCEDURE


def severity_classify(
    *,
    item: CatalogItem,
    payload: Mapping[str, Any],
    jurisdiction: str,
    day: date,
    domain: str = "",
    policies: PolicyBook | None = None,
) -> str:
    """Severity class of a negative record from its penalty types (the most serious wins), by the
    ``severity_map`` policy in force on ``day``; else the item's default severity. A penalty by summary
    procedure is minor."""
    if _is_summary_procedure(item, payload):
        return str(Severity.MINOR)
    types = penalty_types_split(payload.get(PENALTY_TYPES_FIELD))
    if not types:
        return _default_severity(item)
    try:
        policy = _selector(policies)(kind=PolicyKind.SEVERITY_MAP, day=day, jurisdiction=jurisdiction, domain=domain)
    except PolicyNotFound:
        return _default_severity(item)
    found = [s for s in (_severity_of(t, policy.params) for t in types) if s]
    if not found:
        return _default_severity(item)
    return max(found, key=lambda s: _SEVERITY_RANK[s])


def _iso_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return date.fromisoformat(value)
    return None


def clocks_compute(
    *,
    item: CatalogItem,
    domain: str,
    payload: Mapping[str, Any],
    severity: str | None = None,
    jurisdiction: str | None = None,
    policies: PolicyBook | None = None,
) -> Clocks:
    """Polarity, severity, publication and the two clocks of a record with canonical ``payload``.

    ``domain`` is the source unit's regulatory domain; ``severity`` overrides the classification;
    ``jurisdiction`` defaults to ``settings.GONGXIN_JURISDICTION``. Raises ``PolicyNotFound`` when a
    negative record's date has no publicity or retention policy, ``DecisionDateMissing`` without a date.
    """
    jurisdiction = jurisdiction or settings.GONGXIN_JURISDICTION
    decision_date = _iso_date(payload.get(item.decision_date_field)) if item.decision_date_field else None
    if item.polarity != Polarity.NEGATIVE:
        return Clocks(
            polarity=str(item.polarity), severity="", decision_date=decision_date,
            published=item.disclosure_level == DisclosureLevel.PUBLIC,
            publicity_min_end=None, publicity_max_end=None, retention_end=None,
            publicity_policy_id=None, retention_policy_id=None,
        )
    if _is_summary_procedure(item, payload):
        # Not negative information (Zhejiang): no clocks, and not published on the credit portal.
        return Clocks(
            polarity=str(Polarity.NEUTRAL), severity="", decision_date=decision_date, published=False,
            publicity_min_end=None, publicity_max_end=None, retention_end=None,
            publicity_policy_id=None, retention_policy_id=None,
        )
    if decision_date is None:
        raise DecisionDateMissing(details={"field": item.decision_date_field, "item": item.code})
    select = _selector(policies)
    if severity and severity not in Severity.values:
        raise SeverityInvalid(details={"severity": severity})
    if not severity:
        severity = severity_classify(item=item, payload=payload, jurisdiction=jurisdiction, day=decision_date,
                                     domain=domain, policies=policies)

    publicity = select(kind=PolicyKind.PUBLICITY, day=decision_date, jurisdiction=jurisdiction, domain=domain)
    regime = publicity.params.get(severity)
    if not isinstance(regime, Mapping):
        raise PolicyInvalid(details={"policy": publicity.code, "missing": severity})
    published = bool(regime.get("publish", True))
    unpublished_types = publicity.params.get("unpublished_penalty_types") or []
    types = penalty_types_split(payload.get(PENALTY_TYPES_FIELD))
    if published and unpublished_types and types and all(
        any(_term_matches(t, u) for u in unpublished_types) for t in types
    ):
        published = False
    min_end = max_end = None
    if published:
        try:
            min_end = add_months(decision_date, int(regime["min_months"]))
            max_end = add_months(decision_date, int(regime["max_months"]))
        except (KeyError, TypeError, ValueError):
            raise PolicyInvalid(details={"policy": publicity.code, "severity": severity}) from None

    retention = select(kind=PolicyKind.RETENTION, day=decision_date, jurisdiction=jurisdiction, domain=domain)
    try:
        years = int(retention.params["years"])
    except (KeyError, TypeError, ValueError):
        raise PolicyInvalid(details={"policy": retention.code, "missing": "years"}) from None
    retention_start = _iso_date(payload.get(SENTENCE_END_FIELD)) or decision_date

    return Clocks(
        polarity=str(Polarity.NEGATIVE),
        severity=severity,
        decision_date=decision_date,
        published=published,
        publicity_min_end=min_end,
        publicity_max_end=max_end,
        retention_end=add_months(retention_start, 12 * years),
        publicity_policy_id=publicity.pk,
        retention_policy_id=retention.pk,
    )


def publicity_decided_since(*, day: date) -> date | None:
    """The earliest decision date a negative record can have and still be within its publicity window on
    ``day``: ``day`` less the longest ``max_months`` of any publicity policy (whatever its dates or place), and
    one month more for the clamping of month ends. A published negative record's window always ends
    ``max_months`` after its decision date (``clocks_compute``), so none decided earlier is shown on ``day``.
    None when no publicity policy exists (nothing is bounded)."""
    longest = 0
    for params in Policy.objects.filter(kind=PolicyKind.PUBLICITY).values_list("params", flat=True):
        for regime in (params or {}).values():
            if isinstance(regime, Mapping):
                try:
                    longest = max(longest, int(regime.get("max_months") or 0))
                except (TypeError, ValueError):
                    continue
    if not longest:
        return None
    return add_months(day, -(longest + 1))


def deadline_working_days(
    *, name: str, day: date, jurisdiction: str | None = None, policies: PolicyBook | None = None
) -> int:
    """A working-day deadline (e.g. ``"objection_decide_working_days"``) of the ``deadlines`` policy in
    force on ``day``."""
    jurisdiction = jurisdiction or settings.GONGXIN_JURISDICTION
    policy = _selector(policies)(kind=PolicyKind.DEADLINES, day=day, jurisdiction=jurisdiction)
    try:
        return int(policy.params[name])
    except (KeyError, TypeError, ValueError):
        raise PolicyInvalid(details={"policy": policy.code, "missing": name}) from None


def removal_authorities(*, day: date, jurisdiction: str | None = None,
                        policy: Policy | None = None) -> dict[str, str]:
    """The record kinds that credit repair does not reach on ``day``, each with who removes them instead
    (``RemovedBy``, e.g. ``{"judgment_debtor": "court"}``): the ``removed_by`` of the ``repair`` policy in
    force (``policy``, when the caller holds it already). The one place that says so: repair eligibility, the
    pages that offer repair, the score's tips and the check's ``lift`` all read it. Empty when no repair policy
    is in force."""
    if policy is None:
        try:
            policy = policy_select(kind=PolicyKind.REPAIR, day=day,
                                   jurisdiction=jurisdiction or settings.GONGXIN_JURISDICTION)
        except PolicyNotFound:
            return {}
    found = (policy.params or {}).get("removed_by") or {}
    return {str(kind): str(authority) for kind, authority in found.items()} if isinstance(found, Mapping) else {}


def removal_label(authority: str) -> str:
    """What a page says of a record ``authority`` removes ("Removed by the court after performance")."""
    if authority in RemovedBy.values:
        return str(RemovedBy(authority).label)
    return str(_("Removed by the authority that listed it, not by credit repair"))
