"""Background tasks of the core: the outbox dispatcher. Tasks take ids and ISO dates, never objects."""

from __future__ import annotations

from django_tasks import task

from gongxin.core import outbox


@task()
def outbox_dispatch() -> dict[str, int]:
    return outbox.outbox_dispatch()
