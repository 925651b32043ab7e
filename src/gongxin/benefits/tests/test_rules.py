"""Scenario rules as data: the seeded ones compile, bad ones are refused, parameters follow the grade,
facts come from the project's facts (lists) plus the benefit defaults."""

from __future__ import annotations

import pytest

from gongxin.benefits.errors import ScenarioInvalid
from gongxin.benefits.facts import subject_facts
from gongxin.benefits.models import Scenario
from gongxin.benefits.rules import scenario_evaluate, scenario_validate
from gongxin.benefits.seed import NOT_LISTED


def test_seeded_scenarios_compile(scenarios):
    seeded = list(Scenario.objects.all())
    assert len(seeded) >= 6
    for scenario in seeded:
        scenario_validate(conditions=scenario.conditions, parameters=scenario.parameters)


@pytest.mark.parametrize("conditions", [
    [],
    [{"code": "x", "rule": "unknown_fact > 1", "label": "x"}],
    [{"code": "x", "rule": "grade", "label": "x"}],
    [{"code": "x", "rule": "(", "label": "x"}],
    [{"code": "x", "label": "no rule"}],
])
def test_bad_conditions_are_refused(conditions):
    with pytest.raises(ScenarioInvalid):
        scenario_validate(conditions=conditions, parameters=[])


def test_parameters_by_grade_and_reasons(scenarios):
    treatment = Scenario.objects.get(code="pay_after_treatment")
    good = scenario_evaluate(scenario=treatment, facts={"grade": "AA"})
    assert good.eligible and good.parameters == {"credit_line_yuan": 2000}
    poor = scenario_evaluate(scenario=treatment, facts={"grade": "C"})
    assert not poor.eligible and poor.parameters == {}
    assert [r.code for r in poor.reasons if not r.met] == ["grade_b_or_better"]
    listed = scenario_evaluate(scenario=treatment, facts={"grade": "AAA", "serious_dishonesty": True})
    assert [r.code for r in listed.reasons if not r.met] == ["not_listed"]
    suspended = scenario_evaluate(scenario=treatment, facts={"grade": "AAA"}, suspended_until="2027-01-01")
    assert not suspended.eligible and suspended.reasons[-1].code == "not_suspended"


def test_partner_grade_counts_for_homestay(scenarios):
    homestay = Scenario.objects.get(code="homestay")
    assert scenario_evaluate(scenario=homestay, facts={"partner_grade": "AA"}).eligible
    assert not scenario_evaluate(scenario=homestay, facts={"partner_grade": "B"}).eligible
    assert NOT_LISTED["code"] in {c["code"] for c in homestay.conditions}


def test_facts_include_lists_and_defaults(person, seeded):
    facts = subject_facts([person.pk])[person.pk]
    assert facts["lists"] == [] and facts["serious_dishonesty"] is False
    assert facts.get("benefit_defaults_12m", 0) == 0
