"""Background work of the ingest app: running an uploaded batch. Tasks take ids, never objects."""

from __future__ import annotations

from django_tasks import task


@task()
def batch_run_task(batch_id: int) -> dict[str, int]:
    from gongxin.ingest.services import batch_run

    batch = batch_run(batch_id=batch_id)
    return {"batch": batch.pk, "rows": batch.rows_done}
