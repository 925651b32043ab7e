"""Training a scorecard on the platform's outcomes: features at the snapshot, the outcome in the year
after it, a draft with its metadata, reproducible by seed; activation retires the previous scorecard."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from gongxin.core.models import OutboxEvent
from gongxin.monitoring.choices import ScorecardStatus
from gongxin.monitoring.errors import MonitoringNotStaff, ScorecardNotDraft, TrainingHorizonOpen
from gongxin.monitoring.features import CODES, outcomes_compute, snapshot_compute
from gongxin.monitoring.services import scorecard_activate, scorecard_train
from gongxin.monitoring.tests.conftest import SNAPSHOT, Population, penalty, viewer
from gongxin.records.choices import ChangeKind
from gongxin.testing import factories

pytestmark = pytest.mark.django_db


def test_snapshot_counts_records_in_effect_on_the_day(acme, unit) -> None:
    penalty(acme, unit, SNAPSHOT - timedelta(days=100), serious=True)
    penalty(acme, unit, SNAPSHOT - timedelta(days=500))
    repaired = factories.penalty_create(subject=acme, source_unit=unit, decided=SNAPSHOT - timedelta(days=50))
    factories.repair_mark(repaired)  # repaired: no longer a basis
    revoked = factories.penalty_create(subject=acme, source_unit=unit, decided=SNAPSHOT - timedelta(days=40))
    factories.record_mark(record=revoked, change=ChangeKind.REVOKED, status="revoked")
    penalty(acme, unit, SNAPSHOT + timedelta(days=10), serious=True)  # after the snapshot
    factories.licence_create(subject=acme, source_unit=unit, decided=SNAPSHOT - timedelta(days=30))
    snapshot = snapshot_compute(as_of=SNAPSHOT, subject_ids=[acme.pk])
    assert snapshot.subject_ids == [acme.pk]
    row = snapshot.row(0)
    assert set(row) == set(CODES)
    assert row["negative_serious_3y"] == 1
    assert row["negative_12m"] == 1
    assert row["negative_in_retention"] == 2
    assert row["months_since_negative"] == 100 // 30
    assert row["licences"] == 1
    assert row["on_black_list"] == 0
    assert row["registration_years"] == pytest.approx((SNAPSHOT - date(2015, 3, 18)).days / 365.25, abs=0.01)
    assert outcomes_compute(subject_ids=[acme.pk], as_of=SNAPSHOT, horizon_months=12,
                            severities=["serious"], record_kinds=[]) == [1]
    assert outcomes_compute(subject_ids=[acme.pk], as_of=SNAPSHOT + timedelta(days=20), horizon_months=12,
                            severities=["serious"], record_kinds=[]) == [0]


def test_a_negative_record_counts_on_its_retention_end_day_and_not_after(acme, unit) -> None:
    """retention_end is the last day a record is kept and used (decision 018): a snapshot on that day still
    counts it; the day after it is gone."""
    record = factories.penalty_create(subject=acme, source_unit=unit, decided=date(2020, 3, 10))
    last_day = record.current_version.retention_end
    assert last_day is not None and last_day < SNAPSHOT

    def in_retention(day: date) -> int:
        return snapshot_compute(as_of=day, subject_ids=[acme.pk]).row(0)["negative_in_retention"]

    assert in_retention(last_day - timedelta(days=1)) == 1
    assert in_retention(last_day) == 1
    assert in_retention(last_day + timedelta(days=1)) == 0


def test_a_subject_without_records_has_zero_counts_and_no_recency(acme) -> None:
    row = snapshot_compute(as_of=SNAPSHOT, subject_ids=[acme.pk]).row(0)
    assert row["negative_in_retention"] == 0 and row["months_since_negative"] is None


def test_training_makes_a_draft_with_its_metadata(population: Population, staff) -> None:
    scorecard = scorecard_train(actor=viewer(staff))
    assert scorecard.status == ScorecardStatus.DRAFT and scorecard.version == 1
    assert scorecard.snapshot_date == SNAPSHOT
    training = scorecard.training
    assert training["rows_train"] + training["rows_test"] == len(population.subjects)
    assert training["events_train"] + training["events_test"] == len(population.bad)
    assert training["policy"] == "training.org.2026" and training["horizon_months"] == 12
    assert "optbinning" in training["library"]
    codes = [f["code"] for f in scorecard.features]
    assert "negative_in_retention" in codes or "negative_12m" in codes or "months_since_negative" in codes
    assert scorecard.auc_train is not None and scorecard.auc_train > 0.65
    assert all(f["coefficient"] < 0 for f in scorecard.features)
    # Subjects without any negative record have no recency (missing): the stored bins still give the
    # library's points and probabilities for them.
    assert training["max_points_difference"] < 1e-6 and training["max_probability_difference"] < 1e-9
    assert (scorecard.pdo, scorecard.base_odds, scorecard.base_points) == (20, 50, 600)
    assert OutboxEvent.objects.filter(topic="monitoring.scorecard.trained", aggregate_id=scorecard.pk).exists()


def test_training_is_reproducible_by_seed(population: Population, staff) -> None:
    first = scorecard_train(actor=viewer(staff))
    second = scorecard_train(actor=viewer(staff))
    assert second.version == 2
    assert second.features == first.features and second.intercept == first.intercept
    assert (second.auc_test, second.ks_test) == (first.auc_test, first.ks_test)


def test_training_needs_a_complete_outcome_window(staff, policies) -> None:
    with pytest.raises(TrainingHorizonOpen):
        scorecard_train(actor=viewer(staff), as_of=SNAPSHOT + timedelta(days=1))


def test_only_staff_train(outsider, auditor) -> None:
    for user in (outsider, auditor):
        with pytest.raises(MonitoringNotStaff):
            scorecard_train(actor=viewer(user))


def test_activation_retires_the_previous_scorecard(population: Population, staff) -> None:
    first = scorecard_activate(scorecard=scorecard_train(actor=viewer(staff)), actor=viewer(staff))
    second = scorecard_activate(scorecard=scorecard_train(actor=viewer(staff)), actor=viewer(staff))
    first.refresh_from_db()
    assert (first.status, second.status) == (ScorecardStatus.RETIRED, ScorecardStatus.ACTIVE)
    with pytest.raises(ScorecardNotDraft):
        scorecard_activate(scorecard=first, actor=viewer(staff))
