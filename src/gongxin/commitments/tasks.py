"""Background tasks of the commitments app. Tasks take ISO dates, never objects."""

from __future__ import annotations

from datetime import date

from django_tasks import task

from gongxin.commitments.services import commitments_daily


@task()
def commitments_daily_task(day: str = "") -> dict[str, int]:
    result = commitments_daily(day=date.fromisoformat(day) if day else None)
    return {"reminded": result.reminded, "overdue": result.overdue}
