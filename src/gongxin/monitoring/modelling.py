"""Fitting a WoE/IV logistic-regression scorecard (optbinning) and applying it without the library.

``scorecard_fit`` bins each feature optimally (monotonic WoE), keeps the features whose IV reaches the
policy's floor, fits a logistic regression on the WoE values and scales the points (PDO, base odds,
base points). ``FittedScorecard`` is the plain data that is stored on ``models.Scorecard``;
``scorecard_apply`` scores a whole feature matrix with numpy from that data alone, so a stored model
scores the same way years later whatever the library's version. AUC and KS are computed here too.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# optbinning labels the two extra bins of every feature like this in its tables.
SPECIAL_LABEL = "Special"
MISSING_LABEL = "Missing"


@dataclass(frozen=True)
class Scaling:
    pdo: float = 20.0
    base_odds: float = 50.0  # good:bad odds at the base points
    base_points: float = 600.0


@dataclass
class FittedScorecard:
    features: list[dict[str, Any]]
    intercept: float
    scaling: Scaling
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def codes(self) -> list[str]:
        return [f["code"] for f in self.features]


@dataclass(frozen=True)
class Applied:
    score: np.ndarray  # int points per row
    probability: np.ndarray  # probability of the adverse outcome per row
    points: np.ndarray  # rows x features: the points of each feature's bin
    bins: np.ndarray  # rows x features: the bin index of each feature


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def scorecard_fit(
    *,
    frame: Mapping[str, Sequence[Any]],
    target: Sequence[int],
    categorical: Sequence[str] = (),
    scaling: Scaling = Scaling(),
    min_iv: float = 0.02,
    test_size: float = 0.3,
    seed: int = 0,
    max_bins: int = 6,
) -> FittedScorecard:
    """Fit on a stratified training part of ``frame`` (column → values) with ``target`` (1 = adverse
    outcome); report AUC and KS on it and on the hold-out part. Same data and seed, same scorecard."""
    import pandas as pd
    from optbinning import BinningProcess
    from optbinning import Scorecard as OptScorecard
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    data = pd.DataFrame({name: list(values) for name, values in frame.items()})
    for name in data.columns:
        data[name] = data[name].astype(str) if name in categorical else pd.to_numeric(data[name], errors="coerce")
    # A feature with fewer than two known values cannot be binned (e.g. no capital registered anywhere).
    skipped = [name for name in data.columns if data[name].nunique(dropna=True) < 2]
    data = data.drop(columns=skipped)
    categorical = [name for name in categorical if name not in skipped]
    y = np.asarray(target, dtype=int)
    if y.min(initial=1) == y.max(initial=0) or len(y) < 20:
        raise ValueError("training needs both outcomes and at least 20 rows")
    if test_size > 0:
        x_train, x_test, y_train, y_test = train_test_split(data, y, test_size=test_size, random_state=seed,
                                                            stratify=y)
    else:
        x_train, x_test, y_train, y_test = data, data.iloc[:0], y, y[:0]
    def fit(names: list[str]) -> Any:
        process = BinningProcess(
            names, categorical_variables=[n for n in categorical if n in names], max_n_bins=max_bins,
            selection_criteria={"iv": {"min": min_iv}},
            binning_fit_params={name: {"monotonic_trend": "auto_asc_desc"} for name in names
                                if name not in categorical},
        )
        model = OptScorecard(
            binning_process=process, estimator=LogisticRegression(random_state=seed),
            scaling_method="pdo_odds",
            scaling_method_params={"pdo": scaling.pdo, "odds": scaling.base_odds,
                                   "scorecard_points": scaling.base_points},
        )
        with warnings.catch_warnings():
            # optbinning 1.0 still uses pandas idioms that pandas 3 deprecates; nothing for us to act on.
            warnings.filterwarnings("ignore", module="optbinning")
            # Missing values (e.g. "no negative record yet") carry their own bin's WoE in the model, the
            # points and the probability alike (the library's default would treat them as WoE 0).
            model.fit(x_train[names], y_train, metric_special="empirical", metric_missing="empirical")
        return model

    candidates = list(data.columns)
    model = fit(candidates)
    first_process = model.binning_process_
    candidate_iv = [{"code": name, "iv": float(first_process.get_binned_variable(name).binning_table.iv)}
                    for name in candidates]
    # A feature whose coefficient has the wrong sign (collinear with a stronger one) would give points
    # against its own WoE and reasons that contradict the bins: drop the worst and refit until none is left.
    wrong_sign: list[str] = []
    while True:
        support = [str(n) for n in model.binning_process_.get_support(names=True)]
        coefficients_now = model.estimator_.coef_[0]
        worst = int(np.argmax(coefficients_now)) if len(support) else -1
        if worst < 0 or coefficients_now[worst] <= 0:
            break
        wrong_sign.append(support[worst])
        names = [n for n in support if n != support[worst]]
        if not names:
            raise ValueError("no feature keeps a coefficient of the expected sign")
        model = fit(names)
    names = [str(n) for n in model.binning_process_.variable_names]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="optbinning")
        table = model.table(style="detailed")
    fitted_process = model.binning_process_
    coefficients = dict(zip((str(n) for n in fitted_process.get_support(names=True)), model.estimator_.coef_[0],
                            strict=True))
    features: list[dict[str, Any]] = []
    for code, coefficient in coefficients.items():
        binned = fitted_process.get_binned_variable(code)
        rows = table[table["Variable"] == code]
        bins = []
        for _, row in rows.iterrows():
            label = row["Bin"]
            entry: dict[str, Any] = {
                "count": int(row["Count"]), "event_rate": round(float(row["Event rate"]), 6),
                "woe": float(row["WoE"]), "iv": float(row["IV"]), "points": float(row["Points"]),
            }
            if isinstance(label, str) and label in {SPECIAL_LABEL, MISSING_LABEL}:
                entry["label"] = label
                entry["special" if label == SPECIAL_LABEL else "missing"] = True
            elif binned.dtype == "categorical":
                entry["categories"] = [str(_jsonable(c)) for c in label]
                entry["label"] = ", ".join(entry["categories"])
            else:
                entry["label"] = str(label)
            bins.append(entry)
        features.append({
            "code": code, "kind": binned.dtype, "coefficient": float(coefficient),
            "iv": float(rows["IV"].sum()),
            "splits": [] if binned.dtype == "categorical" else [float(s) for s in binned.splits],
            "bins": bins,
        })
    fitted = FittedScorecard(features=features, intercept=float(model.estimator_.intercept_[0]),
                             scaling=scaling)
    metrics: dict[str, Any] = {
        "rows_train": len(y_train), "rows_test": len(y_test),
        "events_train": int(y_train.sum()), "events_test": int(y_test.sum()),
        "seed": seed, "test_size": test_size, "min_iv": min_iv, "skipped": skipped,
        "candidates": candidate_iv, "dropped_for_sign": wrong_sign,
    }
    for part, x_part, y_part in (("train", x_train, y_train), ("test", x_test, y_test)):
        if len(y_part) and 0 < y_part.sum() < len(y_part):
            probability = scorecard_apply(fitted, {c: x_part[c].tolist() for c in fitted.codes}).probability
            metrics[f"auc_{part}"] = round(auc(y_part, probability), 4)
            metrics[f"ks_{part}"] = round(ks(y_part, probability), 4)
    # The stored bins must give the library's own points: checked on every fit, kept as evidence.
    library_score = np.asarray(model.score(x_train[names]), dtype=float)
    own_points = scorecard_apply(fitted, {c: x_train[c].tolist() for c in fitted.codes}).points.sum(axis=1)
    metrics["max_points_difference"] = round(float(np.abs(library_score - own_points).max(initial=0.0)), 6)
    library_probability = model.predict_proba(x_train[names])[:, 1]
    own_probability = scorecard_apply(fitted, {c: x_train[c].tolist() for c in fitted.codes}).probability
    metrics["max_probability_difference"] = float(np.abs(library_probability - own_probability).max(initial=0.0))
    fitted.metrics = metrics
    return fitted


def _bin_index(feature: dict[str, Any], values: Sequence[Any]) -> np.ndarray:
    """The bin of each value: numeric splits are [a, b) like optbinning's; unknown and missing values
    go to the missing bin."""
    bins = feature["bins"]
    missing = next((i for i, b in enumerate(bins) if b.get("missing")), len(bins) - 1)
    if feature["kind"] == "categorical":
        lookup = {c: i for i, b in enumerate(bins) for c in b.get("categories", ())}
        return np.array([lookup.get(str(v), missing) if v is not None else missing for v in values], dtype=int)
    x = np.array([np.nan if v is None else float(v) for v in values], dtype=float)
    index = np.digitize(x, np.asarray(feature["splits"], dtype=float), right=False)
    index[np.isnan(x)] = missing
    return index


def scorecard_apply(fitted: FittedScorecard, columns: Mapping[str, Sequence[Any]]) -> Applied:
    """Score rows given as feature columns (vectorised): points per feature from its bin, the score as
    their sum, the probability from the WoE values and the coefficients."""
    rows = len(next(iter(columns.values()))) if columns else 0
    points = np.zeros((rows, len(fitted.features)))
    woe = np.zeros((rows, len(fitted.features)))
    bins = np.zeros((rows, len(fitted.features)), dtype=int)
    for j, feature in enumerate(fitted.features):
        index = _bin_index(feature, columns[feature["code"]])
        bins[:, j] = index
        points[:, j] = np.array([b["points"] for b in feature["bins"]])[index]
        woe[:, j] = np.array([b["woe"] for b in feature["bins"]])[index]
    coefficients = np.array([f["coefficient"] for f in fitted.features])
    logit = fitted.intercept + woe @ coefficients
    probability = 1.0 / (1.0 + np.exp(-logit))
    score = np.rint(points.sum(axis=1)).astype(int)
    return Applied(score=score, probability=probability, points=points, bins=bins)


def auc(target: Sequence[int] | np.ndarray, probability: Sequence[float] | np.ndarray) -> float:
    """Area under the ROC curve by ranks (Mann-Whitney), ties counted half."""
    y = np.asarray(target, dtype=int)
    p = np.asarray(probability, dtype=float)
    order = p.argsort(kind="mergesort")
    ranks = np.empty(len(p))
    sorted_p = p[order]
    # Average ranks of tied values.
    _, first, counts = np.unique(sorted_p, return_index=True, return_counts=True)
    average = first + (counts + 1) / 2.0
    ranks[order] = np.repeat(average, counts)
    events = y.sum()
    non_events = len(y) - events
    return float((ranks[y == 1].sum() - events * (events + 1) / 2.0) / (events * non_events))


def ks(target: Sequence[int] | np.ndarray, probability: Sequence[float] | np.ndarray) -> float:
    """Kolmogorov-Smirnov statistic: the largest gap between the cumulative shares of events and non-events
    over the probability thresholds."""
    y = np.asarray(target, dtype=int)
    p = np.asarray(probability, dtype=float)
    thresholds = np.unique(p)
    events = np.sort(p[y == 1])
    non_events = np.sort(p[y == 0])
    cdf_events = np.searchsorted(events, thresholds, side="right") / max(len(events), 1)
    cdf_non = np.searchsorted(non_events, thresholds, side="right") / max(len(non_events), 1)
    return float(np.abs(cdf_non - cdf_events).max()) if len(thresholds) else 0.0


def points_range(fitted: FittedScorecard) -> tuple[int, int]:
    """The lowest and highest score the scorecard can give."""
    low = sum(min(b["points"] for b in f["bins"]) for f in fitted.features)
    high = sum(max(b["points"] for b in f["bins"]) for f in fitted.features)
    return math.floor(low), math.ceil(high)
