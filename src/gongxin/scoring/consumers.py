"""Outbox consumer of the scoring app: the incremental path."""

from __future__ import annotations

from collections.abc import Sequence

from gongxin.accounts.viewer import SYSTEM
from gongxin.core.models import OutboxEvent


class RescoreConsumer:
    """Rescores the subjects touched by record events (created, corrected, revoked, repaired, list removal,
    retention ended …) in the dispatch that follows their commit — seconds, well within the minute.

    Idempotent: it recomputes the touched subjects from their records; a second pass changes nothing.
    Its own ``scoring.*`` events are never read back (no loops). Other apps whose facts feed a feature
    (commitments) add their aggregate type to ``AGGREGATE_TYPES``.
    """

    name = "scoring.rescore"
    AGGREGATE_TYPES = frozenset({"record", "commitment"})

    def handle(self, events: Sequence[OutboxEvent]) -> None:
        from gongxin.scoring.services import scores_run

        subject_ids = sorted({e.subject_id for e in events
                              if e.aggregate_type in self.AGGREGATE_TYPES and e.subject_id})
        if subject_ids:
            scores_run(actor=SYSTEM, subject_ids=subject_ids)
