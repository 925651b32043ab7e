"""Facts about subjects' evaluations for other apps' rules (rewards' measures, benefits' eligibility)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from gongxin.scoring.selectors import scores_current


class ScoringFacts:
    """``facts_for(ids)`` → {subject_id: {fact: value}}; subjects never scored get no entry.

    ``grade`` is the band code (organizations: excellent/good/fair/poor; persons: AAA/AA/A/B/C);
    ``score_level`` a letter level for both kinds (organizations: supervision class A–D; persons: the
    Tianyi level). Partner cities' scores are translated with ``selectors.partner_translate``.
    """

    names: dict[str, str] = {
        "grade": "string",
        "grade_name": "string",
        "score": "int",
        "score_level": "string",
        "supervision_class": "string",
        "score_model": "string",
    }

    def facts_for(self, subject_ids: Collection[int]) -> dict[int, dict[str, Any]]:
        return {
            sid: {"grade": s.grade, "grade_name": s.grade_name, "score": s.score, "score_level": s.level,
                  "supervision_class": s.supervision_class, "score_model": s.model_code}
            for sid, s in scores_current(subject_ids=subject_ids).items()
        }
