"""The facts a scenario's conditions may read, for many subjects at once (set-based).

The project's one source of subject facts is ``gongxin.rewards.facts`` (lists, negative records by
severity, positive records, and whatever the configured fact providers add — the scoring app's
``grade`` and ``score`` once it is installed). This module adds what only benefits know: the subject's
benefit defaults in the last 12 months; and it declares ``score`` and ``partner_scores`` itself, so the
seeded rules compile before the scoring provider declares them (until then they take zero values and a
condition on them is simply not met, and says so).

``BenefitFacts`` is a fact provider in the rewards sense (``names`` + ``facts_for``): listed in
``settings.GONGXIN_FACT_PROVIDERS`` it lets measures and score models read benefit defaults too.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import timedelta
from typing import Any

from django.db.models import Count

from gongxin.benefits.choices import UsageStatus
from gongxin.benefits.models import Usage
from gongxin.core import clock
from gongxin.rewards.facts import fact_names, facts_compute

DEFAULTS_WINDOW_DAYS = 365  # the window of the benefit_defaults_12m fact (its name says 12 months)

# Facts declared here besides the rewards facts: ours, and the scoring facts the seeded rules read.
OWN_FACTS: dict[str, str] = {
    "benefit_defaults_12m": "int",
    "score": "int",
    "grade": "string",
    "partner_scores": "map<string, int>",
}


def fact_declarations() -> dict[str, str]:
    """Every fact a condition may name, with its CEL type (providers' declarations win)."""
    return {**OWN_FACTS, **fact_names()}


class BenefitFacts:
    """Fact provider: benefit defaults per subject (see the module note)."""

    names: dict[str, str] = {"benefit_defaults_12m": "int"}

    def facts_for(self, subject_ids: Collection[int]) -> dict[int, dict[str, Any]]:
        since = clock.now() - timedelta(days=DEFAULTS_WINDOW_DAYS)
        rows = (Usage.objects.filter(subject_id__in=list(subject_ids), status=UsageStatus.DEFAULTED,
                                     defaulted_at__gte=since)
                .values("subject_id").annotate(n=Count("id")))
        return {row["subject_id"]: {"benefit_defaults_12m": row["n"]} for row in rows}


def subject_facts(subject_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """``{subject_id: {fact: value}}`` for every id given (facts not known are left out: zero value)."""
    ids = list(dict.fromkeys(int(i) for i in subject_ids))
    facts: dict[int, dict[str, Any]] = {i: {} for i in ids}
    for subject_id, computed in facts_compute(ids).items():
        facts[subject_id].update(computed.facts)
    for subject_id, own in BenefitFacts().facts_for(ids).items():
        facts[subject_id].update(own)
    return facts
