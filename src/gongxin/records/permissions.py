"""Object-level rules for records: a source unit's writers (accounts.capabilities.writes_for_unit) act only on
that unit's records, and only on the items the catalog has the unit provide."""

from __future__ import annotations

from gongxin.accounts.capabilities import writes_for_unit
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.models import CatalogItem, SourceUnit
from gongxin.records.errors import ItemNotProvidedByUnit, NotOwnSourceUnit


def write_check(*, viewer: Viewer, source_unit: SourceUnit, item: CatalogItem) -> None:
    if not writes_for_unit(viewer, source_unit_id=source_unit.pk):
        raise NotOwnSourceUnit()
    if item.source_unit_id is not None and item.source_unit_id != source_unit.pk:
        raise ItemNotProvidedByUnit()
