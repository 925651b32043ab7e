"""Background tasks of the log. Tasks take ids and ISO dates, never objects."""

from __future__ import annotations

import logging
from typing import Any

from django_tasks import task

from gongxin.core.errors import GongxinError
from gongxin.ledger import services

log = logging.getLogger(__name__)


@task()
def ledger_integrate_task() -> dict[str, Any]:
    """Integrate every queued entry (enqueued after each commit that queued some; also ``gongxin ledger integrate``),
    then sign a checkpoint if one is due (``checkpoints.checkpoint_if_due``: the tree grew and the last checkpoint is
    older than the interval) — so a log that grows is checkpointed without cron; cron's ``--if-due`` covers the tail
    that grew within the last interval."""
    from gongxin.ledger.checkpoints import checkpoint_if_due

    result = services.ledger_integrate()
    try:
        checkpoint = checkpoint_if_due()
    except GongxinError as exc:  # no signing key yet, or an inconsistent head (alert raised): integration stands
        log.warning("ledger: no checkpoint after integration: %s", exc.code)
        checkpoint = None
    return {"integrated": result.integrated, "size": result.size, "root": result.root.hex(),
            "checkpoint": checkpoint.tree_size if checkpoint is not None else None}
