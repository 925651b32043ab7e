"""Unified identity's tests: the kit's real provider process (gongxin.testing.identity) and a source unit."""

from __future__ import annotations

from gongxin.testing.identity import identity_configured, identity_provider  # noqa: F401 - fixtures
from gongxin.testing.records import market_unit  # noqa: F401 - fixture
