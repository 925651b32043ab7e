"""Two people act on one objection at the same moment (PostgreSQL: real row locks, two connections).

Each step locks the objection row (``select_for_update``) before checking its status, and filing relies on
the partial unique constraint, so of two racing acceptances or filings exactly one wins and the other gets
the error a late second click would get."""

from __future__ import annotations

import pytest
from django.db import connection

from gongxin.accounts.viewer import Viewer
from gongxin.core.errors import GongxinError
from gongxin.objections.models import Objection
from gongxin.objections.services import objection_accept, objection_file
from gongxin.records.models import Record, RecordVersion
from gongxin.testing.races import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


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
