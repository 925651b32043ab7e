"""One errors.py per app: every error class with a code lives in its app's errors module (core.errors holds
the base family), and no code is defined twice across the project (codes are public: docs/api.md)."""

from __future__ import annotations

import ast
import importlib
from collections import defaultdict
from pathlib import Path

from django.apps import apps

from gongxin.core.errors import GongxinError

SRC = Path(__file__).resolve().parents[1] / "src" / "gongxin"

def _error_modules() -> list[str]:
    names = []
    for config in apps.get_app_configs():
        if config.name.startswith("gongxin.") and (Path(config.path) / "errors.py").exists():
            names.append(f"{config.name}.errors")
    return names


def test_no_code_is_defined_twice() -> None:
    owners: dict[str, list[str]] = defaultdict(list)
    for name in _error_modules():
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, GongxinError) and value.__module__ == name
                    and "code" in vars(value)):
                owners[value.code].append(f"{name}.{value.__name__}")
    assert len(_error_modules()) >= 15
    twice = {code: classes for code, classes in owners.items() if len(classes) > 1}
    assert not twice, twice


def test_error_classes_live_in_errors_modules() -> None:
    """No class outside an errors.py sets a string ``code`` (an error class defined where it is raised)."""
    found = []
    for path in SRC.rglob("*.py"):
        if path.name == "errors.py" or "migrations" in path.parts or "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef) or not node.bases:
                continue
            for statement in node.body:
                if (isinstance(statement, ast.Assign) and any(getattr(t, "id", "") == "code" for t in statement.targets)
                        and isinstance(statement.value, ast.Constant) and isinstance(statement.value.value, str)):
                    found.append(f"{path.relative_to(SRC)}:{node.name}")
    assert not found, sorted(found)


def _error_class_names() -> set[str]:
    """The names of every error class of the platform (GongxinError and its subclasses, all apps' errors
    modules imported), so a constructor call is known for one whether it is raised, returned or passed on."""
    for name in _error_modules():
        importlib.import_module(name)
    names: set[str] = set()
    pending: list[type] = [GongxinError]
    while pending:
        cls = pending.pop()
        names.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return names


def _called_name(call: ast.Call) -> str:
    """``NotFound`` for ``NotFound(...)`` and ``errors.NotFound(...)``; "" for any other callee."""
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


def test_codes_are_not_given_where_errors_are_made() -> None:
    """No ``SomeError(..., code="...")`` outside errors.py, raised or not (``raise NotFound(code=...)``,
    ``error_page(request, NotFound(code=...))``): a code belongs to one class, so a reader finds every code
    of an app in its errors module and a second meaning cannot borrow a class."""
    error_classes = _error_class_names()
    assert {"GongxinError", "NotFound", "SubjectNotFound"} <= error_classes
    found = set()
    for path in SRC.rglob("*.py"):
        if path.name == "errors.py" or "migrations" in path.parts or "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _called_name(node) in error_classes:
                for keyword in node.keywords:
                    if keyword.arg == "code":
                        found.add(f"{path.relative_to(SRC)}:{ast.unparse(keyword.value)}")
    assert not found, sorted(found)
