"""Benefit fixtures shared beyond the benefits app (the RIN-oracle security test uses them): the seeded
scenarios, the library as a provider with its API key, and a test scenario whose conditions need no score."""

from __future__ import annotations

import pytest

from gongxin.accounts.models import ApiClient, Department
from gongxin.accounts.services import api_client_create
from gongxin.benefits.models import Provider, Scenario
from gongxin.benefits.seed import BASIS, EFFECTIVE, FEW_DEFAULTS, NOT_LISTED


@pytest.fixture
def scenarios(seeded: None) -> None:
    """The benefit scenarios of migration 0002 (``seeded`` restores them after a flush)."""


@pytest.fixture
def library_department(db: None) -> Department:
    return Department.objects.create(code="NB-LIB", name="宁波图书馆", region_code="330200")


@pytest.fixture
def library_key(scenarios: None, library_department: Department) -> tuple[ApiClient, str]:
    client, key = api_client_create(name="图书馆借阅系统", department=library_department, scopes=[])
    Provider.objects.filter(code="library").update(client=client, department=library_department)
    return client, key


@pytest.fixture
def scenario(library_key: tuple[ApiClient, str]) -> Scenario:
    """Credit borrowing without a score condition: not black-listed, few defaults; 2 defaults suspend."""
    return Scenario.objects.create(
        code="test_borrowing", name="测试信用借阅", name_en="Test borrowing", subject_kind="person",
        provider=Provider.objects.get(code="library"),
        conditions=[NOT_LISTED, {**FEW_DEFAULTS, "rule": "benefit_defaults_12m < 5"}],
        parameters=[{"code": "books", "label": "可借册数", "label_en": "Books", "unit": "册", "value": 10}],
        default_threshold=2, default_window_months=12, suspension_months=6,
        legal_basis=BASIS, effective_from=EFFECTIVE,
    )
