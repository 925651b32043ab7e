"""Background tasks of the scoring app. Tasks take ids and ISO dates, never objects."""

from __future__ import annotations

from datetime import date

from django_tasks import task

from gongxin.accounts.viewer import SYSTEM


@task()
def scores_batch(as_of: str | None = None) -> int:
    """Score every subject (after a model is activated; daily from the clock job, as ages and retention move)."""
    from gongxin.scoring.services import scores_run

    run = scores_run(actor=SYSTEM, as_of=date.fromisoformat(as_of) if as_of else None)
    return run.pk
