"""scores_run: batch and incremental scoring, reproducibility, bands, retention, repair, history, events."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from gongxin.accounts.viewer import SYSTEM
from gongxin.core.models import OutboxEvent
from gongxin.records.choices import ChangeKind
from gongxin.records.services import record_version_append
from gongxin.scoring.models import ScoreHistory, ScoreRun, ScoringModel, SubjectScore
from gongxin.scoring.services import scores_run
from gongxin.scoring.tests.conftest import penalty, positive
from gongxin.subjects.models import Organization

TODAY = date(2026, 11, 25)
# A clean organization with no registration date: 100 + 450 + 200 + 60 + 40.
CLEAN_ORG = 850
CLEAN_PERSON = 850


def _score(subject) -> SubjectScore:
    return SubjectScore.objects.get(subject=subject)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scoring_models")]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_batch_scores_every_subject_of_each_kind(organization, person):
    run = scores_run(actor=SYSTEM)

    assert run.kind == "batch" and run.subjects_scored == 2 and run.subjects_changed == 2
    org, per = _score(organization), _score(person)
    assert (org.score, org.grade, org.model.code) == (CLEAN_ORG, "good", "org.zj")
    assert (per.score, per.grade, per.model.code) == (CLEAN_PERSON, "AA", "person.tianyi")
    assert org.dimensions == {"basic": 100, "compliance": 450, "lists": 200, "performance": 60, "incentives": 40}
    assert run.distribution == {"org.zj": {"good": 1}, "person.tianyi": {"AA": 1}}


def test_scores_are_reproducible_and_a_second_run_changes_nothing(organization, market_unit, market_operator):
    penalty(market_unit, market_operator, organization, decided=date(2026, 6, 1), number="CF-1")
    first = scores_run(actor=SYSTEM)
    before = _score(organization)

    second = scores_run(actor=SYSTEM)

    after = _score(organization)
    assert (after.score, after.grade, after.dimensions) == (before.score, before.grade, before.dimensions)
    assert first.subjects_changed == 1 and second.subjects_changed == 0
    assert ScoreHistory.objects.filter(subject=organization).count() == 1


def test_penalties_cost_points_by_severity_and_age(organization, market_unit, market_operator):
    penalty(market_unit, market_operator, organization, decided=date(2026, 6, 1), number="CF-1")  # -60
    penalty(market_unit, market_operator, organization, decided=date(2025, 3, 1), number="CF-2")  # -60 × 0.5
    penalty(market_unit, market_operator, organization, decided=date(2026, 9, 1), number="CF-3",
            severity="serious")  # -150
    scores_run(actor=SYSTEM)

    score = _score(organization)
    assert score.dimensions["compliance"] == 450 - 60 - 30 - 150
    assert score.score == CLEAN_ORG - 240
    assert score.grade == "fair"  # 610: 600 ≤ score < 750


@pytest.mark.parametrize(("serious", "grade"), [(0, "good"), (1, "fair"), (2, "poor")])
def test_grades_follow_the_bands(organization, market_unit, market_operator, serious, grade):
    for n in range(serious):
        penalty(market_unit, market_operator, organization, decided=date(2026, 6, 1), number=f"CF-{n}",
                severity="serious")
    scores_run(actor=SYSTEM)

    assert _score(organization).grade == grade


def test_positive_records_raise_the_score_up_to_their_caps(organization, market_unit, market_operator):
    Organization.objects.filter(subject=organization).update(registration_date=date(2015, 1, 1))  # +30 (cap)
    for n in range(3):
        positive(market_unit, market_operator, organization, "honour", decided=date(2026, 1, 1), number=f"H-{n}")
    positive(market_unit, market_operator, organization, "licence", decided=date(2026, 1, 1), number="L-1")
    scores_run(actor=SYSTEM)

    score = _score(organization)
    assert score.dimensions["basic"] == 100 + 30 + 5
    assert score.dimensions["incentives"] == 40 + 40  # honours capped at 40
    assert score.score == CLEAN_ORG + 30 + 5 + 40
    assert score.grade == "excellent"


def test_a_record_past_retention_has_no_effect(organization, market_unit, market_operator):
    record = penalty(market_unit, market_operator, organization, decided=date(2021, 6, 1), number="CF-OLD",
                     severity="serious")
    assert record.current_version.retention_end < TODAY  # the clock job has not archived it yet
    scores_run(actor=SYSTEM)

    assert _score(organization).score == CLEAN_ORG


def test_repaired_records_count_with_the_models_repaired_weight(organization, market_unit, market_operator):
    record = penalty(market_unit, market_operator, organization, decided=date(2026, 6, 1), number="CF-1")
    from django.db import transaction

    with transaction.atomic():
        record_version_append(record=record, change=ChangeKind.REPAIRED, actor=market_operator, repaired=True,
                              publicity_ended=True)
    scores_run(actor=SYSTEM)
    assert _score(organization).score == CLEAN_ORG  # default policy: a repaired record no longer counts

    ScoringModel.objects.filter(code="org.zj").update(repaired_weight="0.5")
    scores_run(actor=SYSTEM)
    assert _score(organization).score == CLEAN_ORG - 30


def test_a_list_entry_empties_the_list_dimension(organization, market_unit, market_operator, person):
    from gongxin.records.services import record_submit
    from gongxin.testing.payloads import item, payload_for

    catalog_item = item("judgment_debtor")
    record_submit(source_unit=market_unit, item=catalog_item, source_record_id="SX-1", subject=organization,
                  payload=payload_for(catalog_item, decision_date=date(2026, 5, 1)), actor=market_operator)
    scores_run(actor=SYSTEM)

    assert _score(organization).dimensions["lists"] == 0


def test_a_grade_change_emits_an_event_and_history(organization, market_unit, market_operator):
    scores_run(actor=SYSTEM)
    assert not OutboxEvent.objects.filter(topic="scoring.score.changed").exists()  # a first grade is no change
    for n in range(2):
        penalty(market_unit, market_operator, organization, decided=date(2026, 6, 1), number=f"CF-{n}",
                severity="serious")

    scores_run(actor=SYSTEM, subject_ids=[organization.pk])

    event = OutboxEvent.objects.get(topic="scoring.score.changed")
    assert event.subject_id == organization.pk
    assert event.payload["from"] == "good" and event.payload["to"] in {"fair", "poor"}
    history = list(ScoreHistory.objects.filter(subject=organization).order_by("pk"))
    assert [h.previous_grade for h in history] == ["", "good"]
    assert ScoreRun.objects.filter(kind="incremental").count() >= 1
