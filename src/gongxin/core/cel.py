"""Rules as data: compile and evaluate CEL expressions over a subject's facts.

A thin wrapper over the ``common-expression-language`` package (``import cel``). Measures and other
policy rows store a trigger such as ``serious_dishonesty || "judgment_debtor" in lists``; this module
checks it once when the row is saved (it parses, names only declared facts, yields a bool) and
evaluates it fast on the check path. Fact names are declared with a type label ("int", "bool",
"string", "double", "list<string>", ...): a fact missing from a subject's facts gets its type's zero
value, so a rule never fails because a provider has nothing to say about a subject.

Evaluating through a prepared :class:`FactsContext` costs well under a microsecond per rule, so one
context per subject serves every rule of a matter; a plain mapping works too (a few microseconds).

A rule has a cost budget (decision 035). The CEL library offers no step limit and cannot be interrupted
while it evaluates, so the cost is bounded before a rule ever runs: at compile time its shape is checked
(length, number and nesting of comprehension macros, size of literal lists and maps: ``rule_shape_check``)
and one evaluation on the largest facts a subject may have is timed (``RULE_EVALUATION_BUDGET_SECONDS``);
a rule over either limit is refused with ``rule.too_costly``. The check path evaluates only such rules.
Evaluations over many facts values at once (a dry run) run in a worker process that is killed at its
time budget (``rule_evaluate_many``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cel as _cel
from django.utils.translation import gettext_lazy as _

from gongxin.core.errors import (
    RuleBudgetExceeded,
    RuleEvaluationError,
    RuleFails,
    RuleSyntaxError,
    RuleTooCostly,
    RuleTypeError,
    RuleUnknownName,
    RuleUnknownType,
)

# The cost budget of a rule (decision 035). Shape limits, checked before a rule is compiled or run:
RULE_MAX_LENGTH = 1000  # characters
RULE_MAX_COMPREHENSIONS = 3  # all / exists / exists_one / map / filter in one rule
RULE_MAX_COMPREHENSION_DEPTH = 1  # no comprehension inside another one's range or body
RULE_MAX_LITERAL_ELEMENTS = 100  # elements of one literal list or map
# One evaluation on the largest facts (every list fact STRESS_LIST_SIZE long), timed at compile time.
# Seeded triggers take about 0.05 ms; a check evaluates each rule at most once per distinct facts value.
RULE_EVALUATION_BUDGET_SECONDS = 0.005
STRESS_LIST_SIZE = 50


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


_COMPREHENSIONS = frozenset({"all", "exists", "exists_one", "map", "filter"})
_STRING_START = re.compile(r"(?i:[rb]{0,2})('''|\"\"\"|'|\")")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, slots=True)
class RuleShape:
    """What bounds the cost of evaluating an expression, read from its text."""

    length: int
    comprehensions: int
    depth: int  # the most comprehensions open inside one another
    largest_literal: int  # elements of the largest literal list or map


def rule_shape(expression: str) -> RuleShape:
    """Read the shape of ``expression`` without evaluating it: string literals are skipped, a ``(`` after
    ``.all`` (and the other comprehension macros) opens a comprehension, ``[`` and ``{`` where a value
    starts open a literal whose top-level commas are counted."""
    frames: list[list[Any]] = []  # [kind, commas, has_content]; kind: "comprehension", "literal", "group"
    comprehensions = depth = largest = 0
    previous = ""  # the last significant token: "value" (a name, a literal, a closing bracket), "." or other
    last_name = ""
    after_dot = False
    i, n = 0, len(expression)
    while i < n:
        char = expression[i]
        if char.isspace():
            i += 1
            continue
        if frames and char not in ",)]}":
            frames[-1][2] = True
        string = _STRING_START.match(expression, i)
        if string and (string.start(1) == i or previous != "value"):
            quote = string.group(1)
            raw = "r" in expression[i:string.start(1)].lower()
            j = string.end()
            while j < n and not expression.startswith(quote, j):
                j += 2 if expression[j] == "\\" and not raw else 1
            i = j + len(quote)
            previous, last_name = "value", ""
            continue
        name = _IDENTIFIER.match(expression, i)
        if name:
            last_name, after_dot = name.group(0), previous == "."
            previous = "in" if last_name == "in" else "value"  # `x in [...]`: a literal follows the operator
            i = name.end()
            continue
        if char == "(":
            if previous == "value" and after_dot and last_name in _COMPREHENSIONS:
                comprehensions += 1
                frames.append(["comprehension", 0, False])
                depth = max(depth, sum(1 for f in frames if f[0] == "comprehension"))
            else:
                frames.append(["group", 0, False])
            previous = "("
        elif char in "[{":
            literal = char == "{" or previous != "value"
            frames.append(["literal" if literal else "group", 0, False])
            previous = char
        elif char in ")]}":
            if frames:
                kind, commas, content = frames.pop()
                if kind == "literal":
                    largest = max(largest, commas + 1 if content else 0)
            previous = "value"
        elif char == ",":
            if frames:
                frames[-1][1] += 1
            previous = ","
        else:
            previous = "." if char == "." else char
        last_name = "" if char != "." else last_name
        i += 1
    return RuleShape(length=len(expression), comprehensions=comprehensions, depth=depth, largest_literal=largest)


def rule_shape_check(expression: str) -> RuleShape:
    """Refuse an expression whose shape is over the budget (``rule.too_costly``, the limit in ``details``)."""
    if len(expression) > RULE_MAX_LENGTH:
        raise RuleTooCostly(
            _("The rule is longer than %(limit)s characters.") % {"limit": RULE_MAX_LENGTH},
            details={"limit": "length", "maximum": RULE_MAX_LENGTH, "found": len(expression)},
        )
    shape = rule_shape(expression)
    checks = (
        ("comprehensions", shape.comprehensions, RULE_MAX_COMPREHENSIONS,
         _("The rule uses more than %(limit)s comprehensions (all, exists, exists_one, map, filter).")),
        ("depth", shape.depth, RULE_MAX_COMPREHENSION_DEPTH,
         _("The rule nests a comprehension inside another one (at most %(limit)s level).")),
        ("literal_elements", shape.largest_literal, RULE_MAX_LITERAL_ELEMENTS,
         _("The rule has a literal list or map of more than %(limit)s elements.")),
    )
    for limit, found, maximum, message in checks:
        if found > maximum:
            raise RuleTooCostly(message % {"limit": maximum},
                                details={"limit": limit, "maximum": maximum, "found": found})
    return shape


def type_stress(type_label: str) -> Any:
    """The largest value a fact of this type is assumed to take when a rule's cost is measured."""
    label = type_label.strip().replace(" ", "")
    if label.startswith("list"):
        inner = label[5:-1] if label.startswith("list<") else "string"
        element = {"int": 1, "uint": 1, "double": 1.0, "bool": True}.get(inner)
        return [f"v{k}" if element is None else element for k in range(STRESS_LIST_SIZE)]
    if label.startswith("map"):
        return {f"k{k}": f"v{k}" for k in range(STRESS_LIST_SIZE)}
    return {"bool": True, "int": 1, "uint": 1, "double": 1.0, "string": "x" * 64, "bytes": b"x" * 64}.get(label)


def type_zero(type_label: str) -> Any:
    """The value a missing fact of this type takes ("list<string>" → [], "int" → 0)."""
    label = type_label.strip()
    if label.startswith("list"):
        return []
    if label.startswith("map"):
        return {}
    if label not in _ZERO:
        raise RuleUnknownType(_("Unknown fact type: %(type)s.") % {"type": label}, details={"type": label})
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
    if len(expression) > RULE_MAX_LENGTH:  # before parsing it
        rule_shape_check(expression)
    try:
        program = _cel.compile(expression)
    except (ValueError, RuntimeError) as exc:
        raise RuleSyntaxError(details={"expression": expression, "error": str(exc)}) from exc
    rule_shape_check(expression)  # before it ever runs
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
    except Exception as exc:  # ZeroDivisionError, OverflowError, IndexError, KeyError ... from the library
        raise RuleFails(details={"expression": expression, "error": str(exc)}) from exc
    if not isinstance(value, bool):
        raise RuleTypeError(details={"expression": expression, "result_type": type(value).__name__})
    _cost_check(rule, names)
    return rule


def _cost_check(rule: CompiledRule, names: Mapping[str, str]) -> None:
    """Time one evaluation on the largest facts; over the budget (the best of up to three runs, as a busy
    machine can slow one down): ``rule.too_costly``."""
    context = {name: type_stress(names[name]) for name in rule.variables}
    best = float("inf")
    for _attempt in range(3):
        started = time.perf_counter()
        with contextlib.suppress(Exception):  # only the time counts: zero facts decided the rule's validity
            rule.program.execute(dict(context))
        best = min(best, time.perf_counter() - started)
        if best <= RULE_EVALUATION_BUDGET_SECONDS or best > 20 * RULE_EVALUATION_BUDGET_SECONDS:
            break
    if best > RULE_EVALUATION_BUDGET_SECONDS:
        raise RuleTooCostly(
            _("One evaluation of the rule takes longer than %(limit)s ms.")
            % {"limit": RULE_EVALUATION_BUDGET_SECONDS * 1000},
            details={"limit": "evaluation_seconds", "maximum": RULE_EVALUATION_BUDGET_SECONDS,
                     "found": round(best, 4)},
        )


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
    except Exception as exc:  # the library's RuntimeError, TypeError, ArithmeticError, LookupError ...
        raise RuleEvaluationError(details={"expression": rule.expression, "error": str(exc)}) from exc
    if not isinstance(value, bool):
        raise RuleEvaluationError(
            _("The rule does not evaluate to true or false."),
            details={"expression": rule.expression, "result_type": type(value).__name__},
        )
    return value


def rule_evaluate_many(rule: CompiledRule, values: Sequence[Mapping[str, Any]], *, names: Mapping[str, str],
                       seconds: float) -> list[bool]:
    """Evaluate ``rule`` on each facts value (a failing evaluation is False, as in a check) in a worker
    process given ``seconds`` in all: it is killed when over, and :class:`RuleBudgetExceeded` raised.

    The library cannot be interrupted while it evaluates, so only a separate process bounds the time of
    evaluations the caller cannot afford to wait for (a dry run over every distinct facts value).
    """
    if not values:
        return []
    payload = json.dumps({"expression": rule.expression, "names": dict(names), "values": list(values),
                          "seconds": seconds}, default=str)
    budget: dict[str, Any] = {"limit": "seconds", "maximum": seconds, "values": len(values)}
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        # This interpreter running this package's worker module; the input goes through stdin.
        done = subprocess.run(
            [sys.executable, "-m", "gongxin.core.cel_worker"], input=payload, capture_output=True, text=True,
            timeout=seconds + WORKER_START_SECONDS, env=env, check=False,
        )
    except subprocess.TimeoutExpired as exc:  # run() has killed the worker
        raise RuleBudgetExceeded(details=budget) from exc
    if done.returncode == WORKER_OVER_BUDGET:
        raise RuleBudgetExceeded(details=budget)
    if done.returncode != 0:
        raise RuleEvaluationError(details={"expression": rule.expression, "error": done.stderr[-2000:]})
    return [bool(v) for v in json.loads(done.stdout)]


# Time a worker may take to start (an interpreter and this module) before its budget counts against it.
WORKER_START_SECONDS = 5.0
WORKER_OVER_BUDGET = 3  # the worker's exit status when its evaluations passed the budget


def rule_cache_clear() -> None:
    """Forget every compiled rule (tests; a process that reloads its fact declarations)."""
    _compile_cached.cache_clear()
