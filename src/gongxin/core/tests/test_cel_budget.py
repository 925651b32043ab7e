"""A rule's cost budget (decision 035): its shape is bounded before it runs, one evaluation on the largest
facts is timed at compile time, failures of the library (1/0, an index out of range) are rule errors, and
evaluations over many facts values run in a worker process stopped at its time budget."""

from __future__ import annotations

import pytest

from gongxin.core.cel import RULE_MAX_LITERAL_ELEMENTS, rule_compile, rule_evaluate, rule_evaluate_many, rule_shape
from gongxin.core.errors import RuleBudgetExceeded, RuleEvaluationError, RuleFails, RuleTooCostly

NAMES = {"lists": "list<string>", "negative_general": "int", "red_list": "bool", "subject_kind": "string"}


def _literal(n: int) -> str:
    return "[" + ",".join(str(i) for i in range(n)) + "]"


def test_the_shape_is_read_from_the_text() -> None:
    shape = rule_shape('lists.exists(l, l in ["a", "b,c", "d"]) && size("x.all(") > 0 && [1, 2][0] == 1')
    assert (shape.comprehensions, shape.depth, shape.largest_literal) == (1, 1, 3)
    nested = rule_shape(f"{_literal(3)}.all(a, {_literal(3)}.exists(b, a == b))")
    assert (nested.comprehensions, nested.depth) == (2, 2)
    assert rule_shape("r'[,,,]' == '' && b\"x\" != b'' && 1 in [1, 2]").largest_literal == 2


@pytest.mark.parametrize(("expression", "limit"), [
    # the dry run that used a core for 12 minutes: comprehensions nested over literal lists
    (f"{_literal(100)}.all(a, {_literal(100)}.all(b, {_literal(100)}.all(c, a + b + c >= 0)))", "depth"),
    (f"lists.exists(l, l in {_literal(3)})".replace("lists.exists(l, ", "lists.all(a, lists.exists(l, ") + ")",
     "depth"),
    ('lists.exists(l, l == "a") || lists.all(l, l != "b") || lists.exists_one(l, l == "c")'
     ' || size(lists.filter(l, l == "d")) > 0', "comprehensions"),
    (f"negative_general in {_literal(RULE_MAX_LITERAL_ELEMENTS + 1)}", "literal_elements"),
    ("red_list || " + " || ".join(["negative_general > 1"] * 60), "length"),
    # within the shape, but one evaluation costs far more than the budget: lists of 50 lists of 50
    (f"size({_literal(50)}.map(a, {_literal(50)} + {_literal(50)})) > 0", "evaluation_seconds"),
])
def test_a_costly_rule_is_refused_when_compiled(expression: str, limit: str) -> None:
    with pytest.raises(RuleTooCostly) as refused:
        rule_compile(expression, names=NAMES)
    assert refused.value.code == "rule.too_costly" and refused.value.status == 422
    assert refused.value.details["limit"] == limit


def test_ordinary_rules_are_within_the_budget() -> None:
    for expression in ['"serious_dishonesty" in lists', "red_list && !(negative_general > 0)",
                       'lists.exists(l, l.startsWith("jd")) && subject_kind == "organization"',
                       f"negative_general in {_literal(RULE_MAX_LITERAL_ELEMENTS)}"]:
        rule_compile(expression, names=NAMES)


@pytest.mark.parametrize("expression", ["1/0 == 1", "1 % 0 == 0", "9223372036854775807 + 1 > 0",
                                        'lists[3] == "x"', '{"a": 1}["b"] == 1'])
def test_a_rule_that_fails_on_zero_facts_is_invalid(expression: str) -> None:
    with pytest.raises(RuleFails) as refused:
        rule_compile(expression, names=NAMES)
    assert refused.value.status == 422


def test_a_failure_on_a_subjects_facts_is_a_rule_error() -> None:
    rule = rule_compile('size(lists) > 0 && lists[1] == "x"', names=NAMES)
    with pytest.raises(RuleEvaluationError):
        rule_evaluate(rule, {"lists": ["only one"]})


def test_many_values_are_evaluated_in_a_worker() -> None:
    rule = rule_compile('"a" in lists', names=NAMES)
    assert rule_evaluate_many(rule, [{"lists": ["a"]}, {}, {"lists": 3}], names=NAMES, seconds=10) == [
        True, False, False]  # a fact of the wrong type is not a hit
    assert rule_evaluate_many(rule, [], names=NAMES, seconds=10) == []


def test_the_worker_stops_at_its_budget() -> None:
    rule = rule_compile('"a" in lists', names=NAMES)
    with pytest.raises(RuleBudgetExceeded) as stopped:
        rule_evaluate_many(rule, [{"lists": ["a"]}] * 1000, names=NAMES, seconds=0)
    assert stopped.value.code == "rule.budget_exceeded" and stopped.value.details["limit"] == "seconds"
