"""Rules as data: compile and evaluate CEL expressions over a subject's facts.

A thin wrapper over the ``common-expression-language`` package (``import cel``). Measures and other
policy rows store a trigger such as ``serious_dishonesty || "judgment_debtor" in lists``; this module
checks it once when the row is saved (it parses, names only declared facts, yields a bool) and
evaluates it fast on the check path. Fact names are declared with a type label ("int", "bool",
"string", "double", "list<string>", ...): a fact missing from a subject's facts gets its type's zero
value, so a rule never fails because a provider has nothing to say about a subject.

Evaluating through a prepared :class:`FactsContext` costs well under a microsecond per rule, so one
context per subject serves every rule of a matter; a plain mapping works too (a few microseconds).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cel as _cel
from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import GongxinError


class RuleError(GongxinError):
    code = "rule.invalid"
    status = 422
    default_message = _("The rule is not valid.")


class RuleSyntaxError(RuleError):
    code = "rule.syntax"
    default_message = _("The rule is not a valid expression.")


class RuleUnknownName(RuleError):
    code = "rule.unknown_name"
    default_message = _("The rule uses a name that is not a known fact.")


class RuleTypeError(RuleError):
    code = "rule.type"
    default_message = _("The rule does not evaluate to true or false.")


class RuleEvaluationError(RuleError):
    code = "rule.evaluation"
    status = 500
    default_message = _("The rule could not be evaluated.")


# The zero value of each scalar type label; any "list<...>" is [] and any "map<...>" is {}.
_ZERO: dict[str, Any] = {
    "bool": False,
    "int": 0,
    "uint": 0,
    "double": 0.0,
    "string": "",
    "bytes": b"",
}

# Names bound by the comprehension macros (``lists.exists(l, l == "x")`` binds ``l``): the library
# reports them among the expression's variables, but they are not facts.
_MACRO_BINDER = re.compile(r"\.\s*(?:all|exists|exists_one|map|filter)\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*,")


def type_zero(type_label: str) -> Any:
    """The value a missing fact of this type takes ("list<string>" → [], "int" → 0)."""
    label = type_label.strip()
    if label.startswith("list"):
        return []
    if label.startswith("map"):
        return {}
    if label not in _ZERO:
        raise RuleError(
            _("Unknown fact type: %(type)s.") % {"type": label}, code="rule.unknown_type", details={"type": label}
        )
    return _ZERO[label]


def names_key(names: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """A hashable, order-independent key of a fact declaration (name → type label)."""
    return tuple(sorted(names.items()))


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A compiled expression together with the facts it reads and their zero values."""

    expression: str
    program: Any  # cel.Program
    variables: tuple[str, ...]  # the fact names the expression reads
    defaults: Mapping[str, Any]  # zero value of every fact the expression reads


class FactsContext:
    """One subject's facts prepared once for many rules (missing facts take their zero values)."""

    __slots__ = ("_context", "facts")

    def __init__(self, facts: Mapping[str, Any], *, names: Mapping[str, str]) -> None:
        values = {name: type_zero(label) for name, label in names.items()}
        values.update({k: v for k, v in facts.items() if v is not None})
        self.facts = values
        self._context = _cel.Context(values)


def rule_compile(expression: str, *, names: Mapping[str, str]) -> CompiledRule:
    """Compile ``expression`` against the declared facts ``names`` (fact → type label), cached.

    Raises :class:`RuleSyntaxError` (``rule.syntax``) when it does not parse, :class:`RuleUnknownName`
    (``rule.unknown_name``, the name in ``details``) when it reads anything but a declared fact or calls
    an unknown function, and :class:`RuleTypeError` (``rule.type``) when its value on zero facts is not
    a bool.
    """
    return _compile_cached(expression.strip(), names_key(names))


@lru_cache(maxsize=4096)
def _compile_cached(expression: str, key: tuple[tuple[str, str], ...]) -> CompiledRule:
    names = dict(key)
    if not expression:
        raise RuleSyntaxError(_("The rule is empty."), details={"expression": expression})
    try:
        program = _cel.compile(expression)
    except (ValueError, RuntimeError) as exc:
        raise RuleSyntaxError(details={"expression": expression, "error": str(exc)}) from exc
    binders = set(_MACRO_BINDER.findall(expression))
    variables = [v for v in program.variables() if v not in binders]
    unknown = [v for v in variables if v not in names]
    if unknown:
        raise RuleUnknownName(
            _("The rule uses %(name)s, which is not a known fact.") % {"name": unknown[0]},
            details={"expression": expression, "names": unknown},
        )
    defaults = {v: type_zero(names[v]) for v in variables}
    rule = CompiledRule(expression=expression, program=program, variables=tuple(variables), defaults=defaults)
    # A trial run on zero facts catches unknown functions and non-bool results at save time, not at
    # the first check that reaches them.
    try:
        value = program.execute(dict(defaults))
    except RuntimeError as exc:
        message = str(exc)
        if "Undefined variable or function" in message:
            match = re.search(r"'([^']+)'", message)
            name = match.group(1) if match else ""
            raise RuleUnknownName(
                _("The rule uses %(name)s, which is not a known fact or function.") % {"name": name},
                details={"expression": expression, "names": [name]},
            ) from exc
        raise RuleTypeError(details={"expression": expression, "error": message}) from exc
    except (TypeError, ValueError) as exc:
        raise RuleTypeError(details={"expression": expression, "error": str(exc)}) from exc
    if not isinstance(value, bool):
        raise RuleTypeError(details={"expression": expression, "result_type": type(value).__name__})
    return rule


def rule_evaluate(rule: CompiledRule, facts: Mapping[str, Any] | FactsContext) -> bool:
    """Evaluate ``rule`` on one subject's facts; a fact the mapping lacks takes its zero value.

    Raises :class:`RuleEvaluationError` when evaluation fails (a fact of the wrong type) or the
    result is not a bool.
    """
    if isinstance(facts, FactsContext):
        context: Any = facts._context
    else:
        context = dict(rule.defaults)
        for name in rule.variables:
            value = facts.get(name)
            if value is not None:
                context[name] = value
    try:
        value = rule.program.execute(context)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise RuleEvaluationError(details={"expression": rule.expression, "error": str(exc)}) from exc
    if not isinstance(value, bool):
        raise RuleEvaluationError(
            _("The rule does not evaluate to true or false."),
            details={"expression": rule.expression, "result_type": type(value).__name__},
        )
    return value


def rule_cache_clear() -> None:
    """Forget every compiled rule (tests; a process that reloads its fact declarations)."""
    _compile_cached.cache_clear()
