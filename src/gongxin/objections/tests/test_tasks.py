"""A source unit's objection tasks (``objection_tasks``): its forwarded objections, shown to whoever decides them
(writes the unit's records: its operators signed in, its systems holding ``records:write``), not to any client of
the unit's department."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from gongxin.accounts.choices import Role, Scope
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.models import SourceUnit
from gongxin.objections.models import Objection
from gongxin.objections.selectors import objection_tasks
from gongxin.objections.services import objection_accept, objection_file, objection_forward
from gongxin.records.models import Record


def _unit_client(unit: SourceUnit, *scopes: str) -> Viewer:
    return Viewer(label="api-client:unit", role=Role.OPERATOR, client_id=1, department_id=unit.pk,
                  scopes=frozenset(scopes))


def _forwarded(penalty: Record, agent_viewer: Viewer, staff_viewer: Viewer) -> Objection:
    evidence = SimpleUploadedFile("单据.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    objection = objection_file(record=penalty, ground="wrong_facts", description="异议说明", actor=agent_viewer,
                               files=[evidence])
    objection_accept(objection=objection, actor=staff_viewer)
    return objection_forward(objection=objection, actor=staff_viewer)


def test_the_units_deciders_see_its_forwarded_objections(
    penalty: Record, unit: SourceUnit, agent_viewer: Viewer, staff_viewer: Viewer, operator_viewer: Viewer,
) -> None:
    objection = _forwarded(penalty, agent_viewer, staff_viewer)
    assert list(objection_tasks(viewer=operator_viewer)) == [objection]
    assert list(objection_tasks(viewer=_unit_client(unit, Scope.RECORDS_WRITE))) == [objection]


def test_a_client_of_the_unit_without_records_write_sees_no_tasks(
    penalty: Record, unit: SourceUnit, agent_viewer: Viewer, staff_viewer: Viewer,
) -> None:
    _forwarded(penalty, agent_viewer, staff_viewer)
    assert not objection_tasks(viewer=_unit_client(unit, Scope.RECORDS_SHARE)).exists()
    assert not objection_tasks(viewer=_unit_client(unit)).exists()
