"""What tests share lives in the test kit: no test module imports another app's ``tests`` package, nor the
top-level ``tests`` package (a test that needs a helper of another app gets it from ``gongxin.testing``)."""

from __future__ import annotations

import ast
from pathlib import Path

import gongxin

SRC = Path(gongxin.__file__).resolve().parent
REPOSITORY_TESTS = SRC.parents[1] / "tests"


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return found


def _owner(module: str) -> str | None:
    """The app whose tests package ``module`` is in (``gongxin.<app>.tests...``), or "tests" for the top level."""
    parts = module.split(".")
    if parts[0] == "tests":
        return "tests"
    if len(parts) >= 3 and parts[0] == "gongxin" and parts[2] == "tests":
        return parts[1]
    return None


def cross_imports() -> list[str]:
    test_files = [*SRC.glob("*/tests/**/*.py"), *REPOSITORY_TESTS.glob("**/*.py")]
    problems = []
    for path in sorted(test_files):
        own = "tests" if REPOSITORY_TESTS in path.parents else path.relative_to(SRC).parts[0]
        for line, module in _imported_modules(path):
            owner = _owner(module)
            if owner is not None and owner != own:
                problems.append(f"{path.relative_to(SRC.parents[1])}:{line} imports {module}")
    return problems


def test_no_test_module_imports_another_apps_tests() -> None:
    assert cross_imports() == []


def test_the_scan_sees_a_cross_import(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text("from gongxin.portal.tests import factories\nimport tests.browser.test_journey\n")
    assert [module for _, module in _imported_modules(sample)] == [
        "gongxin.portal.tests.factories", "tests.browser.test_journey"]
    assert [_owner(m) for _, m in _imported_modules(sample)] == ["portal", "tests"]
