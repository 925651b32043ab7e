"""Who may do what is written once: in ``accounts.capabilities`` (named capabilities, each with who and why).

An AST scan of ``src/gongxin`` outside ``accounts`` (tests and migrations aside) fails on
- a set, frozenset, tuple or list literal of two or more ``Role.<X>`` (a role set defined elsewhere), and
- a membership test of a ``.role`` against anything (``viewer.role in {...}``, ``actor.role not in WRITERS``):
  such a rule belongs in a capability.
Comparing a role with one role (``viewer.role == Role.ORG_AGENT``) is not a set and stays allowed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "gongxin"
SKIPPED_PARTS = {"tests", "migrations", "accounts"}

def _is_role(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role"


def _role_collection(node: ast.AST) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"frozenset", "set"}:
        return any(_role_collection(arg) for arg in node.args)
    if isinstance(node, ast.Set | ast.Tuple | ast.List):
        return sum(_is_role(element) for element in node.elts) >= 2
    return False


def _role_membership(node: ast.AST) -> bool:
    return (isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute) and node.left.attr == "role"
            and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops))


def findings(source: str) -> list[int]:
    """The lines of ``source`` that define a role set or test a role's membership."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        innermost_set = _role_collection(node) and not any(
            _role_collection(child) for child in ast.iter_child_nodes(node))
        if _role_membership(node) or innermost_set:
            lines.append(node.lineno)
    return sorted(lines)


def test_the_scan_finds_role_sets_and_membership_tests() -> None:
    source = (
        "OFFICE = frozenset({Role.STAFF, Role.ADMIN})\n"
        "if viewer.role in {Role.STAFF, Role.AUDITOR}:\n    pass\n"
        "ok = viewer.role == Role.ORG_AGENT\n"
        "if actor.role not in WRITERS:\n    pass\n"
    )
    assert findings(source) == [1, 2, 2, 5]


def test_no_module_outside_accounts_writes_a_role_set() -> None:
    found: dict[str, list[int]] = {}
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        if SKIPPED_PARTS & set(relative.parts[:-1]) or relative.parts[0] == "accounts":
            continue
        lines = findings(path.read_text(encoding="utf-8"))
        if lines:
            found[relative.as_posix()] = lines
    assert not found, f"role sets outside accounts.capabilities (use a named capability there instead): {found}"


def test_no_template_compares_roles() -> None:
    """Templates ask ``can.<capability>`` (accounts.context_processors) instead of comparing ``user.role``."""
    found = [path.relative_to(SRC).as_posix() for path in sorted(SRC.rglob("*.html"))
             if re.search(r"\.role\s*(==|!=|in\b)", path.read_text(encoding="utf-8"))]
    assert not found, f"templates comparing roles (use can.<capability> instead): {found}"
