"""Which run of the suite proves a test (decision 078): every test runs on SQLite (``make test``) and on
PostgreSQL (``DATABASE_URL=postgres://… make test``, ``.ci/run``), except

- a test marked ``one_backend`` — what it proves does not depend on the database: the browser's side of a
  journey, a sweep of every page's visible text, two platform processes talking over HTTP whose database work
  other tests prove on both backends — runs in the SQLite run only; the PostgreSQL run skips it with the reason;
- a browser journey (``browser``) counts as ``one_backend``: the pages, views and services it drives are proved on
  both backends by their own tests;
- a test of something only one backend has (row locks, partitions, prepared statements; the four levels with
  the city on PostgreSQL) says so with its own ``skipif`` and runs in that backend's run only.
"""

from __future__ import annotations

import pytest
from django.conf import settings

ONE_BACKEND_REASON = "proved in the SQLite run (one_backend, decision 078)"


def suite_on_postgres() -> bool:
    return "postgresql" in str(settings.DATABASES["default"]["ENGINE"])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not suite_on_postgres():
        return
    skip = pytest.mark.skip(reason=ONE_BACKEND_REASON)
    for item in items:
        if item.get_closest_marker("one_backend") or item.get_closest_marker("browser"):
            item.add_marker(skip)
