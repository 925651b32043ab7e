"""A scenario's policy data interpreted: conditions (CEL) checked with reasons, parameters looked up."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gongxin.benefits.errors import ScenarioInvalid
from gongxin.benefits.facts import fact_declarations
from gongxin.benefits.models import Scenario
from gongxin.core.cel import rule_compile, rule_evaluate
from gongxin.core.errors import RuleError


@dataclass(frozen=True)
class Reason:
    """One condition of a scenario, met or not, explained in both languages."""

    code: str
    met: bool
    label: str
    label_en: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "met": self.met, "label": self.label, "label_en": self.label_en}


@dataclass(frozen=True)
class Verdict:
    eligible: bool
    reasons: list[Reason]
    parameters: dict[str, Any]


def scenario_validate(*, conditions: Any, parameters: Any) -> None:
    """Raise ScenarioInvalid unless the conditions compile to booleans over known facts and the
    parameters have the expected shape (called when a scenario is seeded or edited)."""
    if not isinstance(conditions, list) or not conditions:
        raise ScenarioInvalid(details={"conditions": "a non-empty list is required"})
    for condition in conditions:
        if not isinstance(condition, dict) or not {"code", "rule", "label"} <= condition.keys():
            raise ScenarioInvalid(details={"condition": condition})
        try:
            rule_compile(condition["rule"], names=fact_declarations())
        except RuleError as exc:
            raise ScenarioInvalid(details={"condition": condition["code"], **exc.as_dict()}) from exc
    if not isinstance(parameters, list):
        raise ScenarioInvalid(details={"parameters": "a list is required"})
    for parameter in parameters:
        if not isinstance(parameter, dict) or "code" not in parameter:
            raise ScenarioInvalid(details={"parameter": parameter})
        by = parameter.get("by")
        if by and by not in fact_declarations():
            raise ScenarioInvalid(details={"parameter": parameter["code"], "unknown_fact": by})


def _parameter_value(parameter: dict[str, Any], facts: dict[str, Any]) -> Any:
    by = parameter.get("by")
    if not by:
        return parameter.get("value", parameter.get("default"))
    values = parameter.get("values") or {}
    return values.get(str(facts.get(by, "")), parameter.get("default"))


def scenario_evaluate(*, scenario: Scenario, facts: dict[str, Any], suspended_until: str | None = None) -> Verdict:
    """Every condition with its outcome; parameters only when the subject qualifies."""
    names = fact_declarations()
    reasons = [
        Reason(
            code=str(c["code"]),
            met=rule_evaluate(rule_compile(c["rule"], names=names), facts),
            label=str(c["label"]),
            label_en=str(c.get("label_en") or c["label"]),
        )
        for c in scenario.conditions
    ]
    if suspended_until is not None:
        reasons.append(Reason(
            code="not_suspended", met=False,
            label=f"因多次违约，本场景信用服务暂停至 {suspended_until}",
            label_en=f"Suspended in this scenario after repeated defaults until {suspended_until}",
        ))
    eligible = all(r.met for r in reasons)
    parameters: dict[str, Any] = {}
    if eligible:
        for parameter in scenario.parameters:
            value = _parameter_value(parameter, facts)
            parameters[parameter["code"]] = str(value) if isinstance(value, Decimal) else value
    return Verdict(eligible=eligible, reasons=reasons, parameters=parameters)
