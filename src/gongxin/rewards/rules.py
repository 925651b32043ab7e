"""The in-process cache of what a check needs besides the subject's facts: the current measures (CEL
compiled), the matters and the business systems.

Loaded once per process and kept until the ``RulesState`` number moves: every service that changes a
measure, a matter or a system bumps it in its transaction (``rules_changed``) and drops this process's
copy at once; other processes look at the number at most every ``RECHECK_SECONDS`` (one tiny query),
so a change reaches every server within that time. A check itself reads nothing of this from the database.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F

from gongxin.core import clock
from gongxin.core.cel import CompiledRule, FactsContext, rule_compile, rule_evaluate
from gongxin.core.errors import RuleError
from gongxin.rewards.facts import fact_names
from gongxin.rewards.models import BusinessSystem, Matter, Measure, RulesState

logger = logging.getLogger(__name__)

RECHECK_SECONDS = 2.0
# Distinct facts rows whose answers a process keeps per rule set (most subjects share a few: no facts
# at all, one general penalty ...); past this the cache starts again.
MATCH_CACHE_SIZE = 20_000


@dataclass(frozen=True, slots=True)
class CompiledMeasure:
    measure_id: int
    version_id: int
    version: int
    code: str
    name: str
    kind: str
    measure_class: str
    department: str
    legal_basis: str
    content: str
    effective_from: date
    effective_to: date | None
    matter_types: frozenset[str]
    matter_codes: frozenset[str]
    rule: CompiledRule

    def in_effect(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def applies_to(self, matter: MatterInfo) -> bool:
        return matter.code in self.matter_codes or matter.matter_type in self.matter_types


@dataclass(frozen=True, slots=True)
class MatterInfo:
    id: int
    code: str
    name: str
    matter_type: str
    system_id: int
    system_name: str
    department_id: int
    department_name: str
    is_active: bool


@dataclass(frozen=True, slots=True)
class SystemInfo:
    id: int
    code: str
    name: str
    department_id: int
    client_id: int | None
    is_active: bool


@dataclass
class RuleSet:
    version: int
    names: dict[str, str]
    measures: tuple[CompiledMeasure, ...]
    matters: dict[str, MatterInfo]
    systems: dict[int, SystemInfo]
    systems_by_client: dict[int, SystemInfo]
    _by_matter: dict[int, tuple[CompiledMeasure, ...]] = field(default_factory=dict)
    _matched: dict[tuple[int, date, str], tuple[CompiledMeasure, ...]] = field(default_factory=dict)
    _ids: dict[str, int] = field(default_factory=dict)

    def measure_id(self, code: str) -> int | None:
        """The id of the measure ``code`` among these rules (None: not among them — withdrawn, or unknown)."""
        if not self._ids and self.measures:  # made once per rules, on first use
            self._ids = {m.code: m.measure_id for m in self.measures}
        return self._ids.get(code)

    def measures_for(self, matter: MatterInfo, day: date) -> tuple[CompiledMeasure, ...]:
        """The measures that apply to ``matter`` (mapped by code or type), in effect on ``day``."""
        mapped = self._by_matter.get(matter.id)
        if mapped is None:
            mapped = tuple(m for m in self.measures if m.applies_to(matter))
            self._by_matter[matter.id] = mapped
        return tuple(m for m in mapped if m.in_effect(day))

    def measures_matched(self, matter: MatterInfo, day: date, facts: Mapping[str, Any]) -> tuple[CompiledMeasure, ...]:
        """The measures of ``matter`` in effect on ``day`` whose trigger holds on ``facts``.

        A pure function of the rules (this object), the matter, the day and the facts, so the answer
        is kept per distinct facts value: most subjects share one (no facts at all), and a check then
        evaluates no rule. A measure whose trigger fails on a fact of the wrong type (a provider's
        error) is not matched — never a hit by error.
        """
        key = (matter.id, day, json.dumps(facts, sort_keys=True, separators=(",", ":"), default=str))
        found = self._matched.get(key)
        if found is None:
            context = FactsContext(facts, names=self.names)
            matched = []
            for measure in self.measures_for(matter, day):
                try:
                    if rule_evaluate(measure.rule, context):
                        matched.append(measure)
                except RuleError:
                    continue
            found = tuple(matched)
            if len(self._matched) >= MATCH_CACHE_SIZE:
                self._matched.clear()
            self._matched[key] = found
        return found


_lock = threading.Lock()
_current: RuleSet | None = None
_checked_at = 0.0


def _state_version() -> int:
    return RulesState.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def _load(version: int) -> RuleSet:
    names = fact_names()
    measures = []
    rows = (Measure.objects.filter(current_version__isnull=False, current_version__is_active=True)
            .select_related("current_version").order_by("code"))
    for measure in rows:
        v = measure.current_version
        assert v is not None
        try:
            rule = rule_compile(v.trigger, names=names)
        except RuleError:
            # Saved before the rule budget (decision 035) or before a fact was withdrawn: never evaluated on
            # the check path; the measure page and a new version put it right.
            logger.error("Measure %s version %s: trigger refused, measure not applied", measure.code, v.number)
            continue
        measures.append(CompiledMeasure(
            measure_id=measure.pk, version_id=v.pk, version=v.number, code=measure.code, name=v.name, kind=v.kind,
            measure_class=v.measure_class, department=v.department, legal_basis=v.legal_basis, content=v.content,
            effective_from=v.effective_from, effective_to=v.effective_to, matter_types=frozenset(v.matter_types),
            matter_codes=frozenset(v.matter_codes), rule=rule,
        ))
    systems = {
        s.pk: SystemInfo(id=s.pk, code=s.code, name=s.name, department_id=s.department_id, client_id=s.client_id,
                         is_active=s.is_active)
        for s in BusinessSystem.objects.all()
    }
    matters = {
        m["code"]: MatterInfo(id=m["pk"], code=m["code"], name=m["name"], matter_type=m["matter_type"],
                              system_id=m["system_id"], system_name=m["system__name"],
                              department_id=m["system__department_id"],
                              department_name=m["system__department__name"], is_active=m["is_active"])
        for m in Matter.objects.values("pk", "code", "name", "matter_type", "system_id", "system__name",
                                       "system__department_id", "system__department__name", "is_active")
    }
    return RuleSet(
        version=version, names=names, measures=tuple(measures), matters=matters, systems=systems,
        systems_by_client={s.client_id: s for s in systems.values() if s.client_id is not None},
    )


def ruleset() -> RuleSet:
    """This process's current rules, reloaded when another process (or this one) changed them."""
    global _current, _checked_at
    now = time.monotonic()
    current = _current
    if current is not None and now - _checked_at < RECHECK_SECONDS:
        return current
    with _lock:
        if _current is not None and time.monotonic() - _checked_at < RECHECK_SECONDS:
            return _current
        version = _state_version()
        if _current is None or _current.version != version:
            _current = _load(version)
        _checked_at = time.monotonic()
        return _current


def rules_forget() -> None:
    """Drop this process's copy; the next check reloads it."""
    global _current
    _current = None


def rules_changed() -> None:
    """Called inside the transaction of every change of measures, matters or systems."""
    updated = RulesState.objects.filter(pk=1).update(version=F("version") + 1, changed_at=clock.now())
    if not updated:
        RulesState.objects.get_or_create(pk=1, defaults={"version": 1, "changed_at": clock.now()})
    rules_forget()
    transaction.on_commit(rules_forget)
