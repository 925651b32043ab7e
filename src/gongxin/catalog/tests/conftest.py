from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gongxin.catalog.models import CatalogItem
from gongxin.catalog.seed import catalog_seed
from gongxin.catalog.selectors import item_by_code

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def catalog(db: None) -> None:
    """The seeded catalog and policies (the data migration made them; seeding again is a no-op)."""
    catalog_seed()


@pytest.fixture
def penalty_item(catalog: None) -> CatalogItem:
    return item_by_code("penalty")


@pytest.fixture
def licence_item(catalog: None) -> CatalogItem:
    return item_by_code("licence")


@pytest.fixture
def june_2026():
    """Today is 2026-06-01 in Ningbo."""
    with time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI), tick=False) as traveller:
        yield traveller
