"""Object-level rules for records: a source unit's operators act only on that unit's records."""

from __future__ import annotations

from gongxin.accounts.choices import Role, Scope
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.models import CatalogItem, SourceUnit
from gongxin.records.errors import ItemNotProvidedByUnit, NotOwnSourceUnit


def can_write_for_unit(*, viewer: Viewer, source_unit_id: int) -> bool:
    if viewer.role == Role.ADMIN:
        return True
    if viewer.client_id is not None:
        return Scope.RECORDS_WRITE in viewer.scopes and viewer.department_id == source_unit_id
    return viewer.role == Role.OPERATOR and viewer.department_id == source_unit_id


def write_check(*, viewer: Viewer, source_unit: SourceUnit, item: CatalogItem) -> None:
    if not can_write_for_unit(viewer=viewer, source_unit_id=source_unit.pk):
        raise NotOwnSourceUnit()
    if item.source_unit_id is not None and item.source_unit_id != source_unit.pk:
        raise ItemNotProvidedByUnit()
