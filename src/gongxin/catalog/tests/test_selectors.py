"""The owner lookups of the catalog: the current items (items_current, item_by_code) and a source unit by its
code (source_unit_by_code)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongxin.catalog.errors import CatalogItemNotFound, SourceUnitNotFound
from gongxin.catalog.models import CatalogEdition, CatalogItem, SourceUnit
from gongxin.catalog.selectors import edition_current, item_by_code, items_current, source_unit_by_code
from gongxin.testing import factories


def _edition_copy(*, code: str, effective_from: date, is_current: bool) -> CatalogEdition:
    """A new edition holding a copy of every item of the seeded one."""
    seeded = edition_current()
    assert seeded is not None
    edition = CatalogEdition.objects.create(code=code, name=f"目录 {code}", effective_from=effective_from,
                                            is_current=is_current)
    copies = []
    for item in CatalogItem.objects.filter(edition=seeded):
        item.pk = None
        item.edition = edition
        copies.append(item)
    CatalogItem.objects.bulk_create(copies)
    return edition


def test_items_current_are_the_active_items_of_the_current_edition_in_one_query(catalog: None) -> None:
    edition = edition_current()
    inactive = CatalogItem.objects.filter(edition=edition, code="licence")
    inactive.update(is_active=False)
    with CaptureQueriesContext(connection) as queries:
        items = list(items_current())
        assert [i.source_unit for i in items]  # loaded with the query (select_related)
        assert {i.edition for i in items} == {edition}
    assert len(queries) == 1
    codes = [i.code for i in items]
    assert codes == sorted(codes) and "penalty" in codes and "licence" not in codes
    assert items_current().count() == CatalogItem.objects.filter(edition=edition, is_active=True).count()


def test_of_two_current_editions_the_latest_starting_one_counts(catalog: None) -> None:
    seeded = edition_current()
    assert seeded is not None
    later = _edition_copy(code="2099", effective_from=date(2099, 1, 1), is_current=True)
    _edition_copy(code="1999", effective_from=date(1999, 1, 1), is_current=True)
    _edition_copy(code="2100", effective_from=date(2100, 1, 1), is_current=False)
    assert edition_current() == later
    assert {i.edition_id for i in items_current()} == {later.pk}
    assert items_current().count() == CatalogItem.objects.filter(edition=seeded, is_active=True).count()
    assert item_by_code("penalty").edition == later


def test_no_current_edition_means_no_current_items(catalog: None) -> None:
    CatalogEdition.objects.update(is_current=False)
    assert list(items_current()) == []
    with pytest.raises(CatalogItemNotFound):
        item_by_code("penalty")


def test_item_by_code_is_one_current_item_or_item_not_found(catalog: None) -> None:
    with CaptureQueriesContext(connection) as queries:
        item = item_by_code("penalty")
    assert len(queries) == 1
    assert item in items_current()
    CatalogItem.objects.filter(pk=item.pk).update(is_active=False)
    with pytest.raises(CatalogItemNotFound) as raised:
        item_by_code("penalty")
    assert raised.value.code == "catalog.item_not_found"
    assert raised.value.details == {"code": "penalty"}


def test_source_unit_by_code_is_one_query_or_source_unit_not_found(db: None) -> None:
    unit = factories.source_unit_create(code="NB-TEST")
    with CaptureQueriesContext(connection) as queries:
        found = source_unit_by_code("NB-TEST")
        assert found.department.code == "NB-TEST"  # loaded with it
    assert found == unit and len(queries) == 1
    SourceUnit.objects.filter(pk=unit.pk).update(is_active=False)
    assert source_unit_by_code("NB-TEST") == unit  # whether an inactive unit may still provide is the callers' rule
    with pytest.raises(SourceUnitNotFound) as raised:
        source_unit_by_code("NB-NONE")
    assert (raised.value.code, raised.value.status, raised.value.details) == (
        "catalog.source_unit_not_found", 404, {"code": "NB-NONE"})
