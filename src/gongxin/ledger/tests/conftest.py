"""Fixtures of the log's tests: the record store's units and subjects (gongxin.testing.records)."""

from __future__ import annotations

from gongxin.testing.records import (  # noqa: F401 - fixtures of this package's tests
    market_operator,
    market_unit,
    organization,
    person,
)
