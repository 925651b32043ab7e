"""CEL rules: compile-time checks (syntax, unknown names, bool result), zero-value defaults, cache."""

from __future__ import annotations

import pytest

from gongxin.core.cel import FactsContext, rule_compile, rule_evaluate, type_zero
from gongxin.core.errors import (
    GongxinError,
    RuleEvaluationError,
    RuleSyntaxError,
    RuleTypeError,
    RuleUnknownName,
    RuleUnknownType,
)

NAMES = {
    "lists": "list<string>",
    "serious_dishonesty": "bool",
    "negative_serious": "int",
    "grade": "string",
    "score": "double",
}


def test_compiles_and_evaluates_over_facts() -> None:
    rule = rule_compile('serious_dishonesty || "judgment_debtor" in lists', names=NAMES)
    assert rule_evaluate(rule, {"serious_dishonesty": False, "lists": ["judgment_debtor"]}) is True
    assert rule_evaluate(rule, {"serious_dishonesty": False, "lists": ["red_list"]}) is False
    assert rule_evaluate(rule, {"serious_dishonesty": True, "lists": []}) is True


def test_missing_facts_take_the_zero_value_of_their_type() -> None:
    rule = rule_compile('grade == "" && negative_serious == 0 && size(lists) == 0 && !serious_dishonesty', names=NAMES)
    assert rule_evaluate(rule, {}) is True
    # None from a provider means "nothing to say", the same as missing.
    assert rule_evaluate(rule, {"grade": None}) is True
    assert rule_evaluate(rule_compile("score < 1.0", names=NAMES), {}) is True
    assert type_zero("list<int>") == [] and type_zero("map<string, int>") == {} and type_zero("double") == 0.0


def test_syntax_error_is_rule_syntax() -> None:
    with pytest.raises(RuleSyntaxError) as caught:
        rule_compile("negative_serious > ", names=NAMES)
    assert caught.value.code == "rule.syntax"
    assert isinstance(caught.value, GongxinError)
    with pytest.raises(RuleSyntaxError):
        rule_compile("   ", names=NAMES)


def test_unknown_fact_is_named() -> None:
    with pytest.raises(RuleUnknownName) as caught:
        rule_compile('grade == "A" && sesame_score > 700', names=NAMES)
    assert caught.value.code == "rule.unknown_name"
    assert caught.value.details["names"] == ["sesame_score"]
    assert "sesame_score" in str(caught.value.message)


def test_unknown_fact_type_is_named() -> None:
    with pytest.raises(RuleUnknownType) as caught:
        type_zero("decimal")
    assert caught.value.code == "rule.unknown_type" and caught.value.status == 422
    assert caught.value.details == {"type": "decimal"}
    assert str(caught.value.message) == "未知的事实类型：decimal。"


def test_unknown_function_is_an_unknown_name() -> None:
    with pytest.raises(RuleUnknownName) as caught:
        rule_compile("blacklisted(grade)", names=NAMES)
    assert caught.value.details["names"] == ["blacklisted"]


def test_macro_variables_are_not_facts() -> None:
    rule = rule_compile('lists.exists(code, code.startsWith("serious"))', names=NAMES)
    assert rule.variables == ("lists",)
    assert rule_evaluate(rule, {"lists": ["serious_dishonesty"]}) is True
    assert rule_evaluate(rule, {"lists": ["red_list"]}) is False


def test_non_bool_result_is_refused_at_compile_time() -> None:
    with pytest.raises(RuleTypeError) as caught:
        rule_compile("negative_serious + 1", names=NAMES)
    assert caught.value.code == "rule.type"
    with pytest.raises(RuleTypeError):
        rule_compile('grade + 1 == 2', names=NAMES)


def test_wrong_fact_type_at_evaluation_is_an_error() -> None:
    rule = rule_compile("negative_serious > 0", names=NAMES)
    with pytest.raises(RuleEvaluationError) as caught:
        rule_evaluate(rule, {"negative_serious": "three"})
    assert caught.value.code == "rule.evaluation"


def test_facts_context_serves_many_rules() -> None:
    context = FactsContext({"lists": ["red_list"], "grade": "A"}, names=NAMES)
    assert rule_evaluate(rule_compile('"red_list" in lists', names=NAMES), context) is True
    assert rule_evaluate(rule_compile('grade == "A"', names=NAMES), context) is True
    assert rule_evaluate(rule_compile("negative_serious > 0", names=NAMES), context) is False


def test_compiled_rules_are_cached_by_expression_and_names() -> None:
    first = rule_compile("negative_serious > 2", names=NAMES)
    again = rule_compile("negative_serious > 2", names=dict(reversed(list(NAMES.items()))))
    assert first is again
    other = rule_compile("negative_serious > 2", names={"negative_serious": "int"})
    assert other is not first
