"""The facts a scenario's conditions may read, for many subjects at once (set-based).

Score, level and partner-city scores come from the scoring app (``gongxin.scoring.facts.ScoringFacts``)
when it is installed; until then those facts take their zero values (no score: ``has_score`` false),
so a condition on the level simply is not met and says so. Lists and negative records come from the
records app; defaults from this app's own usages.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q

from gongxin.benefits.choices import UsageStatus
from gongxin.benefits.models import Usage
from gongxin.catalog.choices import Polarity, Severity
from gongxin.core import clock
from gongxin.records.choices import ListKind, RecordStatus
from gongxin.records.models import ListEntry, Record

# Every fact a condition may name, with its CEL type (gongxin.core.cel declares them by these labels).
FACT_NAMES: dict[str, str] = {
    "has_score": "bool",
    "score": "int",
    "level": "string",
    "partner_scores": "map<string, int>",
    "lists": "list<string>",
    "on_black_list": "bool",
    "on_red_list": "bool",
    "serious_dishonesty": "bool",
    "negative_count": "int",
    "serious_negative_count": "int",
    "benefit_defaults_12m": "int",
}

DEFAULTS_WINDOW_DAYS = 365  # the window of the benefit_defaults_12m fact (its name says 12 months)


def _scoring_facts(subject_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Score, level and partner scores from the scoring app, if it is there (see the module note)."""
    try:
        from gongxin.scoring.facts import ScoringFacts  # type: ignore[import-not-found]
    except ImportError:
        return {}
    found = ScoringFacts().facts_for(subject_ids)
    out: dict[int, dict[str, Any]] = {}
    for subject_id, facts in found.items():
        picked = {name: facts.get(name) for name in ("score", "level", "partner_scores") if facts.get(name) is not None}
        picked["has_score"] = picked.get("score") is not None
        out[int(subject_id)] = picked
    return out


def subject_facts(subject_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """``{subject_id: {fact: value}}`` for every id given (facts not known are left out: zero value)."""
    ids = list(dict.fromkeys(int(i) for i in subject_ids))
    facts: dict[int, dict[str, Any]] = {i: {"lists": [], "has_score": False} for i in ids}
    if not ids:
        return facts
    today = clock.today()

    for subject_id, code, kind, serious in ListEntry.objects.filter(
        subject_id__in=ids, is_active=True
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=today)).values_list(
        "subject_id", "list_type__code", "list_type__kind", "list_type__is_serious_dishonesty"
    ):
        entry = facts[subject_id]
        entry["lists"].append(code)
        if kind == ListKind.BLACK:
            entry["on_black_list"] = True
        if kind == ListKind.RED:
            entry["on_red_list"] = True
        if serious:
            entry["serious_dishonesty"] = True

    # Negative records that still count: in effect, not repaired, within retention.
    negative = Record.objects.filter(
        subject_id__in=ids,
        current_version__status=RecordStatus.ACTIVE,
        current_version__polarity=Polarity.NEGATIVE,
        current_version__repaired=False,
    ).filter(Q(current_version__retention_end__isnull=True) | Q(current_version__retention_end__gte=today))
    for row in negative.values("subject_id").annotate(
        n=Count("id"), serious=Count("id", filter=Q(current_version__severity=Severity.SERIOUS))
    ):
        facts[row["subject_id"]]["negative_count"] = row["n"]
        facts[row["subject_id"]]["serious_negative_count"] = row["serious"]

    since = clock.now() - timedelta(days=DEFAULTS_WINDOW_DAYS)
    for row in Usage.objects.filter(subject_id__in=ids, status=UsageStatus.DEFAULTED, defaulted_at__gte=since
                                    ).values("subject_id").annotate(n=Count("id")):
        facts[row["subject_id"]]["benefit_defaults_12m"] = row["n"]

    for subject_id, scored in _scoring_facts(ids).items():
        if subject_id in facts:
            facts[subject_id].update(scored)
    return facts
