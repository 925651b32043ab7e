"""The CSS bar charts of staff pages: each bar's width as a share of the largest value in its chart."""

from __future__ import annotations

from typing import Any


def bars(values: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """``[(label, value), …]`` → ``[{"label", "value", "percent"}, …]`` for ``portal/_charts.html`` and the
    ``.bar-row`` markup; values may be ints or Decimals (amounts)."""
    top = max((float(v) for _label, v in values), default=0.0) or 1.0
    return [{"label": label, "value": value, "percent": round(float(value) * 100 / top, 1)} for label, value in values]
