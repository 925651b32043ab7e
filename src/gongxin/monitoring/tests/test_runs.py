"""Scoring every organization with the active scorecard: points from the stored bins, probability from
the coefficients, reasons; alerts raised once when the threshold is crossed and on deterioration; the
alert lifecycle (acknowledge, close) with its history."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
import time_machine

from gongxin.core import clock
from gongxin.core.models import OutboxEvent
from gongxin.monitoring.choices import AlertKind, AlertStatus
from gongxin.monitoring.errors import AlertClosed, MonitoringNotStaff, NoActiveScorecard
from gongxin.monitoring.features import feature_label
from gongxin.monitoring.models import Alert, AlertEvent, RiskScore
from gongxin.monitoring.services import (
    alert_acknowledge,
    alert_close,
    risk_run,
    scorecard_activate,
    scorecard_train,
)
from gongxin.monitoring.tests.conftest import TODAY, Population, handmade_scorecard, penalty, viewer
from gongxin.testing import factories

pytestmark = pytest.mark.django_db


def _bin(feature: dict, value: float | None) -> dict:
    """The bin of a value, found by hand from the stored splits ([a, b) like optbinning's)."""
    if value is None:
        return next(b for b in feature["bins"] if b.get("missing"))
    return feature["bins"][sum(1 for split in feature["splits"] if value >= split)]


def test_a_trained_scorecard_scores_each_subject_as_the_sum_of_its_bins(population: Population, staff) -> None:
    scorecard = scorecard_activate(scorecard=scorecard_train(actor=viewer(staff)), actor=viewer(staff))
    run = risk_run(actor=viewer(staff))
    assert run.subjects == len(population.subjects) and run.as_of == TODAY and run.finished_at
    scores = list(RiskScore.objects.filter(run=run))
    assert len(scores) == len(population.subjects)
    for score in scores[:40]:
        bins = [(f, _bin(f, score.features[f["code"]])) for f in scorecard.features]
        assert score.score == round(sum(b["points"] for _f, b in bins))
        logit = scorecard.intercept + sum(f["coefficient"] * b["woe"] for f, b in bins)
        assert score.probability == pytest.approx(1 / (1 + math.exp(-logit)), abs=1e-6)
    # Subjects with an adverse outcome since the snapshot score lower on average than the others.
    bad = [s.score for s in scores if s.subject_id in population.bad]
    good = [s.score for s in scores if s.subject_id not in population.bad]
    assert sum(bad) / len(bad) < sum(good) / len(good)


def test_reasons_name_the_features_that_lose_most_points(acme, unit, staff) -> None:
    handmade_scorecard()
    penalty(acme, unit, TODAY - timedelta(days=30))
    penalty(acme, unit, TODAY - timedelta(days=60))
    run = risk_run(actor=viewer(staff))
    score = RiskScore.objects.get(run=run, subject=acme)
    assert score.score == 480
    first, second = score.reasons
    assert (first["feature"], first["points_lost"], first["value"]) == ("negative_12m", 120, 2)
    assert (second["feature"], second["points_lost"]) == ("licences", 30)
    assert first["reason_zh"].startswith(feature_label("negative_12m", language="zh-hans"))
    assert first["reason_en"].startswith("Negative records in the last 12 months: 2")


def test_threshold_alert_is_raised_once(acme, unit, staff) -> None:
    handmade_scorecard()
    penalty(acme, unit, TODAY - timedelta(days=30))
    first = risk_run(actor=viewer(staff))
    alert = Alert.objects.get(subject=acme)
    assert (alert.kind, alert.status, alert.score, alert.previous_score) == (AlertKind.THRESHOLD, "open", 530, None)
    assert first.alerts_raised == 1
    assert list(alert.events.values_list("action", flat=True)) == ["monitoring.alert.raised"]
    assert OutboxEvent.objects.filter(topic="monitoring.alert.raised", aggregate_id=alert.pk).count() == 1
    with time_machine.travel(clock.now() + timedelta(days=1), tick=False):
        second = risk_run(actor=viewer(staff))
    assert second.alerts_raised == 0 and Alert.objects.filter(subject=acme).count() == 1
    alert_close(alert=alert, actor=viewer(staff), note="checked")
    with time_machine.travel(clock.now() + timedelta(days=2), tick=False):
        risk_run(actor=viewer(staff))  # still below, but no new crossing
    assert Alert.objects.filter(subject=acme).count() == 1


def test_deterioration_and_crossing_raise_one_alert_with_why_now(acme, unit, staff) -> None:
    """A score that crossed the line and fell is one alert of the subject's risk cause (decision 072), of kind
    deterioration, with the reasons and what changed since the previous run."""
    handmade_scorecard()
    other = factories.organization_create(name="宁波市江北区稳定经营有限公司")
    first = risk_run(actor=viewer(staff))
    assert not Alert.objects.exists()
    penalty(acme, unit, TODAY - timedelta(days=5))
    penalty(acme, unit, TODAY - timedelta(days=6))
    with time_machine.travel(clock.now() + timedelta(hours=1), tick=False):
        run = risk_run(actor=viewer(staff))
    alert = Alert.objects.get(run=run)
    assert (alert.subject_id, alert.kind, alert.cause) == (acme.pk, AlertKind.DETERIORATION, "risk")
    assert (alert.score, alert.previous_score) == (480, 600)
    assert (alert.detail["drop_points"], alert.detail["fell_by"], alert.detail["score_below"]) == (30, 120, 540)
    assert alert.detail["reasons"][0]["feature"] == "negative_12m"
    why = alert.detail["why_now"]
    assert (why["since"], why["score_before"], why["score_after"]) == (first.as_of.isoformat(), 600, 480)
    assert [(c["feature"], c["before"], c["after"]) for c in why["changes"]] == [("negative_12m", 0, 2)]
    assert alert.priority > 0 and alert.region_code == acme.region_code
    assert not Alert.objects.filter(subject=other).exists()
    assert run.alerts_raised == 1


def test_an_open_alert_is_renewed_not_raised_again(acme, unit, staff) -> None:
    handmade_scorecard()
    risk_run(actor=viewer(staff))
    penalty(acme, unit, TODAY - timedelta(days=5))
    penalty(acme, unit, TODAY - timedelta(days=6))
    with time_machine.travel(clock.now() + timedelta(hours=1), tick=False):
        risk_run(actor=viewer(staff))
    alert = Alert.objects.get(subject=acme)
    for day in (3, 4, 5):
        penalty(acme, unit, TODAY - timedelta(days=day))
    with time_machine.travel(clock.now() + timedelta(hours=2), tick=False):
        again = risk_run(actor=viewer(staff))  # no further fall of 30 points: not a candidate, nothing changes
    assert (again.alerts_raised, again.alerts_renewed) == (0, 0)
    alert.refresh_from_db()
    assert alert.detail.get("renewed") is None
    assert Alert.objects.filter(subject=acme).count() == 1


def test_alert_lifecycle_keeps_its_history(acme, unit, staff, auditor) -> None:
    handmade_scorecard()
    penalty(acme, unit, TODAY - timedelta(days=30))
    risk_run(actor=viewer(staff))
    alert = Alert.objects.get(subject=acme)
    with pytest.raises(MonitoringNotStaff):
        alert_acknowledge(alert=alert, actor=viewer(auditor))
    alert = alert_acknowledge(alert=alert, actor=viewer(staff), note="calling the company")
    assert alert.status == AlertStatus.ACKNOWLEDGED
    alert = alert_close(alert=alert, actor=viewer(staff), note="rectified")
    with pytest.raises(AlertClosed):
        alert_acknowledge(alert=alert, actor=viewer(staff))
    history = list(AlertEvent.objects.filter(alert=alert).values_list("action", "actor_label", "note"))
    assert history == [
        ("monitoring.alert.raised", "run:" + str(alert.run_id), ""),
        ("monitoring.alert.acknowledged", "user:staff-monitor", "calling the company"),
        ("monitoring.alert.closed", "user:staff-monitor", "rectified"),
    ]
    assert OutboxEvent.objects.filter(topic="monitoring.alert.closed", aggregate_id=alert.pk).exists()


def test_a_run_needs_an_active_scorecard(staff, policies) -> None:
    handmade_scorecard(status="draft")
    with pytest.raises(NoActiveScorecard):
        risk_run(actor=viewer(staff))
