"""Outbox consumers owned by the records app."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from django.conf import settings
from django.db.models import Count
from django.utils.module_loading import import_string

from gongxin.core import clock
from gongxin.core.models import OutboxEvent
from gongxin.records.choices import RecordStatus
from gongxin.records.models import ProfileSummary, Record
from gongxin.records.partitions import version_partitions_ensure


class SummaryProvider(Protocol):
    """Adds entries to the touched subjects' summaries (``settings.GONGXIN_SUMMARY_PROVIDERS``): an app above the
    store that keeps its own per-subject counts there, computed by its own rules (access: what each purpose
    is shown). ``summary`` returns, per subject id, the keys to set."""

    def summary(self, subject_ids: set[int]) -> dict[int, dict[str, Any]]: ...


def summary_providers() -> list[SummaryProvider]:
    return [import_string(path)() for path in getattr(settings, "GONGXIN_SUMMARY_PROVIDERS", [])]


class ProfileSummaryConsumer:
    """Keeps ``ProfileSummary`` — counts of each subject's records in effect by kind and polarity, and the
    entries of the summary providers.

    Idempotent by construction: it recomputes the touched subjects' counts from the records, so
    handling an event twice gives the same row.
    """

    name = "records.profile_summary"

    def handle(self, events: Sequence[OutboxEvent]) -> None:
        # Versions written one at a time (services) meet no bulk path: keep their partitions ahead here too.
        version_partitions_ensure()
        subject_ids = {e.subject_id for e in events if e.aggregate_type == "record" and e.subject_id}
        if not subject_ids:
            return
        counts: dict[int, dict[str, int]] = {sid: {} for sid in subject_ids}
        rows = (
            Record.objects.filter(subject_id__in=subject_ids, current_version__status=RecordStatus.ACTIVE)
            .values_list("subject_id", "catalog_item__record_kind", "current_version__polarity")
            .annotate(n=Count("id"))
        )
        for subject_id, kind, polarity, n in rows:
            counts[subject_id][kind] = counts[subject_id].get(kind, 0) + n
            counts[subject_id][f"polarity:{polarity}"] = counts[subject_id].get(f"polarity:{polarity}", 0) + n
        summaries: dict[int, dict[str, Any]] = {sid: dict(counts[sid]) for sid in subject_ids}
        for provider in summary_providers():
            for subject_id, entries in provider.summary(subject_ids).items():
                summaries[subject_id].update(entries)
        now = clock.now()
        ProfileSummary.objects.bulk_create(
            [ProfileSummary(subject_id=s, counts=summaries[s], updated_at=now) for s in subject_ids],
            update_conflicts=True, unique_fields=["subject"], update_fields=["counts", "updated_at"], batch_size=500,
        )
