"""Every commit that queues entries schedules the integration; one waiting task serves every commit before it (an
ingest of many chunks queues one integration, not one per chunk), and running it integrates them all."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings

from gongxin.ledger.models import QueuedEntry
from gongxin.ledger.selectors import tree_head
from gongxin.ledger.services import entries_append
from gongxin.ledger.tasks import ledger_integrate_task

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
PATH = "gongxin.ledger.tasks.ledger_integrate_task"


def _append(ref: int) -> None:
    with transaction.atomic():
        entries_append(kind="test.kind", refs=[(ref, 0), (ref, 1)], leaf_data=[b"a%d" % ref, b"b%d" % ref])


@pytest.mark.django_db(transaction=True)
def test_commits_share_one_waiting_integration_and_running_it_integrates_them():
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS=DB_TASKS):
        for ref in range(3):
            _append(ref)
        assert DBTaskResult.objects.filter(task_path=PATH, status="READY").count() == 1
        assert QueuedEntry.objects.count() == 6
        assert ledger_integrate_task.call()["integrated"] == 6  # what the worker does
        assert not QueuedEntry.objects.exists() and tree_head()[0] == 6
        DBTaskResult.objects.update(status="SUCCESSFUL")
        _append(3)
        assert DBTaskResult.objects.filter(task_path=PATH, status="READY").count() == 1
    with pytest.raises(RuntimeError):  # outside the transaction of the objects it logs
        entries_append(kind="test.kind", refs=[(9, 0)], leaf_data=[b"x"])


@pytest.mark.django_db
def test_one_leaf_per_reference():
    with pytest.raises(ValueError):
        entries_append(kind="test.kind", refs=[(1, 0)], leaf_data=[])


@pytest.mark.django_db
def test_the_task_signs_a_checkpoint_when_one_is_due() -> None:
    from gongxin.ledger.checkpoints import checkpoint_latest

    with override_settings(GONGXIN_LEDGER_CHECKPOINT_SECONDS=3600):
        with transaction.atomic():
            entries_append(kind="test.kind", refs=[(1, 0)], leaf_data=[b"a"])
        assert ledger_integrate_task.call()["checkpoint"] == 1  # none yet: due
        assert checkpoint_latest().tree_size == 1
        with transaction.atomic():
            entries_append(kind="test.kind", refs=[(2, 0)], leaf_data=[b"b"])
        assert ledger_integrate_task.call()["checkpoint"] is None  # the last one is younger than the interval
        assert checkpoint_latest().tree_size == 1
    with override_settings(GONGXIN_LEDGER_CHECKPOINT_SECONDS=0):
        assert ledger_integrate_task.call()["checkpoint"] == 2
