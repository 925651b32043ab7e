"""One waiting dispatch serves every commit before it: bulk loads do not queue one task per chunk."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings

from gongxin.core.events import RECORD_CREATED
from gongxin.core.outbox import event_emit

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _emit() -> None:
    with transaction.atomic():
        event_emit(topic=RECORD_CREATED, aggregate_type="record", aggregate_id=1, subject_id=None, payload={})


@pytest.mark.django_db(transaction=True)
def test_commits_share_one_waiting_dispatch_task():
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS=DB_TASKS):  # django_tasks resets its backends on this signal
        for _ in range(3):
            _emit()
        assert DBTaskResult.objects.filter(task_path="gongxin.core.tasks.outbox_dispatch").count() == 1
        DBTaskResult.objects.update(status="SUCCESSFUL")  # the worker ran it
        _emit()
        assert DBTaskResult.objects.filter(status="READY").count() == 1
        assert DBTaskResult.objects.count() == 2
