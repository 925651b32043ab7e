"""The pytest plugin of the test kit: the fixtures every app's tests may use without importing them.

Registered by the repository's root ``conftest.py`` (``pytest_plugins``). An app's conftest overrides any of
them by defining a fixture of the same name; the other kit fixtures (``gongxin.testing.records``) are
imported by the conftests that use them.
"""

from __future__ import annotations

from gongxin.testing.backends import pytest_collection_modifyitems
from gongxin.testing.browser import browser
from gongxin.testing.personas import (
    admin,
    admin_viewer,
    anon_viewer,
    auditor,
    auditor_viewer,
    public_user,
    public_viewer,
    staff,
    staff_viewer,
)
from gongxin.testing.process_state import demo_process_state_restored
from gongxin.testing.processes import migrated_platforms
from gongxin.testing.records import seeded
from gongxin.testing.second_factor import second_factor_auto_connect, second_factor_enforced

second_factor_auto_connect()  # sign-ins in tests are verified with a second factor unless a test says not

__all__ = [
    "admin", "admin_viewer", "anon_viewer", "auditor", "auditor_viewer", "browser", "demo_process_state_restored",
    "migrated_platforms", "public_user", "public_viewer", "pytest_collection_modifyitems", "second_factor_enforced",
    "seeded", "staff", "staff_viewer",
]
