"""The incremental path (RescoreConsumer through the outbox), model drafts, simulation, activation, facts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from gongxin.accounts.viewer import SYSTEM
from gongxin.core.outbox import outbox_dispatch
from gongxin.scoring.errors import ModelInvalid, ModelNotDraft, NotStaff
from gongxin.scoring.facts import ScoringFacts
from gongxin.scoring.models import Indicator, ScoreRun, ScoringModel, SubjectScore
from gongxin.scoring.selectors import model_simulation, scores_current
from gongxin.scoring.services import indicator_change, model_activate, model_draft_from, scores_run
from gongxin.scoring.tests.conftest import STAFF, penalty

TODAY = date(2026, 11, 25)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scoring_models")]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_record_events_rescore_the_touched_subject(organization, person, market_unit, market_operator):
    scores_run(actor=SYSTEM)
    outbox_dispatch()  # the consumers catch up
    penalty(market_unit, market_operator, organization, decided=date(2026, 10, 1), number="CF-9")

    outbox_dispatch()  # what the commit of the record's transaction enqueues

    assert SubjectScore.objects.get(subject=organization).score == 850 - 60
    run = ScoreRun.objects.filter(kind="incremental").latest("started_at")
    assert (run.subjects_scored, run.subjects_changed) == (1, 1)  # only the touched subject


def test_a_draft_is_simulated_then_activated(organization, market_unit, market_operator,
                                            django_capture_on_commit_callbacks):
    penalty(market_unit, market_operator, organization, decided=date(2026, 10, 1), number="CF-1")
    scores_run(actor=SYSTEM)
    active = ScoringModel.objects.get(code="org.zj", status="active")
    draft = model_draft_from(model=active, actor=STAFF)
    indicator = Indicator.objects.get(dimension__model=draft, code="general_penalties")
    indicator_change(indicator=indicator, points_per_unit=Decimal(-200), min_points=Decimal(-300), actor=STAFF)

    simulation = model_simulation(model=draft)

    assert simulation.before == {"good": 1} and simulation.after == {"fair": 1}
    assert simulation.changed_count == 1
    assert simulation.changed[0]["subject_id"] == organization.pk
    assert SubjectScore.objects.get(subject=organization).grade == "good"  # nothing written

    with django_capture_on_commit_callbacks(execute=True):
        model_activate(model=draft, actor=STAFF)  # the batch run follows (task)

    active.refresh_from_db()
    assert active.status == "retired"
    score = SubjectScore.objects.get(subject=organization)
    assert (score.model_id, score.score, score.grade) == (draft.pk, 650, "fair")
    with pytest.raises(ModelNotDraft):
        indicator_change(indicator=indicator, points_per_unit=Decimal(-10), actor=STAFF)


def test_an_inconsistent_draft_cannot_be_activated_and_only_staff_edit(organization):
    active = ScoringModel.objects.get(code="org.zj", status="active")
    with pytest.raises(NotStaff):
        model_draft_from(model=active, actor=SYSTEM.__class__(label="x", role="public"))
    draft = model_draft_from(model=active, actor=STAFF)
    draft.dimensions.filter(code="basic").update(max_points=200)

    with pytest.raises(ModelInvalid) as error:
        model_activate(model=draft, actor=STAFF)
    assert "add up to" in error.value.details[0]


def test_facts_and_scores_current_for_other_apps(organization, person):
    scores_run(actor=SYSTEM)

    facts = ScoringFacts().facts_for([organization.pk, person.pk, 999_999])

    assert set(ScoringFacts.names) >= {"grade", "score", "score_level"}
    assert facts[organization.pk] == {"grade": "good", "grade_name": "良好", "score": 850, "score_level": "B",
                                      "supervision_class": "B", "score_model": "org.zj"}
    assert facts[person.pk]["score_level"] == "AA"
    assert 999_999 not in facts
    assert scores_current(subject_ids=[person.pk])[person.pk].grade_name == "信用优秀"
