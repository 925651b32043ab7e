"""Facts about subjects' commitments for the rewards app's measures (settings.GONGXIN_FACT_PROVIDERS).

- ``commitments_active``: commitments signed and not verified yet;
- ``commitments_broken``: commitments found false or broken whose negative record is still a basis for
  measures (in effect, not repaired, within retention — commitments.eligibility.breaches_in_effect);
- ``false_commitment``: ``commitments_broken > 0`` (the condition that bars approval-type commitments).

Two grouped queries for any number of subjects (no query per subject).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import Count

from gongxin.commitments.choices import CommitmentStatus
from gongxin.commitments.eligibility import breaches_in_effect
from gongxin.commitments.models import Commitment
from gongxin.core import clock


class CommitmentFacts:
    names: dict[str, str] = {
        "commitments_active": "int",
        "commitments_broken": "int",
        "false_commitment": "bool",
    }

    def facts_for(self, subject_ids: Collection[int]) -> dict[int, dict[str, Any]]:
        ids = list(subject_ids)
        facts: dict[int, dict[str, Any]] = {
            pk: {"commitments_active": 0, "commitments_broken": 0, "false_commitment": False} for pk in ids
        }
        if not ids:
            return facts
        day = clock.today()
        active = (Commitment.objects.filter(subject_id__in=ids, status=CommitmentStatus.SIGNED)
                  .values("subject_id").annotate(n=Count("id")).values_list("subject_id", "n"))
        for subject_id, count in active:
            facts[subject_id]["commitments_active"] = count
        broken = (breaches_in_effect(subject_ids=ids, day=day).values("subject_id").annotate(n=Count("id"))
                  .values_list("subject_id", "n"))
        for subject_id, count in broken:
            facts[subject_id]["commitments_broken"] = count
            facts[subject_id]["false_commitment"] = count > 0
        return facts
