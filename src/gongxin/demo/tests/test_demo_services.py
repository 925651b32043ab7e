"""After the city is seeded, its services are usable at once: a business system, scores, facts, a scorecard."""

from __future__ import annotations

import pytest

from gongxin.demo import services
from gongxin.rewards.models import BusinessSystem, SubjectFacts
from gongxin.scoring.models import ScoreRun
from gongxin.subjects.models import Subject

pytestmark = pytest.mark.django_db


def test_services_seed_makes_checks_scores_and_providers_ready():
    services.demo_seed(seed=3, organizations=200, persons=50, records=1500, progress=False)
    done = services.demo_services_seed()

    assert BusinessSystem.objects.exists()
    names = [name for name, _key in done.api_keys]
    assert "demo business system" in names and len(names) >= 3  # with benefit providers and lenders
    assert all(key.startswith("gx_") for _name, key in done.api_keys)
    assert done.scored == Subject.objects.count() == SubjectFacts.objects.count() == done.facts
    assert ScoreRun.objects.count() == 1
    assert done.scorecard  # trained and run, or why not (a small city may be too young to learn from)

    again = services.demo_services_seed()
    assert again.api_keys == []  # idempotent: nothing created twice, no key shown twice
