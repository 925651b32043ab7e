"""Background work of the ingest app: running an uploaded batch. Tasks take ids, never objects."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def batch_run_task(batch_id: int) -> dict[str, Any]:
    from gongxin.ingest.errors import BatchRunning
    from gongxin.ingest.services import batch_run

    try:
        batch = batch_run(batch_id=batch_id)
    except BatchRunning as exc:  # a live run has the batch (the task ran twice): that run finishes it
        return {"batch": batch_id, "refused": exc.code}
    return {"batch": batch.pk, "rows": batch.rows_done}
