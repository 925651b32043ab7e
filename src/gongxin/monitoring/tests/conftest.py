"""Personas and data for early warning: credit office staff, an auditor, an outsider (an organization's
agent), a source unit, and a population of organizations whose records before a snapshot foretell (with
noise) a serious record in the year after it — written through the owning apps' services.

Today is 2026-09-30; the default training snapshot is one horizon (12 months) before: 2025-09-30.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
import time_machine

from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.accounts.viewer import Viewer, viewer_for_user
from gongxin.catalog.models import SourceUnit
from gongxin.subjects.models import Subject
from gongxin.testing import factories, personas

TODAY = date(2026, 9, 30)
SNAPSHOT = date(2025, 9, 30)
SERIOUS = "吊销许可证件"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.fromisoformat(f"{TODAY.isoformat()}T10:00:00+08:00"), tick=False):
        yield


def user_create(username: str, *, role: str, subject: Subject | None = None) -> User:
    return personas.user_create(username, role=role, subject=subject, email=f"{username}@example.test")



@pytest.fixture
def policies(seeded: None) -> None:
    """The monitoring policies of migration 0002 (``seeded`` restores them after a flush)."""


@pytest.fixture
def unit(policies: None) -> SourceUnit:
    return factories.source_unit_create()


@pytest.fixture
def staff(policies: None) -> User:
    return user_create("staff-monitor", role=Role.STAFF)


@pytest.fixture
def other_staff(policies: None) -> User:
    return user_create("staff-other", role=Role.STAFF)


@pytest.fixture
def auditor(policies: None) -> User:
    return user_create("auditor-monitor", role=Role.AUDITOR)


@pytest.fixture
def acme(policies: None) -> Subject:
    return factories.organization_create(name="宁波市鄞州区预警测试贸易有限公司")


@pytest.fixture
def outsider(acme: Subject) -> User:
    return user_create("agent-acme", role=Role.ORG_AGENT, subject=acme)


def viewer(user: User) -> Viewer:
    return viewer_for_user(user)


def penalty(subject: Subject, unit: SourceUnit, decided: date, *, serious: bool = False) -> None:
    factories.penalty_create(subject=subject, source_unit=unit, decided=decided,
                             **({"penalty_types": SERIOUS, "penalty_content": "吊销食品经营许可证"} if serious else {}))


@dataclass
class Population:
    subjects: list[Subject]
    bad: set[int]


def population_create(unit: SourceUnit, *, size: int = 120, seed: int = 7) -> Population:
    """Organizations whose past penalties make a serious record in the year after the snapshot likelier."""
    rng = random.Random(seed)
    subjects: list[Subject] = []
    bad: set[int] = set()
    for i in range(size):
        risk = rng.random()
        subject = factories.organization_create(
            name=f"宁波市测试{i:03d}贸易有限公司",
            registration_date=date(2024, 1, 1) - timedelta(days=int(3650 * (1 - risk) * rng.random()) + 30))
        subjects.append(subject)
        priors = 0 if risk < 0.5 else 1 if risk < 0.8 else 2
        for _ in range(priors):
            penalty(subject, unit, SNAPSHOT - timedelta(days=rng.randint(20, 900)), serious=risk > 0.93)
        if risk < 0.35:
            factories.licence_create(subject=subject, source_unit=unit,
                                     decided=SNAPSHOT - timedelta(days=rng.randint(30, 2000)))
        chance = 0.04 if risk < 0.5 else 0.3 if risk < 0.8 else 0.7
        if rng.random() < chance:
            penalty(subject, unit, SNAPSHOT + timedelta(days=rng.randint(10, 350)), serious=True)
            bad.add(subject.pk)
    return Population(subjects=subjects, bad=bad)


@pytest.fixture
def population(unit: SourceUnit) -> Population:
    return population_create(unit)


def _bins(points: list[float], woe: list[float], splits: list[float]) -> list[dict]:
    edges = [float("-inf"), *splits, float("inf")]
    bins = [{"label": f"[{edges[i]}, {edges[i + 1]})", "count": 10, "event_rate": 0.1, "woe": w, "iv": 0.05,
             "points": p} for i, (p, w) in enumerate(zip(points, woe, strict=True))]
    middle = points[len(points) // 2]
    return [*bins, {"label": "Special", "special": True, "count": 0, "event_rate": 0, "woe": 0, "iv": 0,
                    "points": middle},
            {"label": "Missing", "missing": True, "count": 0, "event_rate": 0, "woe": 0, "iv": 0, "points": middle}]


def handmade_scorecard(*, status: str = "active"):
    """A scorecard with known points: 600 for no negative record in 12 months and no licence, 530 with one
    negative (below the 540 alert line), 480 with two or more; a licence adds 30."""
    from gongxin.core import clock
    from gongxin.monitoring.models import Scorecard

    features = [
        {"code": "negative_12m", "kind": "numerical", "coefficient": -0.8, "iv": 0.3, "splits": [1.0, 2.0],
         "bins": _bins([400, 330, 280], [0.5, -0.2, -1.0], [1.0, 2.0])},
        {"code": "licences", "kind": "numerical", "coefficient": -0.6, "iv": 0.05, "splits": [1.0],
         "bins": _bins([200, 230], [-0.1, 0.3], [1.0])},
    ]
    return Scorecard.objects.create(
        code="handmade", version=1, name="handmade v1", status=status, features=features, intercept=-1.0,
        pdo=20, base_odds=50, base_points=600, snapshot_date=SNAPSHOT,
        training={"rows_train": 0, "rows_test": 0, "events_train": 0, "events_test": 0, "horizon_months": 12},
        trained_at=clock.now(), trained_by_label="tests")
