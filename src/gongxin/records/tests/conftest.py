"""Personas and fixtures for the record lifecycle: two source units, their operators, an organization and a
person as subjects (gongxin.testing.records), and payloads built from the seeded catalog items
(gongxin.testing.payloads). ``seeded`` comes from the test kit's plugin."""

from __future__ import annotations

from gongxin.testing.payloads import item, payload_for  # noqa: F401 - helpers of this package's tests
from gongxin.testing.records import (  # noqa: F401 - fixtures of this package's tests
    ecology_operator,
    ecology_unit,
    market_operator,
    market_unit,
    organization,
    person,
)
