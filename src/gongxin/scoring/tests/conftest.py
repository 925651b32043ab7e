"""Personas and fixtures for scoring: the record store's subjects and units (gongxin.testing.records), seeded
models, and helpers that write records through the records services (never straight into tables)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gongxin.accounts.choices import Role
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.models import SourceUnit
from gongxin.records.models import Record
from gongxin.records.services import record_submit
from gongxin.subjects.models import Subject
from gongxin.testing.payloads import item, payload_for
from gongxin.testing.records import (  # noqa: F401 - fixtures of this package's tests
    ecology_operator,
    ecology_unit,
    market_operator,
    market_unit,
    organization,
    person,
)

STAFF = Viewer(label="user:staff", role=Role.STAFF, user_id=None)
OUTSIDER = Viewer(label="user:outsider", role=Role.PUBLIC)


@pytest.fixture
def scoring_models(request: pytest.FixtureRequest) -> None:
    """The seeded models (``seeded`` restores them after a transactional test's flush)."""
    request.getfixturevalue("seeded")


@pytest.fixture
def staff_viewer() -> Viewer:
    return STAFF


@pytest.fixture
def outsider() -> Viewer:
    return OUTSIDER


def penalty(unit: SourceUnit, operator: Viewer, subject: Subject, *, decided: date, number: str,
            severity: str = "general", **fields: Any) -> Record:
    payload = payload_for(item("penalty"), decision_date=decided, decision_number=number, **fields)
    return record_submit(source_unit=unit, item=item("penalty"), source_record_id=number, subject=subject,
                         payload=payload, actor=operator, severity=severity).record


def positive(unit: SourceUnit, operator: Viewer, subject: Subject, code: str, *, decided: date,
             number: str) -> Record:
    catalog_item = item(code)
    payload = payload_for(catalog_item, decision_date=decided)
    return record_submit(source_unit=unit, item=catalog_item, source_record_id=number, subject=subject,
                         payload=payload, actor=operator).record
