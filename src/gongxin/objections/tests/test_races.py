"""Two people act on one objection at the same moment (PostgreSQL: real row locks, two connections).

Each step locks the objection row (``select_for_update``) before checking its status, and filing relies on
the partial unique constraint, so of two racing acceptances or filings exactly one wins and the other gets
the error a late second click would get."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connection

from gongxin.accounts.viewer import Viewer
from gongxin.core.errors import GongxinError
from gongxin.objections.models import Objection
from gongxin.objections.services import objection_accept, objection_file
from gongxin.records.models import Record, RecordVersion

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def race(action: Callable[[], Any], times: int = 2) -> list[Any]:
    """Run ``action`` in ``times`` threads released together; return each result or error."""
    barrier = threading.Barrier(times)
    results: list[Any] = [None] * times

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = action()
        except GongxinError as error:
            results[index] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_simultaneous_acceptances_mark_the_record_once(
    penalty: Record, agent_viewer: Viewer, staff_viewer: Viewer
) -> None:
    objection = objection_file(record=penalty, ground="other", description="x", actor=agent_viewer)
    results = race(lambda: objection_accept(objection=Objection.objects.get(pk=objection.pk), actor=staff_viewer))
    codes = sorted(r.code if isinstance(r, GongxinError) else "ok" for r in results)
    assert codes == ["objection.wrong_status", "ok"]
    assert RecordVersion.objects.filter(record=penalty, change="objection_marked").count() == 1
    assert objection.events.filter(action="objections.objection.accepted").count() == 1


def test_two_simultaneous_filings_open_one_objection(penalty: Record, agent_viewer: Viewer) -> None:
    results = race(lambda: objection_file(record=penalty, ground="other", description="x", actor=agent_viewer))
    codes = sorted(r.code if isinstance(r, GongxinError) else "ok" for r in results)
    assert codes == ["objection.already_open", "ok"]
    assert Objection.objects.filter(record=penalty).count() == 1
