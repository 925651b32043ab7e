"""Background tasks of the log. Tasks take ids and ISO dates, never objects."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from gongxin.ledger import services


@task()
def ledger_integrate_task() -> dict[str, Any]:
    """Integrate every queued entry (enqueued after each commit that queued some; also ``gongxin ledger integrate``)."""
    result = services.ledger_integrate()
    return {"integrated": result.integrated, "size": result.size, "root": result.root.hex()}
