"""Background tasks of the rewards app. Tasks take ISO dates, never objects."""

from __future__ import annotations

from datetime import date

from django_tasks import task

from gongxin.rewards.facts import facts_stale_refresh


@task()
def facts_stale_refresh_task(day: str | None = None) -> int:
    """Daily: recompute the facts rows whose valid_until has come (checks do it on read; dry runs and
    statistics read rows as they are). Returns how many subjects were recomputed."""
    return facts_stale_refresh(day=date.fromisoformat(day) if day else None)
