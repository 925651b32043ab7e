"""The facts a scenario's conditions may read, for many subjects at once (set-based).

The project's one source of subject facts is ``gongxin.rewards.facts`` (lists, negative records by
severity, positive records, and whatever the configured fact providers add). The scoring app's facts
(``grade``, ``score``, ``score_level`` … from ``gongxin.scoring.facts.ScoringFacts``) are read here too
when that provider is not configured in ``settings.GONGXIN_FACT_PROVIDERS``. This module adds what only
benefits know: the subject's benefit defaults in the last 12 months, and ``partner_grade`` — the local
grade of a partner city's score the provider passes with a check (translated by the scoring app's
mutual-recognition table; partner scores are not stored here). A subject never scored has no ``grade``:
the zero value "" fails a grade condition, which then says so.

``BenefitFacts`` is a fact provider in the rewards sense (``names`` + ``facts_for``): listed in
``settings.GONGXIN_FACT_PROVIDERS`` it lets measures and score models read benefit defaults too.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count

from gongxin.benefits.choices import UsageStatus
from gongxin.benefits.models import Usage
from gongxin.core import clock
from gongxin.rewards.facts import fact_names, facts_compute

DEFAULTS_WINDOW_DAYS = 365  # the window of the benefit_defaults_12m fact (its name says 12 months)

# Facts declared here besides the rewards facts: ours, and the scoring facts the seeded rules read.
OWN_FACTS: dict[str, str] = {
    "benefit_defaults_12m": "int",
    "partner_grade": "string",
    "grade": "string",  # declared by the rewards and scoring facts too; here so the seeded rules always compile
    "score": "int",
}
SCORING_PROVIDER = "gongxin.scoring.facts.ScoringFacts"


def _scoring() -> Any | None:
    """The scoring facts provider when the rewards facts do not already call it, else None."""
    if SCORING_PROVIDER in getattr(settings, "GONGXIN_FACT_PROVIDERS", []):
        return None
    try:
        from gongxin.scoring.facts import ScoringFacts
    except ImportError:  # an installation without the scoring app
        return None
    return ScoringFacts()


def fact_declarations() -> dict[str, str]:
    """Every fact a condition may name, with its CEL type (providers' declarations win)."""
    scoring = _scoring()
    return {**OWN_FACTS, **(scoring.names if scoring is not None else {}), **fact_names()}


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
    scoring = _scoring()
    if scoring is not None:
        for subject_id, scored in scoring.facts_for(ids).items():
            if subject_id in facts:
                facts[subject_id].update({k: v for k, v in scored.items() if v is not None})
    for subject_id, own in BenefitFacts().facts_for(ids).items():
        facts[subject_id].update(own)
    return facts


def partner_grade(*, scheme: str, score: int) -> str:
    """The local grade a partner city's score counts as (``scoring.selectors.partner_translate``; raises
    its errors for an unknown scheme or a score off the scale)."""
    from gongxin.scoring.selectors import partner_translate

    return partner_translate(scheme_code=scheme, score=score).local_level
