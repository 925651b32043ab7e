"""Background task of the sharing app: send the webhooks that are due (enqueued after each fan-out)."""

from __future__ import annotations

from django_tasks import task

from gongxin.sharing.delivery import deliveries_send_all


@task()
def deliveries_send() -> dict[str, int]:
    # Bounded, so one task never runs for ever behind a slow endpoint; the worker command picks up the rest.
    result = deliveries_send_all(max_passes=20)
    return {"sent": result.sent, "failed": result.failed}
